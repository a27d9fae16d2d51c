"""Consent sheets and parents' applications (PD-1, DIA-4; 003 Приложения 1-2): how a parent
receives the weekly report, and the pages where the class teacher records the paper forms."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.personal_data import operations as ops
from extensions import db
from models import AuditEntry, School, Student
from models.personal_data import CONSENT_ITEMS, ConsentItem, ConsentRecord, ParentApplication
from tests.clock import school_date, school_moment
from tests.weekly_fixtures import TODAY, apply, give_consent
from utils.timeutil import school_today

ON = school_date(2026, 11, 21)


@pytest.fixture
def family(app, small_school):
    s = small_school()
    s.pupil = s.pupils_5a[0]  # Петров Пётр, mother parent_a, class teacher maths_teacher
    return s


def test_no_application_means_the_electronic_diary(family):
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "electronic"
    apply(family, family.pupil, family.parent_a, "electronic")
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "electronic"


def test_a_parent_who_refused_electronic_access_gets_paper(family):
    apply(family, family.pupil, family.parent_a, "print")
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "print"


def test_email_needs_consent_item_6_9(family):
    apply(family, family.pupil, family.parent_a, "email", "petrova@example.ru")
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "print_no_consent"
    give_consent(family, family.pupil, family.parent_a, ["4.3", "6.10"])  # paper distribution only
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "print_no_consent"
    give_consent(family, family.pupil, family.parent_a, ["4.3", "6.9", "6.10"])
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "email"


def test_a_withdrawn_or_expired_consent_stops_email(family):
    apply(family, family.pupil, family.parent_a, "email", "petrova@example.ru")
    consent = give_consent(family, family.pupil, family.parent_a, ["6.9"])
    ops.withdraw_consent(consent, family.admin, "заявление от 10.11.2026", at=school_moment(2026, 11, 10, 9))
    db.session.commit()
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "print_no_consent"
    assert ops.report_delivery(family.parent_a, family.pupil, school_date(2026, 11, 9)) == "email"  # before the withdrawal

    expiring = ops.record_consent(family.pupil, family.parent_a.id, {"6.9"}, school_date(2026, 9, 1), school_date(2026, 10, 31), "2",
                                  family.admin, TODAY)
    db.session.commit()
    assert expiring.is_in_force(school_date(2026, 10, 1)) and not expiring.is_in_force(ON)
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "print_no_consent"


def test_a_newer_sheet_without_6_9_replaces_the_older_one(family):
    apply(family, family.pupil, family.parent_a, "email", "petrova@example.ru")
    first = give_consent(family, family.pupil, family.parent_a, ["6.9"], given_on=school_date(2026, 9, 1))
    give_consent(family, family.pupil, family.parent_a, ["6.10"], given_on=school_date(2026, 10, 1), confirm_replace=True)
    db.session.refresh(first)
    assert first.replaced_at is not None
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "print_no_consent"


def test_a_new_application_replaces_the_parents_previous_one(family):
    apply(family, family.pupil, family.parent_a, "print", given_on=school_date(2026, 9, 1))
    apply(family, family.pupil, family.parent_a, "electronic", given_on=school_date(2026, 10, 1))
    assert ops.report_delivery(family.parent_a, family.pupil, ON) == "electronic"
    assert len(db.session.scalars(select(ParentApplication)).all()) == 2  # history kept


def test_delivery_plan_applies_the_same_rule_to_a_whole_class(family):
    apply(family, family.pupil, family.parent_a, "email", "petrova@example.ru")
    plan = ops.delivery_plan([s.id for s in family.pupils_5a], ON)
    assert list(plan) == [family.pupil.id]
    assert plan[family.pupil.id][0].delivery == "print_no_consent"
    give_consent(family, family.pupil, family.parent_a, ["6.9"])
    plan = ops.delivery_plan([s.id for s in family.pupils_5a], ON)
    assert plan[family.pupil.id][0].delivery == "email" and plan[family.pupil.id][0].email == "petrova@example.ru"


# --- The pages ------------------------------------------------------------------------------------


def test_class_teacher_records_the_consent_sheet_line_by_line(client, auth, family):
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/consent"
    page = client.get(url).get_data(as_text=True)
    assert "Рассылка сведений об успеваемости и посещаемости" in page and "Петрова Елена" in page
    response = client.post(url, data={
        "action": "record", "consent-given_by": family.parent_a.id, "consent-number": "17",
        "consent-given_on": str(school_date(2026, 9, 1)), "consent-categories": ["4.3"], "consent-actions": ["6.1", "6.9"],
    })
    assert response.status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.given_by_id == family.parent_a.id and consent.number == "17"
    items = {i.code: i.granted for i in db.session.scalars(select(ConsentItem))}
    assert len(items) == len(CONSENT_ITEMS)  # every line of the sheet, ticked or not
    assert {c for c, granted in items.items() if granted} == {"4.3", "6.1", "6.9"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "consent_record"))
    assert entry.user_id == family.maths_teacher.id and entry.after["granted"] == ["4.3", "6.1", "6.9"]
    assert "действует" in client.get(url).get_data(as_text=True)


def test_withdrawal_needs_its_written_ground(client, auth, family):
    consent = give_consent(family, family.pupil, family.parent_a, ["6.9"])
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/consent"
    response = client.post(url, data={"action": "withdraw", "withdraw-consent_id": consent.id, "withdraw-reason": ""})
    assert response.status_code == 400
    assert "Укажите основание отзыва" in response.get_data(as_text=True)
    response = client.post(url, data={"action": "withdraw", "withdraw-consent_id": consent.id,
                                      "withdraw-reason": "Заявление от 12.11.2026 № 5"})
    assert response.status_code == 302
    db.session.refresh(consent)
    assert consent.withdrawn_at is not None and consent.withdrawal_reason == "Заявление от 12.11.2026 № 5"
    assert ops.current_consent(family.pupil.id, school_today(family.school.timezone)) is None


def test_consent_of_someone_elses_parent_is_refused(client, auth, family):
    auth.login(family.admin)
    response = client.post(f"/personal-data/students/{family.pupil.id}/consent", data={
        "action": "record", "consent-given_by": family.parent_b.id, "consent-given_on": str(school_date(2026, 9, 1)),
        "consent-actions": ["6.9"],
    })
    assert response.status_code == 400
    assert "(законного представителя) этого обучающегося" in response.get_data(as_text=True)
    assert db.session.scalar(select(ConsentRecord)) is None


def test_application_for_email_needs_an_address(client, auth, family):
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/applications"
    data = {"parent": family.parent_a.id, "submitted_on": str(school_date(2026, 9, 2)), "access_level": "none", "delivery": "email",
            "email": "", "scope": ["marks", "attendance"]}
    response = client.post(url, data=data)
    assert response.status_code == 400 and "Укажите адрес электронной почты" in response.get_data(as_text=True)
    response = client.post(url, data={**data, "email": "не-адрес"})
    assert response.status_code == 400 and "указан неверно" in response.get_data(as_text=True)
    response = client.post(url, data={**data, "access_level": "electronic"})
    assert response.status_code == 400 and "отказе от электронного доступа" in response.get_data(as_text=True)
    assert client.post(url, data={**data, "email": "petrova@example.ru"}).status_code == 302
    application = db.session.scalar(select(ParentApplication))
    assert application.delivery == "email" and application.scope == ["marks", "attendance"]
    page = client.get(url).get_data(as_text=True)
    assert "нет согласия на рассылку по e-mail" in page  # what the parent will actually get


def test_another_teacher_may_not_record_and_another_school_is_not_found(client, auth, family, create_student):
    auth.login(family.russian_teacher)  # teaches 5А, but is not its class teacher
    assert client.get(f"/personal-data/students/{family.pupil.id}/consent").status_code == 403
    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    db.session.flush()
    stranger = Student(school=other, last_name="Чужой", first_name="Иван", book_number="1")
    db.session.add(stranger)
    db.session.commit()
    auth.logout()
    auth.login(family.admin)
    assert client.get(f"/personal-data/students/{stranger.id}/consent").status_code == 404
    assert client.get(f"/personal-data/students/{stranger.id}/applications").status_code == 404


def test_parent_reads_own_application_and_consent(client, auth, family):
    apply(family, family.pupil, family.parent_a, "email", "petrova@example.ru")
    give_consent(family, family.pupil, family.parent_a, ["4.3", "6.9"])
    auth.login(family.parent_a)
    page = client.get("/personal-data/my").get_data(as_text=True)
    assert "Петров Пётр" in page and "petrova@example.ru" in page
    assert "письмо на электронную почту" in page
    assert "Петрова Полина" in page  # the second child: no application, the diary
    # read-only but for the withdrawal of the consent (PD-2), which the parent may make here
    main = page.split("<main", 1)[1]
    assert main.count('method="post"') == main.count("/withdraw") == 1
    auth.logout()
    auth.login(family.pupils_5a[0].user)
    assert client.get("/personal-data/my").status_code == 403


# --- Issue 9 item 1: an empty or weaker form never silently replaces a valid document ----------


def _consent_post(family, **extra):
    data = {"action": "record", "consent-given_by": family.parent_a.id,
            "consent-given_on": str(school_date(2026, 11, 2)), "consent-number": ""}
    data.update(extra)
    return data


def test_an_empty_consent_sheet_is_refused_and_the_valid_one_stays(client, auth, family):
    valid = give_consent(family, family.pupil, family.parent_a, ["4.3", "6.1", "6.9"])
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/consent"
    response = client.post(url, data=_consent_post(family))
    assert response.status_code == 400
    assert "пустой лист не записывается" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(ConsentRecord)).all() == [valid]
    assert ops.current_consent(family.pupil.id, TODAY) == valid and valid.replaced_at is None
    # Even the confirmation box does not let an empty sheet through.
    response = client.post(url, data=_consent_post(family, **{"consent-confirm_replace": "y"}))
    assert response.status_code == 400
    assert ops.current_consent(family.pupil.id, TODAY) == valid


def test_a_weaker_consent_sheet_needs_the_confirmation_and_the_old_one_stays_in_history(client, auth, family):
    valid = give_consent(family, family.pupil, family.parent_a, ["4.3", "6.1", "6.9"])
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/consent"
    weaker = _consent_post(family, **{"consent-actions": ["6.1"], "consent-number": "18"})
    response = client.post(url, data=weaker)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Подтверждаю замену действующего листа согласия" in page and "4.3, 6.9" in page
    db.session.expire_all()
    assert ops.current_consent(family.pupil.id, TODAY) == valid
    assert db.session.scalar(select(ConsentRecord).where(ConsentRecord.number == "18")) is None

    response = client.post(url, data={**weaker, "consent-confirm_replace": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    current = ops.current_consent(family.pupil.id, TODAY)
    assert current.number == "18" and current.granted_codes == {"6.1"}
    assert valid.replaced_by_id == current.id  # kept, marked replaced
    history = client.get(url).get_data(as_text=True)
    assert "заменено" in history and "3 / " in history and "1 / " in history


def test_a_wider_consent_sheet_replaces_without_confirmation(client, auth, family):
    give_consent(family, family.pupil, family.parent_a, ["6.9"])
    auth.login(family.maths_teacher)
    response = client.post(f"/personal-data/students/{family.pupil.id}/consent",
                           data=_consent_post(family, **{"consent-actions": ["6.9", "6.10"]}))
    assert response.status_code == 302
    assert ops.current_consent(family.pupil.id, TODAY).granted_codes == {"6.9", "6.10"}


def test_an_empty_application_is_refused_and_the_valid_one_stays(client, auth, family):
    valid = apply(family, family.pupil, family.parent_a, "print")
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/applications"
    # What the browser sends for the untouched form: the defaults, no scope ticked.
    response = client.post(url, data={"parent": family.parent_a.id, "submitted_on": str(school_date(2026, 11, 2)),
                                      "access_level": "electronic", "delivery": "electronic", "email": ""})
    assert response.status_code == 400
    assert "пустое заявление не записывается" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(ParentApplication)).all() == [valid]
    assert ops.report_delivery(family.parent_a, family.pupil, TODAY) == "print"


def test_a_narrower_application_needs_the_confirmation_and_the_old_one_stays_listed(client, auth, family):
    valid = apply(family, family.pupil, family.parent_a, "print")  # marks, attendance, homework
    auth.login(family.maths_teacher)
    url = f"/personal-data/students/{family.pupil.id}/applications"
    data = {"parent": family.parent_a.id, "submitted_on": str(school_date(2026, 11, 2)),
            "access_level": "none", "delivery": "print", "email": "", "scope": ["marks"]}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Подтверждаю замену действующего заявления" in page
    assert "посещаемость" in page
    db.session.expire_all()
    assert ops.current_application(family.parent_a.id, family.pupil.id, TODAY) == valid
    assert client.post(url, data={**data, "confirm_replace": "y"}).status_code == 302
    db.session.expire_all()
    current = ops.current_application(family.parent_a.id, family.pupil.id, TODAY)
    assert current.scope == ["marks"] and valid.replaced_by_id == current.id
    assert len(ops.applications_of(family.pupil)) == 2


def test_a_consent_is_withdrawn_only_from_its_own_students_page(client, auth, family):
    """The consent named in the form is looked up under the student of the page (loaded through
    policy.checked): another child's sheet is not found there and stays in force."""
    other = family.pupils_5b[0]  # Сидоров Семён, mother parent_b
    consent = give_consent(family, other, family.parent_b, ["6.9"])
    auth.login(family.admin)
    response = client.post(f"/personal-data/students/{family.pupil.id}/consent", data={
        "action": "withdraw", "withdraw-consent_id": consent.id, "withdraw-reason": "Заявление № 7"})
    assert response.status_code == 404
    db.session.refresh(consent)
    assert consent.withdrawn_at is None
