"""Query budgets (issue 5): the number of SQL statements of a page or a save does not grow with
the students of the class or with the lessons, marks, absences and period marks of the period;
and it stays under a budget. Times are not asserted here: they belong to `python -m bench`.

Each test measures the same request on a small class, then again after the class and its
period have grown (more students, many lessons with marks, absences and homework).
`count_queries` listens on every engine: the test client's requests run on an app of their own."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import Attendance, Homework, Mark, PeriodMark, ScheduleSlot, StudyPeriod, WorkKind
from tests.clock import school_date

GRID_BUDGET = 15  # issue 5: «SQL queries ≤ 15, constant»
MARK_SAVE_BUDGET = 10  # issue 16: «mark save ≤ 10 SQL statements» — the session with its user, the lesson
# (locked), the student through the roster, the day's periods and closures, the key, the cell, the mark,
# its history, the row's forecast and its period mark
DIARY_BUDGET = 25  # 21 (week) and 13 (marks) today

QUARTER_2 = school_date(2026, 11, 5)
LESSON_DAY = school_date(2026, 11, 20)


def _count(client, count_queries, method: str, path: str, **kwargs) -> int:
    db.session.commit()  # what the test prepared is visible, and its own reads are not counted
    with count_queries() as counter:
        response = client.open(path, method=method, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    assert counter.count > 0, "no statement counted: wrong engine?"
    return counter.count


@pytest.fixture
def school(app, small_school):
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.first_lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, LESSON_DAY, 2, "Дроби",
                                              [s.kinds["test"], s.kinds["oral"]])
    db.session.commit()
    return s


def _add_year_period(s) -> None:
    """The year as a period of its own (year marks), as a real school has it."""
    db.session.add(StudyPeriod(year=s.year, scheme="year", number=1, name="Год",
                               start_date=school_date(2026, 9, 1), end_date=school_date(2027, 5, 31)))
    db.session.commit()


def _grow(s, create_student, students: int = 26, lessons: int = 40) -> list:
    """More students in 5А, and `lessons` more maths lessons in the second quarter with a mark
    for everyone, an absence now and then, homework and period marks."""
    new = [create_student(s.school, s.class_5a, f"Новиков{i}", "Никита") for i in range(students)]
    pupils = s.pupils_5a + new
    for n in range(lessons):
        day = QUARTER_2 + timedelta(days=n % 45)
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day, 3 + n % 4, f"Тема {n}",
                                          [s.kinds["oral"], s.kinds["independent"]])
        db.session.flush()
        db.session.add(Homework(lesson_id=lesson.id, text=f"№ {n}"))
        for i, pupil in enumerate(pupils):
            if (i + n) % 13 == 0:
                db.session.add(Attendance(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id, code="ill"))
                continue
            db.session.add(Mark(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                work_kind_id=s.kinds["oral"].id, value=str(3 + (i + n) % 3)))
    quarter_1 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 1))
    for pupil in pupils:
        db.session.add(PeriodMark(school_id=s.school.id, student_id=pupil.id, subject_id=s.maths.id,
                                  period_id=quarter_1.id, assignment_id=s.maths_5a.id, value="4"))
    db.session.commit()
    return pupils


def _grid(client, count_queries, s) -> int:
    return _count(client, count_queries, "GET", f"/journal/assignments/{s.maths_5a.id}")


def test_grid_queries_do_not_grow_and_stay_in_budget(client, auth, school, create_student, count_queries):
    auth.login(school.maths_teacher)
    _grid(client, count_queries, school)  # warm-up
    small = _grid(client, count_queries, school)
    _grow(school, create_student)
    big = _grid(client, count_queries, school)
    assert big == small, f"grid: {small} statements for 4 students and 1 lesson, {big} for 30 and 41"
    assert big <= GRID_BUDGET


def test_grid_with_year_marks_stays_in_budget(client, auth, school, create_student, count_queries):
    _add_year_period(school)
    auth.login(school.maths_teacher)
    _grid(client, count_queries, school)
    small = _grid(client, count_queries, school)
    _grow(school, create_student)
    big = _grid(client, count_queries, school)
    assert big == small
    assert big <= GRID_BUDGET, f"grid with a year period: {big} statements"


def test_grid_with_year_marks_does_not_grow(client, auth, school, create_student, count_queries):
    _add_year_period(school)
    auth.login(school.maths_teacher)
    _grid(client, count_queries, school)
    small = _grid(client, count_queries, school)
    _grow(school, create_student)
    assert _grid(client, count_queries, school) == small


def test_subgroup_grid_queries_do_not_grow(client, auth, school, create_student, count_queries):
    auth.login(school.english_teacher)
    path = f"/journal/assignments/{school.english_5a_g1.id}"
    _count(client, count_queries, "GET", path)
    small = _count(client, count_queries, "GET", path)
    _grow(school, create_student)
    big = _count(client, count_queries, "GET", path)
    assert big == small and big <= GRID_BUDGET


def _save(client, count_queries, lesson, pupil, key: str) -> int:
    return _count(client, count_queries, "PUT", f"/journal/lessons/{lesson.id}/cells/{pupil.id}",
                  data={"value": "5", "key": key, "reason": "после срока"}, headers={"HX-Request": "true"})


def test_mark_save_queries_do_not_grow_and_stay_in_budget(client, auth, school, create_student, count_queries):
    """A new mark in an empty cell, with a key, before and after the period filled up."""
    auth.login(school.maths_teacher)
    _save(client, count_queries, school.first_lesson, school.pupils_5a[0], "warm-up")
    small = _save(client, count_queries, school.first_lesson, school.pupils_5a[1], "small")
    pupils = _grow(school, create_student)
    big = _save(client, count_queries, school.first_lesson, pupils[-1], "big")
    assert big == small, f"mark save: {small} statements in a small period, {big} in a full one"
    assert big <= MARK_SAVE_BUDGET


def test_mark_update_queries_do_not_grow(client, auth, school, create_student, count_queries):
    """Changing an existing mark (the update path) costs the same in a full period."""
    auth.login(school.maths_teacher)
    for i, pupil in enumerate(school.pupils_5a[:2]):
        _save(client, count_queries, school.first_lesson, pupil, f"first-{i}")
    path = f"/journal/lessons/{school.first_lesson.id}/cells/{{}}"
    small = _count(client, count_queries, "PUT", path.format(school.pupils_5a[0].id),
                   data={"value": "4", "key": "u-small", "reason": "после срока"}, headers={"HX-Request": "true"})
    _grow(school, create_student)
    big = _count(client, count_queries, "PUT", path.format(school.pupils_5a[1].id),
                 data={"value": "4", "key": "u-big", "reason": "после срока"}, headers={"HX-Request": "true"})
    assert big == small and big <= MARK_SAVE_BUDGET


def _diary_route(app, kind: str) -> bool:
    return any(rule.rule == f"/diary/students/<int:student_id>/{kind}" for rule in app.url_map.iter_rules())


def _timetable(s) -> None:
    for weekday in range(1, 6):
        db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=weekday,
                                    lesson_number=2, valid_from=school_date(2026, 9, 1)))
        db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.russian_5a.id, weekday=weekday,
                                    lesson_number=3, valid_from=school_date(2026, 9, 1)))
    db.session.commit()


@pytest.mark.parametrize("kind", ["week", "marks"])
def test_diary_queries_do_not_grow_and_stay_in_budget(app, client, auth, school, create_student, count_queries, kind):
    if not _diary_route(app, kind):
        pytest.skip(f"/diary/students/<id>/{kind} does not exist yet")
    _timetable(school)
    pupil = school.pupils_5a[0]
    auth.login(pupil.user)
    path = f"/diary/students/{pupil.id}/{kind}?date={LESSON_DAY.isoformat()}" if kind == "week" else \
        f"/diary/students/{pupil.id}/{kind}"
    _count(client, count_queries, "GET", path)
    small = _count(client, count_queries, "GET", path)
    _grow(school, create_student)
    # the week of LESSON_DAY now holds lessons of both subjects on every day
    monday = LESSON_DAY - timedelta(days=LESSON_DAY.weekday())
    for day in (monday + timedelta(days=i) for i in range(5)):
        for assignment, teacher, number in ((school.russian_5a, school.russian_teacher, 3),):
            lesson = operations.create_lesson(assignment, teacher, day, number, "Падежи", [school.kinds["oral"]])
            db.session.flush()
            db.session.add(Homework(lesson_id=lesson.id, text="упр. 5"))
            db.session.add(Mark(school_id=school.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                work_kind_id=school.kinds["oral"].id, value="5"))
    db.session.commit()
    big = _count(client, count_queries, "GET", path)
    assert big == small, f"diary {kind}: {small} statements, then {big} with a full week and period"
    assert big <= DIARY_BUDGET
