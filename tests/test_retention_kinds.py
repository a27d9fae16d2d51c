"""The retention kinds of the year's-end archive (ARC-2): the personal file of a student who
left is kept 3 years after leaving (001:2.6.12), the uploaded state exam protocol 5 years after
the year's end (001:2.8.5); nothing is destroyed without an approved act; after the approval
the rows and the files are gone and the act lists them; the director's page lists the whole
schedule (the certificate book's 50 years)."""
from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import func, select

from blueprints.archive.retention_records import exam_protocol_path
from domain.retention import add_years
from extensions import db
from jobs import retention as job
from models import EnrolmentEvent
from models.personal_files import PersonalFileYear, PersonalFileYearHistory, PreviousSchoolStatement
from models.retention import DestructionAct
from models.year_archive import StateExamProtocolFile
from tests.access_rules_exams import grade_nine
from tests.clock import TODAY

COMMISSION = "Смирнова А. П., директор\nЧислова В. В., учитель математики\nАдминистраторов А. А., администратор ЭЖ"


def text(response) -> str:
    return response.get_data(as_text=True)


def _left(s, student, years_ago: int, statement: bytes | None = None):
    """The student left `years_ago` years ago (withdrawn), with a year of the personal file and,
    if given, the previous school's statement stored in the upload folder."""
    from flask import current_app

    from blueprints.personal_data.files_operations import STATEMENT_SUBFOLDER

    student.is_withdrawn = True
    db.session.add(EnrolmentEvent(student=student, kind="withdraw", date=add_years(TODAY, -years_ago),
                                  order_number="12-у"))
    entry = PersonalFileYear(school_id=s.school.id, student_id=student.id, year_id=s.year.id, class_name="5Б",
                             marks=[["Математика", "4"]])
    db.session.add(entry)
    db.session.flush()
    db.session.add(PersonalFileYearHistory(entry_id=entry.id, version=1, data={"marks": []}))
    path = None
    if statement is not None:
        folder = os.path.join(current_app.config["UPLOAD_FOLDER"], STATEMENT_SUBFOLDER)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"st-{student.id}.pdf")
        with open(path, "wb") as f:
            f.write(statement)
        db.session.add(PreviousSchoolStatement(school_id=s.school.id, student_id=student.id, issued_by="Школа № 1",
                                               issued_on=add_years(TODAY, -8), file_path=f"st-{student.id}.pdf",
                                               file_name="ведомость.pdf", file_mime="application/pdf"))
    db.session.commit()
    return path


def _run(app, when=None):
    return job.run_scheduled(app, (when or datetime.now(timezone.utc)).replace(microsecond=0))


def _proposed_keys(s) -> set[str]:
    return {r["key"] for act in db.session.scalars(select(DestructionAct).where(DestructionAct.school_id == s.school.id))
            for r in act.records}


def _approve(client, act_id: int, today):
    return client.post(f"/archive/destruction/{act_id}", data={
        "number": "9", "act_date": str(today), "commission": COMMISSION, "confirm": "y"})


def test_the_personal_file_of_a_student_who_left_four_years_ago_is_destroyed_only_by_the_act(app, small_school, client,
                                                                                            auth):
    s = small_school()
    gone, recent = s.pupils_5b[0], s.pupils_5b[1]
    path = _left(s, gone, 4, statement=b"%PDF-1.4 statement")
    _left(s, recent, 2)
    at_school = s.pupils_5a[0]  # still at school, with a personal file: never listed
    db.session.add(PersonalFileYear(school_id=s.school.id, student_id=at_school.id, year_id=s.year.id))
    db.session.commit()
    _run(app)
    keys = _proposed_keys(s)
    assert f"personal_file:{gone.id}" in keys
    assert f"personal_file:{recent.id}" not in keys and f"personal_file:{at_school.id}" not in keys
    # proposed, not destroyed
    assert db.session.scalar(select(func.count()).select_from(PersonalFileYear)
                             .where(PersonalFileYear.student_id == gone.id)) == 1
    assert os.path.exists(path)
    act = db.session.scalar(select(DestructionAct))
    auth.login(s.director)
    assert _approve(client, act.id, TODAY).status_code == 302
    db.session.expire_all()
    for model in (PersonalFileYear, PreviousSchoolStatement):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.student_id == gone.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(PersonalFileYearHistory)) == 1  # the recent one's
    assert not os.path.exists(path)
    assert db.session.scalar(select(func.count()).select_from(PersonalFileYear)
                             .where(PersonalFileYear.student_id == recent.id)) == 1
    act = db.session.get(DestructionAct, act.id)
    destroyed = {d["key"]: d for d in act.summary["destroyed"]}
    assert destroyed[f"personal_file:{gone.id}"]["what"] == {
        "personal_file_history": 1, "personal_file_years": 1, "previous_school_statements": 1}
    page = text(client.get(f"/archive/destruction/{act.id}"))
    assert gone.short_name in page and "Личное дело выбывшего ученика" in page


