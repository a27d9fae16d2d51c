"""The subjects' requests (PD-7; 152-ФЗ art. 14, 20): a parent's page of everything held about
the child, the correction request decided within a month, the extract given at once."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select, text

from domain import pd_requests as rules
from extensions import db
from models.pd_register import Disclosure
from models.pd_requests import CorrectionRequest, SubjectRequest
from models.personal_data import StudentProfile
from tests.clock import school_date

P = "/personal-data"


def test_a_correction_is_due_in_a_month_and_an_extract_in_ten_working_days():
    assert rules.correction_due(date(2026, 11, 29)) == date(2026, 12, 29)
    assert rules.correction_due(date(2027, 1, 31)) == date(2027, 2, 28)
    assert rules.correction_due(date(2026, 12, 15)) == date(2027, 1, 15)
    assert rules.extract_due(date(2026, 11, 27)) == date(2026, 12, 11)  # a Friday: two weeks
    assert rules.days_left(date(2026, 12, 1), date(2026, 12, 3)) == -2


def _card(student, **values):
    profile = StudentProfile(school_id=student.school_id, student_id=student.id, **values)
    db.session.add(profile)
    db.session.commit()
    return profile


def test_parent_sees_everything_held_about_own_child(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    _card(child, home_address="ул. Ленина, 1, кв. 2", snils="123-456-789 00")
    auth.login(school.parent_a)
    page = client.get(f"{P}/my/students/{child.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert child.full_name in html and "ул. Ленина, 1, кв. 2" in html and "123-456-789 00" in html
    assert school.parent_a.full_name in html


def test_another_familys_child_is_refused_and_nothing_changes(client, auth, small_school):
    school = small_school()
    other = school.pupils_5b[0]  # Сидоров Семён, parent_b's
    auth.login(school.parent_a)
    assert client.get(f"{P}/my/students/{other.id}").status_code == 403
    assert client.post(f"{P}/my/students/{other.id}/corrections",
                       data={"field": "last_name", "value": "X"}).status_code == 403
    assert client.post(f"{P}/my/students/{other.id}/extract").status_code == 403
    assert client.get(f"{P}/my/students/999999").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CorrectionRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(SubjectRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(Disclosure)) == 0


def _ask(client, child, field="home_address", value="ул. Мира, 5"):
    return client.post(f"{P}/my/students/{child.id}/corrections", data={"field": field, "value": value, "comment": "переехали"})


def test_correction_request_is_kept_encrypted_with_its_deadline(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    auth.login(school.parent_a)
    assert _ask(client, child).status_code == 303
    row = db.session.scalars(select(CorrectionRequest)).one()
    assert row.value == "ул. Мира, 5" and row.status == "pending" and row.requested_by_id == school.parent_a.id
    assert row.due_on == rules.correction_due(row.submitted_at.date()) or (row.due_on - row.submitted_at.date()).days in range(27, 32)
    raw = db.session.execute(text("SELECT value FROM correction_request")).scalar()
    assert "Мира" not in raw
    assert _ask(client, child, field="password_hash").status_code == 400
    assert _ask(client, child, value="  ").status_code == 400
    assert _ask(client, child, field="birth_date", value="32.13.2015").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CorrectionRequest)) == 1


def test_class_teacher_applies_a_correction_and_the_parent_sees_it(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    _card(child, home_address="ул. Ленина, 1")
    auth.login(school.parent_a)
    _ask(client, child)
    _ask(client, child, field="birth_date", value="01.02.2015")
    auth.logout()
    auth.login(school.maths_teacher)  # class teacher of 5А
    listing = client.get(f"{P}/corrections").get_data(as_text=True)
    assert child.full_name in listing and "осталось" in listing
    rows = db.session.scalars(select(CorrectionRequest).order_by(CorrectionRequest.id)).all()
    for row in rows:
        assert client.post(f"{P}/corrections/{row.id}/apply").status_code == 303
    db.session.expire_all()
    profile = db.session.scalars(select(StudentProfile).where(StudentProfile.student_id == child.id)).one()
    assert profile.home_address == "ул. Мира, 5"
    assert child.birth_date == date(2015, 2, 1)
    first = db.session.get(CorrectionRequest, rows[0].id)
    assert first.status == "applied" and first.previous_value == "ул. Ленина, 1" and first.decided_by_id == school.maths_teacher.id
    # decided once only
    assert client.post(f"{P}/corrections/{rows[0].id}/apply").status_code == 303
    assert db.session.get(CorrectionRequest, rows[0].id).decided_at == first.decided_at


def test_rejection_needs_a_reason_which_the_parent_sees(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    auth.login(school.parent_a)
    _ask(client, child, field="last_name", value="Иванов")
    auth.logout()
    auth.login(school.director)
    row = db.session.scalars(select(CorrectionRequest)).one()
    client.post(f"{P}/corrections/{row.id}/reject", data={"reason": "  "})
    db.session.expire_all()
    assert db.session.get(CorrectionRequest, row.id).status == "pending"
    client.post(f"{P}/corrections/{row.id}/reject", data={"reason": "Нет свидетельства о рождении"})
    db.session.expire_all()
    assert db.session.get(CorrectionRequest, row.id).status == "rejected"
    assert child.last_name != "Иванов"
    auth.logout()
    auth.login(school.parent_a)
    page = client.get(f"{P}/my/students/{child.id}").get_data(as_text=True)
    assert "отклонено" in page and "Нет свидетельства о рождении" in page


def test_other_class_teacher_may_not_decide(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    auth.login(school.parent_a)
    _ask(client, child)
    auth.logout()
    auth.login(school.primary_teacher)  # class teacher of 1А, not of 5А
    row = db.session.scalars(select(CorrectionRequest)).one()
    assert child.full_name not in client.get(f"{P}/corrections").get_data(as_text=True)
    assert client.post(f"{P}/corrections/{row.id}/apply").status_code == 403
    db.session.expire_all()
    assert db.session.get(CorrectionRequest, row.id).status == "pending"


def test_overdue_correction_is_highlighted(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    db.session.add(CorrectionRequest(school_id=child.school_id, student_id=child.id, requested_by_id=school.parent_a.id,
                                     field="phone", value="+7 900 000-00-00", due_on=school_date(2020, 1, 1)))
    db.session.commit()
    auth.login(school.director)
    html = client.get(f"{P}/corrections").get_data(as_text=True)
    assert 'class="overdue"' in html and "просрочено" in html


def test_extract_is_given_at_once_and_recorded_as_a_disclosure(client, auth, small_school):
    school = small_school()
    child = school.pupils_5a[0]
    _card(child, snils="123-456-789 00")
    auth.login(school.parent_a)
    assert client.post(f"{P}/my/students/{child.id}/extract").status_code == 303
    request_row = db.session.scalars(select(SubjectRequest)).one()
    assert request_row.answered_at is not None
    assert request_row.due_on == rules.extract_due(request_row.submitted_at.date()) or request_row.due_on > request_row.submitted_at.date()
    disclosure = db.session.get(Disclosure, request_row.disclosure_id)
    assert disclosure.kind == "extract" and disclosure.recipient == school.parent_a.full_name
    assert [s.student_id for s in disclosure.subjects] == [child.id]
    data = json.loads(client.get(f"{P}/my/requests/{request_row.id}/extract.json").data)
    assert data["student"]["last_name"] == child.last_name and data["card"]["snils"] == "123-456-789 00"
    assert any(d["kind"] == "extract" for d in data["disclosures"])
    pdf = client.get(f"{P}/my/requests/{request_row.id}/extract.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    auth.logout()
    auth.login(school.parent_b)
    assert client.get(f"{P}/my/requests/{request_row.id}/extract.json").status_code == 403


def test_parent_and_staff_find_the_pages(client, auth, small_school):
    school = small_school()
    auth.login(school.parent_a)
    my = client.get(f"{P}/my").get_data(as_text=True)
    assert f"{P}/my/students/{school.pupils_5a[0].id}" in my
    auth.logout()
    auth.login(school.director)
    home = client.get("/").get_data(as_text=True)
    assert f"{P}/disclosures" in home and f"{P}/corrections" in home


def test_corrections_list_keeps_its_queries_bounded(client, auth, small_school, count_queries):
    school = small_school()

    def add(n):
        for student in school.pupils_5a[:n]:
            db.session.add(CorrectionRequest(school_id=student.school_id, student_id=student.id,
                                             requested_by_id=school.parent_a.id, field="phone", value="+7 900",
                                             due_on=school_date(2026, 12, 29)))
        db.session.commit()

    add(1)
    auth.login(school.director)
    client.get(f"{P}/corrections")
    with count_queries() as few:
        client.get(f"{P}/corrections")
    add(len(school.pupils_5a))
    with count_queries() as many:
        client.get(f"{P}/corrections")
    assert many.count == few.count
