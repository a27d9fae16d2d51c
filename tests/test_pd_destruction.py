"""Withdrawal of consent → destruction within working days, with the act (PD-2, 003 Приложение 2;
152-ФЗ ст. 21 ч. 5; Приказ Роскомнадзора от 28.10.2022 № 179)."""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations as journal_ops
from blueprints.personal_data import destruction_operations as dops
from blueprints.personal_data import operations as pd_ops
from extensions import db
from jobs.weekly_reports import plan_school
from models import AdminAlert, Mark, ParentLink, WorkKind
from models.pd_destruction import CalendarCorrection, DestructionTask
from models.pd_register import AccessLogEntry
from models.personal_data import ConsentRecord, StudentProfile
from models.printouts import Printout
from tests.clock import school_date
from tests.weekly_fixtures import pdf_pages_text
from utils import consents
from utils.pd_access import verify_chain
from utils.timeutil import school_today

MSK = ZoneInfo("Europe/Moscow")
FRIDAY_BEFORE_HOLIDAY = datetime(2026, 2, 20, 15, 0, tzinfo=MSK)  # Monday 23.02 is a day off


def _today():
    return school_today("Europe/Moscow")


def _consent(s, student, parent, codes=("1.2", "1.3", "4.3", "5.1", "5.2", "6.1", "6.4", "6.6", "6.9"),
             given_on=date(2026, 2, 1)):
    consent = pd_ops.record_consent(student, parent.id, set(codes), given_on, None, "7", s.admin,
                                    max(given_on, _today()))
    db.session.commit()
    return consent


@pytest.fixture
def school(small_school):
    s = small_school()
    s.petrov = s.pupils_5a[0]  # parent_a's son; maths_teacher is the class teacher of 5А
    return s


# --- The due date ---------------------------------------------------------------------------------


def test_a_withdrawal_on_a_friday_before_a_holiday_is_due_in_working_days(app, school):
    consent = _consent(school, school.petrov, school.parent_a)
    task = pd_ops.withdraw_consent(consent, school.parent_a, "заявление", at=FRIDAY_BEFORE_HOLIDAY)
    db.session.commit()
    assert (task.withdrawn_on, task.due_on, task.due_rule) == (date(2026, 2, 20), date(2026, 3, 10), "working_days")
    assert task.status == "open" and task.consent_id == consent.id


def test_the_schools_transferred_working_saturday_shortens_the_term(app, school):
    db.session.add(CalendarCorrection(school_id=school.school.id, day=date(2026, 2, 28), is_working=True, note="перенос"))
    consent = _consent(school, school.petrov, school.parent_a)
    task = pd_ops.withdraw_consent(consent, school.admin, "заявление", at=FRIDAY_BEFORE_HOLIDAY)
    assert task.due_on == date(2026, 3, 6)


def test_the_legal_calendar_days_win_when_they_are_stricter(app, school):
    school.school.settings = {"pd_destroy_calendar_days_legal": 12}
    consent = _consent(school, school.petrov, school.parent_a)
    task = pd_ops.withdraw_consent(consent, school.admin, "заявление", at=FRIDAY_BEFORE_HOLIDAY)
    assert (task.due_on, task.due_rule) == (date(2026, 3, 4), "legal")


# --- The parent's withdrawal ----------------------------------------------------------------------


def _email_delivery(s):
    now = datetime.now(MSK)
    plan = plan_school(s.school, now, "Europe/Moscow")
    return [r.delivery for c in plan.classes for sid, rs in c.recipients.items() if sid == s.petrov.id for r in rs]