def _import_protocol(client, s) -> StateExamProtocolFile:
    body = "Номер в алфавитной книге;Предмет;Экзамен;Первичный балл;Отметка\n9-1;Математика;ОГЭ;28;5\n"
    response = client.post("/reports/exams/import", data={"file": (io.BytesIO(body.encode()), "протокол ОГЭ.csv")},
                           content_type="multipart/form-data")
    token = response.location.rsplit("/", 1)[1]
    assert client.post(f"/reports/exams/import/{token}", data={}).status_code == 303
    return db.session.scalar(select(StateExamProtocolFile))


def test_the_exam_protocol_file_is_kept_downloadable_and_destroyed_after_five_years(app, small_school, client, auth):
    from models.exams import ExamResult

    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    protocol = _import_protocol(client, s)
    assert protocol.original_name == "протокол ОГЭ.csv" and protocol.year_id == s.year.id and protocol.kinds == "oge"
    path = exam_protocol_path(protocol.stored_name)
    assert os.path.isfile(path) and len(protocol.sha256) == 64
    download = client.get(f"/reports/exams/protocols/{protocol.id}")
    assert download.status_code == 200 and b"9-1;" in download.data
    assert "no-store" in download.headers["Cache-Control"]
    assert "протокол ОГЭ.csv" in text(client.get("/reports/exams/import"))
    auth.logout()
    auth.login(s.maths_teacher)
    assert client.get(f"/reports/exams/protocols/{protocol.id}").status_code == 403
    auth.logout()

    later = datetime.combine(add_years(s.year.end_date, 4), datetime.min.time(), tzinfo=timezone.utc)
    with time_machine.travel(later + timedelta(days=30), tick=False):
        _run(app)
        assert f"state_exam_protocol:{protocol.id}" not in _proposed_keys(s)  # 4 years: kept
    with time_machine.travel(later + timedelta(days=365 * 2), tick=False):
        _run(app)
        assert f"state_exam_protocol:{protocol.id}" in _proposed_keys(s)
        assert os.path.isfile(path)  # proposed, not destroyed
        act = db.session.scalar(select(DestructionAct).where(DestructionAct.records.is_not(None))
                                .order_by(DestructionAct.id.desc()))
        auth.login(s.director)
        today = (later + timedelta(days=365 * 2)).date()
        assert _approve(client, act.id, today).status_code == 302
    db.session.expire_all()
    protocol = db.session.get(StateExamProtocolFile, protocol.id)
    assert (protocol.status, protocol.destruction_act_id) == ("destroyed", act.id)
    assert not os.path.exists(path)
    assert db.session.scalar(select(func.count()).select_from(ExamResult)) == 1  # the results stay
    act = db.session.get(DestructionAct, act.id)
    assert f"state_exam_protocol:{protocol.id}" in {d["key"] for d in act.summary["destroyed"]}
    auth.logout()
    auth.login(s.deputy)
    assert client.get(f"/reports/exams/protocols/{protocol.id}").status_code == 404


def test_a_refused_import_keeps_no_protocol_file(app, small_school, client, auth, monkeypatch):
    from flask import current_app

    from blueprints.reports import exams_operations
    from domain.messages import Refusal

    keep = exams_operations.keep_protocol_file

    def keep_then_refuse(*args, **kwargs):
        keep(*args, **kwargs)  # the file is written…
        raise Refusal("Отказ после записи файла.", 409)  # …and the import refused before the commit

    monkeypatch.setattr(exams_operations, "keep_protocol_file", keep_then_refuse)
    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    body = "Номер в алфавитной книге;Предмет;Экзамен;Отметка\n9-1;Математика;ОГЭ;5\n"
    token = client.post("/reports/exams/import", data={"file": (io.BytesIO(body.encode()), "p.csv")},
                        content_type="multipart/form-data").location.rsplit("/", 1)[-1]
    assert client.post(f"/reports/exams/import/{token}", data={}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(StateExamProtocolFile)) == 0
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "exam_protocols")
    assert os.path.isdir(folder) and not os.listdir(folder)


def test_the_destruction_page_lists_the_whole_schedule(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    page = text(client.get("/archive/destruction"))
    assert 'id="retention-schedule"' in page
    assert "книга выдачи аттестатов" in page and "50 лет" in page and "001:2.9.4" in page
    assert "личное дело" in page and "3 года" in page and "с выбытия ученика" in page
    assert "протокол ГИА" in page and "001:2.8.5" in page
