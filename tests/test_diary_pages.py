"""The diary pages (DIA-1 … DIA-5, ADM-6): parents see their own children only, a mark saved
in the journal shows on the week and marks pages with its kind of work, absence notes change
Н into Б with history, and the pages' query counts do not grow with lessons and marks."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from blueprints.journal import operations
from extensions import db
from models import Attendance, JournalChange, Mark, School, Student, StudyPeriod, WorkKind
from models.diary import AbsenceNote
from tests.clock import school_date

DAY = school_date(2026, 11, 20)  # Friday of the second quarter
MONDAY = school_date(2026, 11, 16)


@pytest.fixture
def diary(app, small_school):
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.pupil = s.pupils_5a[0]  # Петров Пётр, son of parent_a
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, DAY, 2, "Дроби", [s.kinds["test"], s.kinds["oral"]])
    db.session.commit()
    return s


def week_url(student, day=DAY):
    return f"/diary/students/{student.id}/week?date={day.isoformat()}"


def test_parent_of_two_sees_both_children_and_only_them(client, auth, diary):
    auth.login(diary.parent_a)
    page = client.get("/diary/").get_data(as_text=True)
    assert "Петров Пётр" in page and "Петрова Полина" in page
    assert "Сидоров" not in page and "Алексеева" not in page
    week = client.get(week_url(diary.pupil)).get_data(as_text=True)
    # tabs at the top switch between the two children
    assert f"/diary/students/{diary.pupil_1a.id}/week" in week
    assert f"/diary/students/{diary.pupils_5b[0].id}/" not in week


def test_parent_of_one_child_has_no_tabs(client, auth, diary):
    auth.login(diary.parent_b)
    page = client.get(f"/diary/students/{diary.pupils_5b[0].id}/week").get_data(as_text=True)
    assert 'class="diary-children"' not in page


@pytest.mark.parametrize("login", ["parent_b", "student_5b"])
@pytest.mark.parametrize("page", ["week", "marks", "attendance", "results", "schedule", "absence-notes"])
def test_another_familys_child_is_refused_by_direct_url(client, auth, diary, login, page):
    user = diary.parent_b if login == "parent_b" else diary.pupils_5b[0].user
    auth.login(user)
    assert client.get(f"/diary/students/{diary.pupil.id}/{page}").status_code in (403, 404)


def test_student_of_another_school_is_not_found(client, auth, diary):
    other = School(name="Школа № 2", short_name="СОШ № 2")
    db.session.add(other)
    db.session.flush()
    stranger = Student(school_id=other.id, last_name="Чужой", first_name="Иван", book_number="9999")
    db.session.add(stranger)
    db.session.commit()
    auth.login(diary.parent_a)
    assert client.get(f"/diary/students/{stranger.id}/week").status_code == 404
    assert client.get("/diary/students/999999/week").status_code == 404


def test_bad_date_is_a_russian_400(client, auth, diary):
    auth.login(diary.parent_a)
    response = client.get(f"/diary/students/{diary.pupil.id}/week?date=20-11-2026")
    assert response.status_code == 400 and "Дата указана неверно" in response.get_data(as_text=True)
    assert client.get(f"/diary/students/{diary.pupil.id}/marks?period=abc").status_code == 400


def test_mark_saved_in_the_journal_appears_with_its_kind_of_work(client, auth, diary):
    operations.save_cell(diary.lesson, diary.pupil, diary.maths_teacher, "5/4", "k1", None)
    db.session.commit()
    auth.login(diary.parent_a)
    week = client.get(week_url(diary.pupil)).get_data(as_text=True)
    assert "Дроби" in week and "Контрольная работа" in week and "Устный ответ" in week
    assert '>5</span><small>Контрольная работа</small>' in week
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    marks = client.get(f"/diary/students/{diary.pupil.id}/marks?period={period.id}").get_data(as_text=True)
    assert "Математика" in marks and "4,67" in marks and "Контрольная работа" in marks
    assert "Выходит «5»; мало отметок для аттестации" in marks
    # the other child of the same family has none of it
    other = client.get(week_url(diary.pupils_5a[1])).status_code
    assert other == 403


def test_absences_show_the_schools_own_notations_as_the_journal_does(client, auth, diary):
    school = db.session.get(School, diary.pupil.school_id)
    school.settings = {**(school.settings or {}), "notations": {"absent": "отс", "late": "опозд"}}
    db.session.commit()
    operations.save_cell(diary.lesson, diary.pupil, diary.maths_teacher, "отс", "k1", None)
    db.session.commit()
    auth.login(diary.parent_a)
    week = client.get(week_url(diary.pupil)).get_data(as_text=True)
    assert '<span class="att att-absent" title="Посещаемость">отс</span>' in week
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    page = client.get(f"/diary/students/{diary.pupil.id}/attendance?period={period.id}").get_data(as_text=True)
    assert '<span class="att att-absent">отс</span> Отсутствовал(а), причина не указана: <strong>1</strong>' in page
    assert '<span class="att att-late">опозд</span>' in page and ">Н<" not in page


def test_absence_note_accepted_turns_absences_into_ill_with_history(client, auth, diary):
    operations.save_cell(diary.lesson, diary.pupil, diary.maths_teacher, "н", "k1", None)
    russian = operations.create_lesson(diary.russian_5a, diary.russian_teacher, DAY, 3, "Падежи", [diary.kinds["oral"]])
    operations.save_cell(russian, diary.pupil, diary.russian_teacher, "5", "k2", None)  # present, a mark
    db.session.commit()
    auth.login(diary.parent_a)
    response = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                           data={"date_from": DAY.isoformat(), "date_to": DAY.isoformat(), "reason": "ill", "comment": "ОРВИ"})
    assert response.status_code == 303
    note = db.session.scalar(select(AbsenceNote))
    assert note.status == "submitted" and note.parent_id == diary.parent_a.id
    auth.logout()
    auth.login(diary.maths_teacher)  # class teacher of 5А
    page = client.get(f"/diary/classes/{diary.class_5a.id}/absence-notes").get_data(as_text=True)
    assert "Петров Пётр" in page and "ОРВИ" in page
    response = client.post(f"/diary/absence-notes/{note.id}/accept", data={"comment": ""})
    assert response.status_code == 303
    row = db.session.scalar(select(Attendance).where(Attendance.student_id == diary.pupil.id))
    assert row.code == "ill"
    change = db.session.scalar(select(JournalChange).where(JournalChange.entity == "attendance", JournalChange.action == "update"))
    assert change.before == {"code": "absent"} and change.after == {"code": "ill"}
    assert change.reason.startswith("Заявление родителя") and change.user_id == diary.maths_teacher.id
    assert [m.value for m in db.session.scalars(select(Mark).where(Mark.student_id == diary.pupil.id))] == ["5"]
    assert db.session.get(AbsenceNote, note.id).status == "accepted"
    # a second decision is refused
    client.post(f"/diary/absence-notes/{note.id}/reject", data={"comment": "нет"})
    assert db.session.get(AbsenceNote, note.id).status == "accepted"


def test_rejected_note_changes_nothing_but_its_status(client, auth, diary):
    operations.save_cell(diary.lesson, diary.pupil, diary.maths_teacher, "н", "k1", None)
    note = AbsenceNote(school_id=diary.school.id, student_id=diary.pupil.id, parent_id=diary.parent_a.id,
                       date_from=DAY, date_to=DAY, reason="excused")
    db.session.add(note)
    db.session.commit()
    changes_before = db.session.scalar(select(func.count()).select_from(JournalChange))
    auth.login(diary.maths_teacher)
    assert client.post(f"/diary/absence-notes/{note.id}/reject", data={"comment": ""}).status_code == 303
    assert db.session.get(AbsenceNote, note.id).status == "submitted"  # a rejection needs a reason
    assert client.post(f"/diary/absence-notes/{note.id}/reject", data={"comment": "Справки нет"}).status_code == 303
    note = db.session.get(AbsenceNote, note.id)
    assert note.status == "rejected" and note.decision_comment == "Справки нет"
    assert db.session.scalar(select(Attendance.code).where(Attendance.student_id == diary.pupil.id)) == "absent"
    assert db.session.scalar(select(func.count()).select_from(JournalChange)) == changes_before


def test_accepting_leaves_a_closed_period_alone_and_says_so(client, auth, diary):
    operations.save_cell(diary.lesson, diary.pupil, diary.maths_teacher, "нп", "k1", None)
    db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2)).is_closed = True
    note = AbsenceNote(school_id=diary.school.id, student_id=diary.pupil.id, parent_id=diary.parent_a.id,
                       date_from=DAY, date_to=DAY, reason="excused")
    db.session.add(note)
    db.session.commit()
    auth.login(diary.maths_teacher)
    response = client.post(f"/diary/absence-notes/{note.id}/accept", data={}, follow_redirects=True)
    assert "закрытом периоде" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attendance.code).where(Attendance.student_id == diary.pupil.id)) == "unexcused"
    assert db.session.get(AbsenceNote, note.id).status == "accepted"


def test_only_the_class_teacher_decides(client, auth, diary):
    note = AbsenceNote(school_id=diary.school.id, student_id=diary.pupil.id, parent_id=diary.parent_a.id,
                       date_from=DAY, date_to=DAY, reason="ill")
    db.session.add(note)
    db.session.commit()
    for user in (diary.russian_teacher, diary.deputy, diary.parent_a, diary.primary_teacher):
        auth.login(user)
        assert client.post(f"/diary/absence-notes/{note.id}/accept").status_code == 403
        auth.logout()
    assert db.session.get(AbsenceNote, note.id).status == "submitted"


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        (str(school_date(2026, 11, 20)), str(school_date(2026, 11, 19)), "позже последнего"),
        (str(school_date(2026, 11, 1)), str(school_date(2026, 12, 15)), "не больше 30 дней"),
        (str(school_date(2027, 6, 10)), str(school_date(2027, 6, 11)), "текущего учебного года"),
        ("", str(school_date(2026, 11, 19)), "Укажите первый день"),
    ],
)
def test_bad_note_dates_are_refused_and_nothing_is_saved(client, auth, diary, date_from, date_to, message):
    auth.login(diary.parent_a)
    response = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                           data={"date_from": date_from, "date_to": date_to, "reason": "ill"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AbsenceNote)) == 0


def test_only_a_parent_of_the_child_submits(client, auth, diary):
    auth.login(diary.pupil.user)  # the student himself reads his diary but does not write notes
    response = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                           data={"date_from": str(school_date(2026, 11, 19)), "date_to": str(school_date(2026, 11, 19)), "reason": "ill"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AbsenceNote)) == 0


def test_scanned_note_is_stored_and_shown_to_its_parent_and_class_teacher_only(client, auth, diary, app):
    auth.login(diary.parent_a)
    bad = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                      data={"date_from": str(school_date(2026, 11, 19)), "date_to": str(school_date(2026, 11, 19)), "reason": "ill",
                            "file": (io.BytesIO(b"MZ\x90\x00program"), "spravka.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "не похоже на PDF" in bad.get_data(as_text=True)
    exe = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                      data={"date_from": str(school_date(2026, 11, 19)), "date_to": str(school_date(2026, 11, 19)), "reason": "ill",
                            "file": (io.BytesIO(b"MZ"), "virus.exe")},
                      content_type="multipart/form-data")
    assert exe.status_code == 400 and "только PDF, JPG или PNG" in exe.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AbsenceNote)) == 0
    good = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                       data={"date_from": str(school_date(2026, 11, 19)), "date_to": str(school_date(2026, 11, 20)), "reason": "ill",
                             "file": (io.BytesIO(b"%PDF-1.4 scan"), "справка.pdf")},
                       content_type="multipart/form-data")
    assert good.status_code == 303
    note = db.session.scalar(select(AbsenceNote))
    assert note.file_stored_name.endswith(".pdf") and "справка" not in note.file_stored_name
    url = f"/diary/absence-notes/{note.id}/file"
    download = client.get(url)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 scan"
    for user, status in ((diary.parent_b, 403), (diary.russian_teacher, 403), (diary.pupil.user, 403),
                         (diary.maths_teacher, 200), (diary.deputy, 200)):
        auth.logout()
        auth.login(user)
        assert client.get(url).status_code == status, user.login


def test_file_too_big_is_refused(make_app, small_school, auth, diary):
    from tests.conftest import isolated_client

    client = isolated_client(make_app, ABSENCE_NOTE_MAX_BYTES=100)
    client.post("/auth/login", data={"login": "parent_a", "password": "Parol-2026"})
    response = client.post(f"/diary/students/{diary.pupil.id}/absence-notes",
                           data={"date_from": str(school_date(2026, 11, 19)), "date_to": str(school_date(2026, 11, 19)), "reason": "ill",
                                 "file": (io.BytesIO(b"%PDF" + b"x" * 200), "big.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "слишком большой" in response.get_data(as_text=True)


def _build_lessons(s, start, stop):
    """Maths lessons start..stop-1 in the week of MONDAY with a mark each for the pupil, plus as
    many earlier Russian lessons of the period with marks."""
    made = 0
    for n in range(start, stop):
        day = MONDAY + timedelta(days=n % 6)
        number = n // 6
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day, number, f"Тема {n}", [s.kinds["oral"]])
        earlier = operations.create_lesson(s.russian_5a, s.russian_teacher, school_date(2026, 11, 6) + timedelta(days=n % 9),
                                           n // 9, "", [s.kinds["oral"]])
        db.session.flush()
        for lesson_ in (lesson, earlier):
            db.session.add(Mark(school_id=s.school.id, lesson_id=lesson_.id, student_id=s.pupil.id,
                                work_kind_id=s.kinds["oral"].id, value=str(3 + n % 3)))
        made += 1
    db.session.commit()
    return made


def _count(client, url):
    """SQL statements of one request, counted on the engine of the client's own app (the
    isolated client does not run on the test app's engine, which count_queries watches)."""
    with client.application.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.strip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return len(statements)