def test_a_parent_withdraws_from_their_page_and_processing_stops_at_once(app, client, auth, school):
    pd_ops.record_application(school.petrov, school.parent_a.id, _today(), "none", "email", "petrova@example.ru",
                              ["marks"], school.admin, _today())
    consent = _consent(school, school.petrov, school.parent_a, given_on=_today() - timedelta(days=3))
    assert _email_delivery(school) == ["email"]
    auth.login(school.parent_a)
    page = client.get("/personal-data/my").get_data(as_text=True)
    assert f"/personal-data/my/consents/{consent.id}/withdraw" in page and "Подтверждаю отзыв согласия" in page

    response = client.post(f"/personal-data/my/consents/{consent.id}/withdraw", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    consent = db.session.get(ConsentRecord, consent.id)
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == school.parent_a.id
    assert consents.consents_in_force([school.petrov.id], _today()) == {}
    assert consents.withdrawn([school.petrov.id], _today()) == {school.petrov.id}
    # the weekly job no longer e-mails the report: no consent to 6.9 in force
    assert _email_delivery(school) == ["print_no_consent"]
    task = db.session.scalar(select(DestructionTask).where(DestructionTask.consent_id == consent.id))
    assert task is not None and task.is_open and task.withdrawn_on == _today()


@pytest.mark.parametrize("case", ["other_family", "forged_id", "not_confirmed"])
def test_a_withdrawal_for_another_family_forged_or_unconfirmed_is_refused_and_changes_nothing(
        app, client, auth, school, case):
    consent = _consent(school, school.petrov, school.parent_a)
    auth.login(school.parent_b if case == "other_family" else school.parent_a)
    consent_id = 987654 if case == "forged_id" else consent.id
    data = {} if case == "not_confirmed" else {"confirm": "y"}
    response = client.post(f"/personal-data/my/consents/{consent_id}/withdraw", data=data)
    expected = {"other_family": (403, "не относится к вашим детям"), "forged_id": (404, "Такого согласия нет"),
                "not_confirmed": (400, "Подтвердите отзыв")}[case]
    assert response.status_code == expected[0] and expected[1] in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ConsentRecord, consent.id).withdrawn_at is None
    assert db.session.scalar(select(func.count(DestructionTask.id))) == 0


def test_the_class_teachers_paper_withdrawal_opens_the_task_too(app, client, auth, school):
    consent = _consent(school, school.petrov, school.parent_a)
    auth.login(school.maths_teacher)
    response = client.post(f"/personal-data/students/{school.petrov.id}/consent",
                           data={"action": "withdraw", "withdraw-consent_id": consent.id,
                                 "withdraw-reason": "заявление от 20.02.2026"})
    assert response.status_code == 302
    task = db.session.scalar(select(DestructionTask).where(DestructionTask.consent_id == consent.id))
    assert task is not None and task.student_id == school.petrov.id


# --- Execution and the act ------------------------------------------------------------------------


def _stored(app, relpath: str, data: bytes) -> str:
    path = os.path.join(app.config["UPLOAD_FOLDER"], relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


@pytest.fixture
def withdrawn(app, school):
    """Петров's card filled in, a mark in the journal, a scanned sheet, then the withdrawal."""
    s = school
    photo = _stored(app, "photos/petrov.jpg", b"\xff\xd8\xff photo")
    scan = _stored(app, "consents/petrov.pdf", b"%PDF-1.4 scan")
    db.session.add(StudentProfile(
        school_id=s.school.id, student_id=s.petrov.id, snils="112-233-445 95", snils_index="abc",
        home_address="г. Одинцово, ул. Лесная, д. 5", phone="+7 900 000-00-00", arrival_note="прибыл из школы № 2",
        medical_notes="аллергия", photo_path="photos/petrov.jpg", photo_mime="image/jpeg",
    ))
    kind = db.session.scalars(select(WorkKind)).first()
    lesson = journal_ops.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 20), 2, "Дроби", [kind])
    db.session.commit()
    journal_ops.save_cell(lesson, s.petrov, s.maths_teacher, "5", "k-petrov", None)
    consent = _consent(s, s.petrov, s.parent_a)
    consent.scan_path, consent.scan_name, consent.scan_mime = "consents/petrov.pdf", "лист.pdf", "application/pdf"
    s.task = pd_ops.withdraw_consent(consent, s.parent_a, "письменное заявление", at=FRIDAY_BEFORE_HOLIDAY)
    db.session.commit()
    s.photo, s.scan = photo, scan
    return s


