"""The personal file (REP-6, PD-8): a year written as a frozen copy (marks, missed lessons split
into illness / unexcused, the council's decision), refilled only with a reason and with history;
the list of files not yet filled; the daily job on the school's date, rerun-safe; the certified
extract of current marks for a student leaving mid-year in the disclosure register; the previous
school's statement of marks checked by its bytes; the year's page as a PDF for the archive."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from blueprints.personal_data import files_operations as ops
from blueprints.personal_data.files_printing import personal_file_extract_pdf
from extensions import db
from jobs import personal_files as job
from models import Attendance, Lesson, Mark, PeriodMark, StudyPeriod, WorkKind
from models.archive import CouncilDecision
from models.jobs import JobRun
from models.pd_register import Disclosure
from models.personal_files import PersonalFileYear, PersonalFileYearHistory, PreviousSchoolStatement
from models.printouts import Printout
from tests.clock import TODAY, school_date
from tests.weekly_fixtures import pdf_pages_text

PDF = b"%PDF-1.4\n% a statement\n"


@pytest.fixture
def school(app, small_school):
    s = small_school()
    s.pupil = s.pupils_5a[0]  # Петров Пётр, 5А, class teacher maths_teacher
    s.year_period = StudyPeriod(year=s.year, scheme="year", number=1, name="Год",
                                start_date=s.year.start_date, end_date=s.year.end_date)
    db.session.add(s.year_period)
    db.session.commit()
    return s


def _year_marks(s, pupil, maths="5", russian="4", english="5"):
    english_a = s.english_5a_g1 if any(m.student_id == pupil.id for m in s.group_1.members) else s.english_5a_g2
    for assignment, subject, value in ((s.maths_5a, s.maths, maths), (s.russian_5a, s.russian, russian),
                                       (english_a, s.english, english)):
        db.session.add(PeriodMark(school_id=s.school.id, student_id=pupil.id, subject_id=subject.id,
                                  period_id=s.year_period.id, assignment_id=assignment.id, value=value))


def _decide(s, pupil, decision="promoted"):
    db.session.add(CouncilDecision(school_id=s.school.id, year_id=s.year.id, student_id=pupil.id,
                                   class_id=s.class_5a.id, decision=decision, protocol_number="7",
                                   protocol_date=school_date(2027, 5, 28)))


def _lesson(s, day, number, assignment=None):
    found = db.session.scalar(select(Lesson).where(Lesson.assignment_id == (assignment or s.maths_5a).id,
                                                   Lesson.date == day, Lesson.lesson_number == number))
    if found is not None:
        return found
    lesson = Lesson(school_id=s.school.id, assignment_id=(assignment or s.maths_5a).id, date=day,
                    lesson_number=number, topic="Тема", given_by_id=s.maths_teacher.id)
    db.session.add(lesson)
    db.session.flush()
    return lesson


def _absences(s, pupil):
    """ill ×2, unexcused ×1, absent (no reason given) ×1, excused ×1, late ×1 (not missed)."""
    for number, code in enumerate(("ill", "ill", "unexcused", "absent", "excused", "late"), start=1):
        lesson = _lesson(s, school_date(2026, 11, 16), number)
        db.session.add(Attendance(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id, code=code))


def _ready(s, pupil=None):
    pupil = pupil or s.pupil
    _year_marks(s, pupil)
    _absences(s, pupil)
    _decide(s, pupil)
    db.session.commit()


def _file(s, pupil=None):
    return f"/personal-data/students/{(pupil or s.pupil).id}/file"


def _fill(client, s, reason=""):
    return client.post(_file(s) + "/fill", data={"fill-year_id": str(s.year.id), "fill-reason": reason})


def _entry(s, pupil=None) -> PersonalFileYear | None:
    db.session.expire_all()
    return db.session.scalar(select(PersonalFileYear).where(PersonalFileYear.student_id == (pupil or s.pupil).id))


# --- Filling a year ----------------------------------------------------------------------------


def test_the_button_writes_the_year_as_a_frozen_copy(client, auth, school):
    _ready(school)
    auth.login(school.maths_teacher)
    response = _fill(client, school)
    assert response.status_code == 303
    entry = _entry(school)
    assert entry.marks == [["Английский язык", "5"], ["Математика", "5"], ["Русский язык", "4"]]
    assert (entry.missed_total, entry.missed_ill, entry.missed_unexcused, entry.missed_excused) == (5, 2, 2, 1)
    assert (entry.decision, entry.protocol_number, entry.protocol_date) == ("promoted", "7", school_date(2027, 5, 28))
    assert entry.book_number == school.pupil.book_number and entry.class_name == "5А"
    assert entry.filled_by_id == school.maths_teacher.id and entry.version == 1
    # a later change in the journal does not change the written year
    mark = db.session.scalar(select(PeriodMark).where(PeriodMark.student_id == school.pupil.id,
                                                      PeriodMark.subject_id == school.maths.id))
    mark.value = "3"
    db.session.commit()
    assert ["Математика", "5"] in _entry(school).marks
    page = client.get(_file(school)).get_data(as_text=True)
    assert "переведён(а) в следующий класс" in page and f"протокол № 7 от {school_date(2027, 5, 28):%d.%m.%Y}" in page
    assert "по болезни 2" in page and "без уважительной причины 2" in page


def test_a_filled_year_is_refilled_only_with_a_reason_and_keeps_its_history(client, auth, school):
    _ready(school)
    auth.login(school.admin)
    assert _fill(client, school).status_code == 303
    mark = db.session.scalar(select(PeriodMark).where(PeriodMark.student_id == school.pupil.id,
                                                      PeriodMark.subject_id == school.maths.id))
    mark.value = "4"
    db.session.commit()
    refused = _fill(client, school)
    assert refused.status_code == 400
    assert "укажите причину повторного заполнения" in refused.get_data(as_text=True)
    assert ["Математика", "5"] in _entry(school).marks and _entry(school).version == 1
    assert _fill(client, school, reason="Исправлена ошибка в годовой отметке").status_code == 303
    entry = _entry(school)
    assert ["Математика", "4"] in entry.marks and entry.version == 2
    assert entry.reason == "Исправлена ошибка в годовой отметке"
    history = db.session.scalars(select(PersonalFileYearHistory)).all()
    assert len(history) == 1 and history[0].version == 1 and ["Математика", "5"] in history[0].data["marks"]
    assert history[0].reason == "Исправлена ошибка в годовой отметке"
    page = client.get(_file(school)).get_data(as_text=True)
    assert "История изменений (1)" in page and "Исправлена ошибка в годовой отметке" in page


def test_a_year_without_the_decision_or_a_year_mark_is_not_filled(client, auth, school):
    _year_marks(school, school.pupil, english="")
    db.session.commit()
    auth.login(school.admin)
    response = _fill(client, school)
    assert response.status_code == 409
    assert "нет годовой отметки: Английский язык" in response.get_data(as_text=True)
    assert _entry(school) is None
    _decide(school, school.pupil)
    db.session.commit()
    page = client.get(_file(school)).get_data(as_text=True)
    assert "нет годовой отметки: Английский язык" in page and "нет решения педагогического совета" not in page


def test_a_teacher_of_another_class_may_not_fill_or_see_the_file(client, auth, school):
    _ready(school)
    auth.login(school.russian_teacher)
    assert client.get(_file(school)).status_code == 403
    assert _fill(client, school).status_code == 403
    assert _entry(school) is None


def test_a_closed_year_is_not_filled(client, auth, school):
    _ready(school)
    school.year.is_closed = True
    db.session.commit()
    auth.login(school.admin)
    response = _fill(client, school)
    assert response.status_code == 409 and "Учебный год закрыт" in response.get_data(as_text=True)
    assert _entry(school) is None


# --- The list of files not yet filled ----------------------------------------------------------


def test_the_unfilled_list_shows_the_class_teachers_classes_and_all_to_administrators(client, auth, school):
    _ready(school)
    auth.login(school.maths_teacher)
    assert _fill(client, school).status_code == 303
    page = client.get("/personal-data/files/unfilled").get_data(as_text=True)
    assert "Алексеева Анна" in page and "Петров Пётр" not in page  # filled: off the list
    assert "Сидоров Семён" not in page and "Петрова Полина" not in page  # other classes
    assert "нет решения педагогического совета" in page
    auth.logout()
    auth.login(school.admin)
    page = client.get("/personal-data/files/unfilled").get_data(as_text=True)
    assert "Сидоров Семён" in page and "Петрова Полина" in page and "Алексеева Анна" in page
    assert "Внести всё готовое сейчас" in page


def test_the_unfilled_list_keeps_its_queries_bounded(client, auth, school, create_student, count_queries):
    auth.login(school.admin)
    client.get("/personal-data/files/unfilled")

    def measure():
        with count_queries() as counter:
            assert client.get("/personal-data/files/unfilled").status_code == 200
        return counter.count

    small = measure()
    for i in range(6):
        create_student(school.school, school.class_5b, f"Новиков{i}", "Никита")
    db.session.commit()
    assert measure() == small


def test_administrators_fill_everything_ready_at_once(client, auth, school):
    _ready(school)
    _ready(school, school.pupils_5a[1])
    auth.login(school.admin)
    response = client.post("/personal-data/files/unfilled/fill", data={})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(PersonalFileYear)) == 2


# --- The job on the school's date --------------------------------------------------------------


def test_the_job_fills_what_is_ready_on_the_schools_date_and_a_rerun_changes_nothing(app, school, monkeypatch):
    _ready(school)
    _year_marks(school, school.pupils_5a[1])  # no decision: not ready
    db.session.commit()
    before = datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert job.run_scheduled(app, before).counts["filled"] == 0  # before 25 June: nothing
    assert _entry(school) is None
    due = ops.rules.fill_date(school.year.end_date, "06-25")
    assert due == school.year.end_date.replace(month=6, day=25)
    monkeypatch.setattr(job, "school_today", lambda tz: due)
    slot = datetime(2027, 6, 25, 3, 30, tzinfo=timezone.utc)
    run = job.run_scheduled(app, slot)
    assert run.counts == {"schools": 1, "filled": 1, "not_ready": 6}  # the other six students of the school
    assert _entry(school).filled_by_name == "автоматически" and _entry(school).filled_by_id is None
    assert job.run_scheduled(app, slot) is None  # the same slot runs once
    again = job.run_scheduled(app, slot + timedelta(days=1))
    assert again.counts["filled"] == 0 and _entry(school).version == 1
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job_id == job.JOB_ID)) == 3


def test_the_schools_date_is_a_setting(app, school, monkeypatch):
    _ready(school)
    school.school.settings = {**(school.school.settings or {}), "personal_file_fill_by": "07-10"}
    db.session.commit()
    monkeypatch.setattr(job, "school_today", lambda tz: school.year.end_date.replace(month=6, day=25))
    assert job.run_scheduled(app, datetime(2027, 6, 25, tzinfo=timezone.utc)).counts["filled"] == 0
    monkeypatch.setattr(job, "school_today", lambda tz: school.year.end_date.replace(month=7, day=10))
    assert job.run_scheduled(app, datetime(2027, 7, 10, tzinfo=timezone.utc)).counts["filled"] == 1


def test_the_settings_page_shows_and_checks_the_date(client, auth, school):
    auth.login(school.admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Итоги года вносятся в личные дела до" in page and "25.06" in page
    refused = client.post("/admin/settings/personal_files", data={"personal_file_fill_by": "31.06"})
    assert refused.status_code == 400 and "Такой даты нет в календаре" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert "personal_file_fill_by" not in (school.school.settings or {})
    assert client.post("/admin/settings/personal_files", data={"personal_file_fill_by": "10.07"}).status_code == 303
    db.session.expire_all()
    assert school.school.settings["personal_file_fill_by"] == "07-10"
    assert "10.07" in client.get("/admin/settings").get_data(as_text=True)


# --- A student leaving mid-year ----------------------------------------------------------------


def test_the_leaving_extract_is_certified_and_in_the_disclosure_register(client, auth, school):
    pupil = school.pupil
    q1 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 1))
    db.session.add(PeriodMark(school_id=school.school.id, student_id=pupil.id, subject_id=school.maths.id,
                              period_id=q1.id, assignment_id=school.maths_5a.id, value="4"))
    test_kind = db.session.scalar(select(WorkKind).where(WorkKind.code == "test"))
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    lesson = _lesson(school, school_date(2026, 11, 17), 1)
    db.session.add(Mark(school_id=school.school.id, lesson_id=lesson.id, student_id=pupil.id,
                        work_kind_id=test_kind.id, value="5"))
    db.session.add(Mark(school_id=school.school.id, lesson_id=lesson.id, student_id=pupil.id,
                        work_kind_id=oral.id, value="3"))
    db.session.add(Attendance(school_id=school.school.id, lesson_id=_lesson(school, school_date(2026, 11, 18), 2).id,
                              student_id=pupil.id, code="ill"))
    db.session.commit()
    auth.login(school.maths_teacher)
    response = client.post(_file(school) + "/leaving-extract",
                           data={"extract-recipient": "Петрова Елена (мать); МБОУ СОШ № 5",
                                 "extract-purpose": "перевод в другую школу"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(pdf_pages_text(response.data))
    for expected in ("Выписка текущих отметок", "Петров Пётр", "Математика", "1 четверть", "4,33",
                     "по болезни 1", "М.П.", "Директор", "Код проверки"):
        assert expected in text, expected
    printout = db.session.scalar(select(Printout).where(Printout.kind == "leaving_extract"))
    assert printout is not None and printout.of["student_id"] == pupil.id
    disclosure = db.session.scalar(select(Disclosure))
    assert disclosure.kind == "print" and disclosure.printout_id == printout.id
    assert disclosure.recipient == "Петрова Елена (мать); МБОУ СОШ № 5" and disclosure.subject_count == 1


def test_the_leaving_extract_needs_its_recipient(client, auth, school):
    auth.login(school.maths_teacher)
    response = client.post(_file(school) + "/leaving-extract", data={"extract-recipient": "", "extract-purpose": "x"})
    assert response.status_code == 400 and "Укажите получателя" in response.get_data(as_text=True)
    assert db.session.scalar(select(Disclosure)) is None and db.session.scalar(select(Printout)) is None


# --- A student arriving: the previous school's statement ---------------------------------------


def _upload(client, s, data=PDF, name="vedomost.pdf", issued_by="МБОУ СОШ № 12 г. Тверь", issued_on="2026-10-30"):
    return client.post(_file(s) + "/statements", content_type="multipart/form-data",
                       data={"statement-issued_by": issued_by, "statement-issued_on": issued_on,
                             "statement-file": (io.BytesIO(data), name)})


def test_the_previous_schools_statement_is_attached_and_downloaded(client, auth, school):
    auth.login(school.maths_teacher)
    assert _upload(client, school).status_code == 303
    statement = db.session.scalar(select(PreviousSchoolStatement))
    assert statement.issued_by == "МБОУ СОШ № 12 г. Тверь" and statement.file_mime == "application/pdf"
    page = client.get(_file(school)).get_data(as_text=True)
    assert "МБОУ СОШ № 12 г. Тверь" in page and "vedomost.pdf" in page
    url = f"{_file(school)}/statements/{statement.id}"
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert "no-store" in download.headers["Cache-Control"]
    auth.logout()
    auth.login(school.russian_teacher)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("data,name,issued_by,issued_on,message", [
    (b"MZ\x90\x00 a program", "vedomost.pdf", "СОШ № 12", "2026-10-30", "не похоже на PDF"),
    (PDF, "vedomost.exe", "СОШ № 12", "2026-10-30", "PDF, JPG или PNG"),
    (PDF, "vedomost.pdf", "", "2026-10-30", "Укажите школу"),
    (PDF, "vedomost.pdf", "СОШ № 12", "", "Укажите дату"),
])
def test_a_bad_statement_is_refused_and_nothing_is_kept(client, auth, school, app, data, name, issued_by,
                                                       issued_on, message):
    import os

    auth.login(school.admin)
    response = _upload(client, school, data, name, issued_by, issued_on)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(PreviousSchoolStatement)) is None
    folder = ops.statement_files(app.config["UPLOAD_FOLDER"]).directory
    assert not os.path.isdir(folder) or not os.listdir(folder)


def test_a_statement_dated_in_the_future_is_refused(client, auth, school):
    auth.login(school.admin)
    response = _upload(client, school, issued_on=(TODAY + timedelta(days=3)).isoformat())
    assert response.status_code == 400 and "позже сегодняшней" in response.get_data(as_text=True)


# --- The year's page for the archive packages --------------------------------------------------


def test_the_years_page_as_pdf_for_the_archive_is_not_recorded(app, school):
    _ready(school)
    with app.test_request_context():
        ops.fill(school.pupil, school.year, school.admin)
        db.session.commit()
        pdf = personal_file_extract_pdf(school.pupil, school.year)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(pdf_pages_text(pdf))
    for expected in ("Личное дело обучающегося", "Петров Пётр", "5А", "Математика", "переведён(а) в следующий класс",
                     "протокол № 7", f"от {school_date(2027, 5, 28):%d.%m.%Y}", "по болезни 2", "Архивная копия"):
        assert expected in text, expected
    assert db.session.scalar(select(func.count()).select_from(Printout)) == 0