def test_week_and_marks_pages_query_count_does_not_grow(client, auth, diary):
    auth.login(diary.parent_a)
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    marks_url = f"/diary/students/{diary.pupil.id}/marks?period={period.id}"
    _build_lessons(diary, 0, 10)
    client.get(week_url(diary.pupil, MONDAY))  # warm-up
    small_week = _count(client, week_url(diary.pupil, MONDAY))
    small_marks = _count(client, marks_url)
    _build_lessons(diary, 10, 40)  # 40 in all
    big_week = _count(client, week_url(diary.pupil, MONDAY))
    big_marks = _count(client, marks_url)
    assert 0 < small_week == big_week <= 30, (small_week, big_week)
    assert 0 < small_marks == big_marks <= 20, (small_marks, big_marks)
    page = client.get(week_url(diary.pupil, MONDAY)).get_data(as_text=True)
    assert "Тема 39" in page



def test_parent_downloads_the_weekly_report_of_their_child_and_not_of_another_family(app, make_app, small_school):
    from pypdf import PdfReader

    from tests.conftest import PASSWORD, isolated_client

    s = small_school()
    lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 17), 2, "Дроби")
    operations.save_cell(lesson, s.pupils_5a[0], s.maths_teacher, "5", key="", base=None)
    db.session.commit()
    parent = isolated_client(make_app)
    parent.post("/auth/login", data={"login": s.parent_a.login, "password": PASSWORD})
    response = parent.get(f"/diary/students/{s.pupils_5a[0].id}/weekly-report?date={school_date(2026, 11, 18)}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Петров Пётр" in text and f"{MONDAY:%d.%m.%Y}" in text and "5" in text
    other = isolated_client(make_app)
    other.post("/auth/login", data={"login": s.parent_b.login, "password": PASSWORD})
    assert other.get(f"/diary/students/{s.pupils_5a[0].id}/weekly-report").status_code == 403
    assert parent.get(f"/diary/students/{s.pupils_5a[0].id}/weekly-report?date=вчера").status_code == 400


def test_the_same_absence_note_twice_is_refused_while_the_first_is_pending_or_accepted(client, auth, diary):
    """Issue 9 item 9: a double submit (or the second parent's copy) for days already covered."""
    url = f"/diary/students/{diary.pupil.id}/absence-notes"
    first = {"date_from": str(school_date(2026, 11, 16)), "date_to": str(school_date(2026, 11, 18)), "reason": "ill"}
    overlapping = {"date_from": str(school_date(2026, 11, 18)), "date_to": str(school_date(2026, 11, 19)), "reason": "ill"}
    auth.login(diary.parent_a)
    assert client.post(url, data=first).status_code == 303
    response = client.post(url, data=first)
    assert response.status_code == 400
    covered = f"{school_date(2026, 11, 16):%d.%m.%Y} – {school_date(2026, 11, 18):%d.%m.%Y}, на рассмотрении"
    assert f"На эти дни уже подано заявление ({covered})" in response.get_data(as_text=True)
    assert client.post(url, data=overlapping).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AbsenceNote)) == 1
    # A rejected note does not block a new one for the same days.
    note = db.session.scalar(select(AbsenceNote))
    note.status = "rejected"
    db.session.commit()
    assert client.post(url, data=overlapping).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(AbsenceNote)) == 2