def test_the_task_page_lists_what_is_destroyed_and_what_is_kept_with_its_ground(app, client, auth, withdrawn):
    auth.login(withdrawn.director)
    page = client.get(f"/personal-data/destruction/{withdrawn.task.id}").get_data(as_text=True)
    assert "СНИЛС" in page and "Адрес проживания" in page and "Медицинские сведения" in page
    assert "273-ФЗ" in page and "Отметки" in page and "Сведения о прибытии и выбытии" in page
    assert "112-233-445 95" not in page  # names of the fields, never the values
    assert "10.03.2026" in page and "Подтверждаю уничтожение данных" in page


def test_execution_needs_the_confirmation(app, client, auth, withdrawn):
    auth.login(withdrawn.director)
    response = client.post(f"/personal-data/destruction/{withdrawn.task.id}", data={})
    assert response.status_code == 400 and "Подтвердите уничтожение" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DestructionTask, withdrawn.task.id).is_open
    assert db.session.scalar(select(StudentProfile.phone)) == "+7 900 000-00-00"
    assert os.path.exists(withdrawn.photo)


def test_execution_destroys_keeps_the_marks_and_produces_the_act(app, client, auth, withdrawn):
    s = withdrawn
    auth.login(s.director)
    response = client.post(f"/personal-data/destruction/{s.task.id}", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.scalar(select(StudentProfile).where(StudentProfile.student_id == s.petrov.id))
    assert (profile.snils, profile.snils_index, profile.home_address, profile.phone, profile.medical_notes) == ("", "", "", "", "")
    assert profile.photo_path == "" and not os.path.exists(s.photo) and not os.path.exists(s.scan)
    assert profile.arrival_note == "прибыл из школы № 2"  # the alphabetical book keeps it
    assert db.session.scalar(select(ConsentRecord.scan_path)) == ""
    assert db.session.scalar(select(func.count(Mark.id)).where(Mark.student_id == s.petrov.id)) == 1
    task = db.session.get(DestructionTask, s.task.id)
    assert task.status == "done" and task.executed_by_id == s.director.id and task.act_printout_id
    assert {d["field"] for d in task.summary["destroyed"]} == {"snils", "home_address", "phone", "medical_notes", "photo_path"}
    assert {k["field"] for k in task.summary["kept"]} >= {"arrival_note", "marks", "student"}
    entry = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "destroy")).one()
    assert entry.student_ids == [s.petrov.id] and entry.user_id == s.director.id
    assert verify_chain(s.school.id) == []

    act = client.get(f"/personal-data/destruction/{s.task.id}/act")
    assert act.status_code == 200 and act.mimetype == "application/pdf" and act.data.startswith(b"%PDF")
    printout = db.session.get(Printout, task.act_printout_id)
    assert printout.kind == "pd_destruction_act"
    flat = " ".join(_pdf_text(act.data).split())
    assert "Акт об уничтожении персональных данных" in flat and "Петров Пётр" in flat
    assert "СНИЛС" in flat and "Медицинские сведения" in flat
    assert "Отметки, отметки за периоды" in flat and "273-ФЗ" in flat
    assert "Выгрузка из журнала регистрации событий" in flat and "(destroy)" in flat and "(withdraw)" in flat
    assert "лист согласия №" in flat and "карточка обучающегося №" in flat
    again = client.post(f"/personal-data/destruction/{s.task.id}", data={"confirm": "y"})
    assert again.status_code == 400 and "уже выполнена" in again.get_data(as_text=True)


