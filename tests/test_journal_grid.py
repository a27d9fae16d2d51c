"""The grid (JRN-3, JRN-4, JRN-8, ADM-6, ADM-8): saving cells, refusals that keep the data,
idempotent retries, conflicts, history and a constant number of queries."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations
from extensions import db
from models import Attendance, JournalChange, Lesson, Mark, StudyPeriod, WorkKind
from tests.clock import school_date

LESSON_DAY = school_date(2026, 11, 20)  # inside the second quarter of small_school


@pytest.fixture
def journal(app, small_school):
    s = small_school()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, LESSON_DAY, 2, "Дроби", [kinds["test"], kinds["oral"]])
    s.russian_lesson = operations.create_lesson(s.russian_5a, s.russian_teacher, LESSON_DAY, 3, "Падежи", [kinds["oral"]])
    s.lesson_5b = operations.create_lesson(s.maths_5b, s.russian_teacher, LESSON_DAY, 1, "Дроби", [kinds["oral"]])
    s.english_g1 = operations.create_lesson(s.english_5a_g1, s.english_teacher, LESSON_DAY, 4, "Present Simple", [kinds["oral"]])
    s.lesson_1a = operations.create_lesson(s.russian_1a, s.primary_teacher, LESSON_DAY, 1, "Буква А", [kinds["oral"]])
    db.session.commit()
    s.kinds = kinds
    return s


# The fixture's lessons are days old: a change after its deadline is sent with a reason, as the
# grid does after asking (tests/test_journal_closing_deadlines.py tests the question itself).
LATE_REASON = "запись по бумажному журналу"


def put_cell(client, lesson, student, value, key="", base=None, htmx=True, reason=LATE_REASON):
    data = {"value": value, "key": key, "reason": reason}
    if base is not None:
        data["base"] = base
    headers = {"HX-Request": "true"} if htmx else {}
    return client.put(f"/journal/lessons/{lesson.id}/cells/{student.id}", data=data, headers=headers)


def cell_marks(lesson, student):
    return [
        m.value
        for m in db.session.scalars(
            select(Mark).where(Mark.lesson_id == lesson.id, Mark.student_id == student.id, Mark.is_deleted.is_(False))
            .order_by(Mark.work_kind_id)
        )
    ]


def cell_attendance(lesson, student):
    row = db.session.scalar(
        select(Attendance).where(Attendance.lesson_id == lesson.id, Attendance.student_id == student.id, Attendance.is_deleted.is_(False))
    )
    return row.code if row else None


def test_teacher_sees_own_grid_with_students_and_lesson(client, auth, journal):
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}").get_data(as_text=True)
    assert "Математика · 5А" in page
    assert "Алексеева Анна" in page and "Петров Пётр" in page
    assert f"{LESSON_DAY:%d.%m}" in page
    assert f'hx-put="/journal/lessons/{journal.lesson.id}/cells/' in page


def test_mark_is_saved_and_shown_with_average(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    response = put_cell(client, journal.lesson, pupil, "5/4", key="k1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="5/4"' in html
    assert f'id="avg-{pupil.id}"' in html and "hx-swap-oob" in html
    # (5×2 + 4×1) / 3 = 4.67: the weighted average of a test and an oral answer
    assert "4,67" in html
    assert cell_marks(journal.lesson, pupil) == ["5", "4"]


def test_absent_student_cannot_get_a_mark_unless_ill(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[1]
    response = put_cell(client, journal.lesson, pupil, "н 5")
    assert response.status_code == 400
    assert "Отсутствующему обучающемуся отметка не ставится" in response.get_data(as_text=True)
    assert cell_marks(journal.lesson, pupil) == [] and cell_attendance(journal.lesson, pupil) is None
    assert put_cell(client, journal.lesson, pupil, "б 5").status_code == 200
    assert cell_attendance(journal.lesson, pupil) == "ill" and cell_marks(journal.lesson, pupil) == ["5"]


def test_unexcused_absence_then_mark_is_refused_and_data_kept(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[1]
    assert put_cell(client, journal.lesson, pupil, "нп").status_code == 200
    response = put_cell(client, journal.lesson, pupil, "нп 4")
    assert response.status_code == 400
    assert cell_attendance(journal.lesson, pupil) == "unexcused" and cell_marks(journal.lesson, pupil) == []


@pytest.mark.parametrize("value", ["6", "0", "отл", "5/4/3", "55555"])
def test_mark_outside_the_scale_is_refused_and_nothing_changes(client, auth, journal, value):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    put_cell(client, journal.lesson, pupil, "4")
    response = put_cell(client, journal.lesson, pupil, value)
    assert response.status_code == 400
    assert "не отметка этой шкалы" in response.get_data(as_text=True) or "не больше 2" in response.get_data(as_text=True)
    assert cell_marks(journal.lesson, pupil) == ["4"]


def test_mark_in_a_closed_period_is_refused(client, auth, journal):
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    period.is_closed = True
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = put_cell(client, journal.lesson, journal.pupils_5a[0], "5")
    assert response.status_code == 409
    assert "закрыт" in response.get_data(as_text=True)
    assert cell_marks(journal.lesson, journal.pupils_5a[0]) == []


def test_retry_with_the_same_key_stores_the_mark_once(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    first = put_cell(client, journal.lesson, pupil, "5", key="retry-1")
    base = None
    second = put_cell(client, journal.lesson, pupil, "5", key="retry-1", base=base)
    assert first.status_code == second.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Mark).where(Mark.student_id == pupil.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(JournalChange).where(JournalChange.student_id == pupil.id)) == 1


def test_second_teacher_on_a_stale_cell_gets_a_conflict_not_a_lost_update(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    state, _a, _m = operations.load_cell(journal.lesson, pupil.id)
    stale_token = state.token  # what both screens showed: an empty cell
    assert put_cell(client, journal.lesson, pupil, "5", key="a", base=stale_token).status_code == 200
    response = put_cell(client, journal.lesson, pupil, "3", key="b", base=stale_token)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "только что изменил" in text and "«5»" in text
    assert cell_marks(journal.lesson, pupil) == ["5"]


def test_cell_of_another_subgroup_is_refused(client, auth, journal):
    auth.login(journal.english_teacher)  # group 1: pupils 0 and 2
    other_group_pupil = journal.pupils_5a[1]
    response = put_cell(client, journal.english_g1, other_group_pupil, "5")
    assert response.status_code == 403
    assert "не числится" in response.get_data(as_text=True)
    assert cell_marks(journal.english_g1, other_group_pupil) == []
    assert put_cell(client, journal.english_g1, journal.pupils_5a[0], "5").status_code == 200


def test_subgroup_grid_lists_only_its_students(client, auth, journal):
    auth.login(journal.english_teacher)
    page = client.get(f"/journal/assignments/{journal.english_5a_g1.id}").get_data(as_text=True)
    assert "Петров Пётр" in page and "Борисов Борис" in page
    assert "Алексеева Анна" not in page and "Васильева Вера" not in page


def test_class_teacher_reads_all_subjects_of_the_class_but_writes_only_their_own(client, auth, journal):
    auth.login(journal.maths_teacher)  # class teacher of 5А
    page = client.get(f"/journal/assignments/{journal.russian_5a.id}")
    assert page.status_code == 200 and "только просмотр" in page.get_data(as_text=True)
    assert put_cell(client, journal.russian_lesson, journal.pupils_5a[0], "2").status_code == 403
    assert cell_marks(journal.russian_lesson, journal.pupils_5a[0]) == []


def test_teacher_of_5a_maths_cannot_read_or_write_5b_or_5a_russian(client, auth, journal):
    journal.class_5a.class_teacher = None  # only a subject teacher here, not the class teacher
    db.session.commit()
    auth.login(journal.maths_teacher)
    assert client.get(f"/journal/assignments/{journal.maths_5b.id}").status_code == 403
    assert client.get(f"/journal/assignments/{journal.russian_5a.id}").status_code == 403
    forged = put_cell(client, journal.lesson_5b, journal.pupils_5b[0], "2")
    assert forged.status_code == 403
    forged = put_cell(client, journal.russian_lesson, journal.pupils_5a[0], "2")
    assert forged.status_code == 403
    assert cell_marks(journal.lesson_5b, journal.pupils_5b[0]) == []
    assert cell_marks(journal.russian_lesson, journal.pupils_5a[0]) == []
    # a pupil of 5Б put into the 5А lesson's URL is not in its roster
    assert put_cell(client, journal.lesson, journal.pupils_5b[0], "2").status_code == 403


def test_deputy_reads_every_journal_but_cannot_write(client, auth, journal):
    auth.login(journal.deputy)
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}")
    assert page.status_code == 200
    assert "только просмотр" in page.get_data(as_text=True)
    assert "hx-put" not in page.get_data(as_text=True)
    assert put_cell(client, journal.lesson, journal.pupils_5a[0], "5").status_code == 403
    assert client.post(f"/journal/lessons/{journal.lesson.id}/fill", data={"value": "5"}).status_code == 403
    assert cell_marks(journal.lesson, journal.pupils_5a[0]) == []


def test_first_grade_records_attendance_only(client, auth, journal):
    auth.login(journal.primary_teacher)
    pupil = journal.pupil_1a
    response = put_cell(client, journal.lesson_1a, pupil, "5")
    assert response.status_code == 400
    assert "только посещаемость" in response.get_data(as_text=True)
    assert put_cell(client, journal.lesson_1a, pupil, "н").status_code == 200
    assert cell_attendance(journal.lesson_1a, pupil) == "absent"


def test_every_change_is_kept_in_history_with_who_and_before_after(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    put_cell(client, journal.lesson, pupil, "4")
    put_cell(client, journal.lesson, pupil, "5")
    put_cell(client, journal.lesson, pupil, "")
    changes = db.session.scalars(
        select(JournalChange).where(JournalChange.student_id == pupil.id).order_by(JournalChange.id)
    ).all()
    assert [(c.action, (c.before or {}).get("value"), (c.after or {}).get("value")) for c in changes] == [
        ("create", None, "4"),
        ("update", "4", "5"),
        ("delete", "5", None),
    ]
    assert {c.user_id for c in changes} == {journal.maths_teacher.id}
    mark = db.session.scalar(select(Mark).where(Mark.student_id == pupil.id))
    assert mark.is_deleted  # the row stays, flagged
    history = client.get(f"/journal/lessons/{journal.lesson.id}/cells/{pupil.id}/history", headers={"HX-Request": "true"})
    text = history.get_data(as_text=True)
    assert "История клетки" in text and "удалено" in text and "Числова" in text


def test_fill_column_gives_the_mark_to_present_students_without_one(client, auth, journal):
    auth.login(journal.maths_teacher)
    absent, marked = journal.pupils_5a[1], journal.pupils_5a[2]
    put_cell(client, journal.lesson, absent, "нп")
    put_cell(client, journal.lesson, marked, "3")
    response = client.post(f"/journal/lessons/{journal.lesson.id}/fill", data={"value": "5", "reason": LATE_REASON})
    assert response.status_code == 303
    assert cell_marks(journal.lesson, journal.pupils_5a[0]) == ["5"]
    assert cell_marks(journal.lesson, journal.pupils_5a[3]) == ["5"]
    assert cell_marks(journal.lesson, absent) == []
    assert cell_marks(journal.lesson, marked) == ["3"]


def test_fill_column_refuses_a_value_outside_the_scale(client, auth, journal):
    auth.login(journal.maths_teacher)
    client.post(f"/journal/lessons/{journal.lesson.id}/fill", data={"value": "7"})
    assert all(cell_marks(journal.lesson, p) == [] for p in journal.pupils_5a)


def test_late_entry_is_flagged_from_timestamps(client, auth, journal):
    auth.login(journal.maths_teacher)
    put_cell(client, journal.lesson, journal.pupils_5a[1], "н")  # entered days after the lesson
    row = db.session.scalar(select(Attendance).where(Attendance.student_id == journal.pupils_5a[1].id))
    assert row.entered_late is True
    assert journal.lesson.entered_late is True


def test_creating_a_lesson_from_the_grid(client, auth, journal):
    auth.login(journal.maths_teacher)
    response = client.post(
        f"/journal/assignments/{journal.maths_5a.id}/lessons",
        data={"lesson-date": str(school_date(2026, 11, 23)), "lesson-lesson_number": "3", "lesson-topic": "Сложение дробей",
              "lesson-work_kinds": [str(journal.kinds["independent"].id)]},
    )
    assert response.status_code == 303
    lesson = db.session.scalar(select(Lesson).where(Lesson.topic == "Сложение дробей"))
    assert lesson is not None and lesson.given_by_id == journal.maths_teacher.id
    assert [w.work_kind_id for w in lesson.works] == [journal.kinds["independent"].id]


def test_lesson_outside_the_year_is_refused(client, auth, journal):
    auth.login(journal.maths_teacher)
    client.post(
        f"/journal/assignments/{journal.maths_5a.id}/lessons",
        data={"lesson-date": str(school_date(2027, 7, 1)), "lesson-lesson_number": "1", "lesson-topic": "Лето"},
    )
    assert db.session.scalar(select(Lesson).where(Lesson.topic == "Лето")) is None


def _grid_queries(client, count_queries, assignment_id):
    with count_queries() as counter:
        response = client.get(f"/journal/assignments/{assignment_id}")
    assert response.status_code == 200
    return counter.count


def test_grid_query_count_does_not_grow_with_students_or_lessons(client, auth, journal, create_student, count_queries):
    auth.login(journal.maths_teacher)
    client.get(f"/journal/assignments/{journal.maths_5a.id}")  # warm-up
    small = _grid_queries(client, count_queries, journal.maths_5a.id)
    for i in range(26):
        create_student(journal.school, journal.class_5a, f"Новиков{i}", "Никита")
    day = school_date(2026, 11, 5)
    for n in range(40):
        lesson = operations.create_lesson(journal.maths_5a, journal.maths_teacher, day + timedelta(days=n % 50), 5 + n % 3,
                                          "", [journal.kinds["oral"], journal.kinds["test"]])
        db.session.flush()
        for pupil in journal.pupils_5a:
            db.session.add(Mark(school_id=journal.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                work_kind_id=journal.kinds["oral"].id, value="4"))
    db.session.commit()
    big = _grid_queries(client, count_queries, journal.maths_5a.id)
    assert big == small, f"grid used {small} queries for a small class and {big} for a big one"
    assert big <= 15


def test_cell_url_is_the_save_endpoint(app):
    from flask import url_for

    from blueprints.journal.template_helpers import cell_url_base

    with app.test_request_context():
        assert f"{cell_url_base()}12/cells/34" == url_for("journal.save_cell", lesson_id=12, student_id=34)
        # the column menu's links are built on the same prefix (templates/journal/_grid.html)
        assert f"{cell_url_base()}12" == url_for("journal.lesson", lesson_id=12)
        assert f"{cell_url_base()}12/fill" == url_for("journal.fill_column", lesson_id=12)


def test_a_save_whose_commit_fails_is_not_reported_as_saved(client, auth, journal, monkeypatch):
    """The response is rendered inside the transaction but sent only after the commit: a failed
    commit answers 5xx (the browser keeps the cell in its outbox), never the saved cell."""
    from flask import has_request_context
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    auth.login(journal.maths_teacher)
    real_commit = Session.commit

    def failing_commit(self):
        if has_request_context():
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        return real_commit(self)

    monkeypatch.setattr(Session, "commit", failing_commit)
    response = put_cell(client, journal.lesson, journal.pupils_5a[0], "5", key="fails")
    monkeypatch.setattr(Session, "commit", real_commit)
    assert response.status_code == 500
    assert 'value="5"' not in response.get_data(as_text=True)
    assert cell_marks(journal.lesson, journal.pupils_5a[0]) == []