def _pdf_text(data: bytes) -> str:
    """pdftotext when the machine has it, else pypdf."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return "\n".join(pdf_pages_text(data))


# --- The list, overdue tasks and the director ----------------------------------------------------


def test_the_list_shows_days_left_and_highlights_overdue_tasks_in_bounded_queries(
        app, client, auth, school, count_queries):
    s = school
    for student in s.pupils_5a[1:3]:
        db.session.add(ParentLink(parent_id=s.parent_a.id, student_id=student.id, relation="мать"))
    for student in s.pupils_5a[:3]:
        consent = _consent(s, student, s.parent_a)
        pd_ops.withdraw_consent(consent, s.admin, "заявление")
    db.session.commit()
    first = db.session.scalars(select(DestructionTask).order_by(DestructionTask.id)).first()
    first.due_on = _today() - timedelta(days=1)
    db.session.commit()
    auth.login(s.director)
    client.get("/personal-data/destruction")
    with count_queries() as counter:
        page = client.get("/personal-data/destruction").get_data(as_text=True)
    assert counter.count <= 14, counter.statements
    assert page.count("pd-overdue") == 1 and "просрочено" in page
    second = db.session.scalars(select(DestructionTask).order_by(DestructionTask.id)).all()[1]
    if second.due_rule == "working_days":  # withdrawn today: the whole term of 10 working days is left
        assert "<td>10</td>" in page
    assert s.pupils_5a[1].full_name in page


def test_an_overdue_task_raises_one_alert_and_a_rerun_adds_none(app, withdrawn):
    task = withdrawn.task
    assert dops.alert_overdue(lambda school: date(2026, 3, 10)) == 0  # due today: not yet overdue
    assert dops.alert_overdue(lambda school: date(2026, 3, 11)) == 1
    db.session.commit()
    assert dops.alert_overdue(lambda school: date(2026, 3, 12)) == 0
    alerts = db.session.scalars(select(AdminAlert).where(AdminAlert.kind == dops.OVERDUE_ALERT)).all()
    assert len(alerts) == 1 and "Петров Пётр" in alerts[0].message and "10.03.2026" in alerts[0].message
    assert db.session.get(DestructionTask, task.id).overdue_alert_id == alerts[0].id


def test_staff_not_named_in_the_order_are_refused(app, client, auth, withdrawn, create_user):
    outsider = create_user(withdrawn.school, "director", login="director2", pd_categories=())
    db.session.commit()
    auth.login(outsider)
    for url in ("/personal-data/destruction", f"/personal-data/destruction/{withdrawn.task.id}"):
        response = client.get(url)
        assert response.status_code == 403 and "приказ" in response.get_data(as_text=True)


# --- The school's corrections of the calendar -----------------------------------------------------


def test_corrections_are_added_refused_when_pointless_and_removed_with_confirmation(app, client, auth, school):
    auth.login(school.director)
    page = client.get("/personal-data/calendar").get_data(as_text=True)
    assert "Новогодние каникулы" in page and "Поправок нет" in page
    response = client.post("/personal-data/calendar", data={"day": "2026-02-28", "is_working": "1", "note": "перенос"})
    assert response.status_code == 302
    refused = client.post("/personal-data/calendar", data={"day": "2026-02-24", "is_working": "1"})
    assert refused.status_code == 400 and "и так рабочий" in refused.get_data(as_text=True)
    correction = db.session.scalars(select(CalendarCorrection)).one()
    assert (correction.day, correction.is_working) == (date(2026, 2, 28), True)
    assert client.post(f"/personal-data/calendar/{correction.id}/delete", data={}).status_code == 400
    assert db.session.scalar(select(func.count(CalendarCorrection.id))) == 1
    assert client.post(f"/personal-data/calendar/{correction.id}/delete", data={"confirm": "y"}).status_code == 302
    assert db.session.scalar(select(func.count(CalendarCorrection.id))) == 0


def test_the_daily_job_alerts_once_per_overdue_task_and_the_director_sees_it_at_home(app, client, auth, withdrawn):
    from jobs.pd_destruction import run_scheduled

    task = db.session.get(DestructionTask, withdrawn.task.id)
    task.due_on = _today() - timedelta(days=2)
    db.session.commit()
    first = run_scheduled(app, datetime.now(MSK).replace(microsecond=0))
    assert first.status == "succeeded" and first.counts == {"alerts": 1}
    again = run_scheduled(app, datetime.now(MSK).replace(microsecond=0) + timedelta(days=1))
    assert again.counts == {"alerts": 0}
    assert db.session.scalar(select(func.count(AdminAlert.id)).where(AdminAlert.kind == dops.OVERDUE_ALERT)) == 1
    auth.login(withdrawn.director)
    home = client.get("/").get_data(as_text=True)
    assert "Просрочено уничтожение персональных данных" in home
    assert f"/personal-data/destruction/{task.id}" in home
