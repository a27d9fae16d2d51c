"""What a cell's save reads once and reuses (issue 16: ≤ 10 statements), and that the reuse never
answers from something stale: the year the guard trusts was read in the same transaction, the
day's closures are read again after the transaction changed them, a refused save leaves its key
unused. Counts themselves: tests/test_query_budgets.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from blueprints.journal import closing_queries, operations, queries
from extensions import db
from models import AcademicYear, Mark, PeriodClosure, WorkKind
from models.base import utcnow
from models.year_closing import YearClosed, closed_year_changes_allowed
from tests.clock import school_date

LESSON_DAY = school_date(2026, 11, 20)  # inside the second quarter of small_school


@pytest.fixture
def journal(app, small_school):
    s = small_school()
    s.oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, LESSON_DAY, 2, "Дроби", [s.oral])
    db.session.commit()
    return s


def _mark(s, pupil) -> Mark:
    return Mark(school_id=s.school.id, lesson_id=s.lesson.id, student_id=pupil.id, work_kind_id=s.oral.id, value="5",
                created_by_id=s.maths_teacher.id, updated_by_id=s.maths_teacher.id)


def _close_year(s) -> None:
    with closed_year_changes_allowed():
        s.year.is_closed = True
        db.session.commit()


def test_the_guard_answers_from_the_year_read_in_this_transaction(journal, count_queries):
    _close_year(journal)
    lesson = queries.load_lesson(journal.lesson.id)  # reads the year with the lesson
    assert lesson.assignment.year.is_closed
    db.session.add(_mark(journal, journal.pupils_5a[0]))
    with count_queries() as counter, pytest.raises(YearClosed):
        db.session.flush()
    assert not any("academic_year" in statement for statement in counter.statements)
    db.session.rollback()
    assert db.session.scalar(select(Mark).where(Mark.lesson_id == journal.lesson.id)) is None


def test_a_year_read_before_this_transaction_is_asked_again(journal):
    """Objects kept over a commit (expire_on_commit off, as `writing_in_a_read` does) are not
    trusted: the year was closed meanwhile by another connection."""
    lesson = queries.load_lesson(journal.lesson.id)
    assert not lesson.assignment.year.is_closed
    keep, db.session().expire_on_commit = db.session().expire_on_commit, False
    try:
        db.session.commit()
        with db.engine.begin() as other:
            other.execute(update(AcademicYear).where(AcademicYear.id == journal.year.id).values(is_closed=True))
        assert lesson.assignment.year.is_closed is False  # what this session still holds
        db.session.add(_mark(journal, journal.pupils_5a[0]))
        with pytest.raises(YearClosed):
            db.session.flush()
    finally:
        db.session.rollback()
        db.session().expire_on_commit = keep


def test_a_days_closures_are_read_again_after_the_transaction_closed_the_period(journal):
    class_group = journal.maths_5a.class_group
    period = queries.period_of_lesson(journal.lesson)
    assert closing_queries.closed_days(class_group, LESSON_DAY) is None
    db.session.add(PeriodClosure(school_id=journal.school.id, period_id=period.id, class_id=None,
                                 closed_at=utcnow() - timedelta(minutes=1)))
    db.session.flush()
    assert closing_queries.closed_days(class_group, LESSON_DAY) is not None
    assert closing_queries.is_period_closed_for(period, class_group) is not None
    db.session.rollback()


def test_the_day_read_once_answers_the_lessons_period_and_its_closure(journal, count_queries):
    class_group = journal.maths_5a.class_group
    lesson = queries.load_lesson(journal.lesson.id)
    with count_queries() as counter:
        period = queries.period_of_lesson(lesson)
        assert closing_queries.closed_days(class_group, LESSON_DAY) is None
        assert closing_queries.is_period_closed_for(period, class_group) is None
    assert period.start_date <= LESSON_DAY <= period.end_date
    assert counter.count == 1
    db.session.rollback()


def test_a_refused_save_leaves_its_key_for_the_next_one(client, auth, journal):
    """The key is recorded first (one statement) and rolled back with a refused save: the same
    key sent again with a correct value stores the mark."""
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    path = f"/journal/lessons/{journal.lesson.id}/cells/{pupil.id}"
    refused = client.put(path, data={"value": "9", "key": "k-1", "reason": "по бумажному журналу"},
                         headers={"HX-Request": "true"})
    assert refused.status_code == 400
    saved = client.put(path, data={"value": "4", "key": "k-1", "reason": "по бумажному журналу"},
                       headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert [m.value for m in db.session.scalars(select(Mark).where(Mark.student_id == pupil.id))] == ["4"]


def test_a_student_off_the_roster_is_still_refused_with_the_cells_message(client, auth, journal):
    auth.login(journal.maths_teacher)
    response = client.put(f"/journal/lessons/{journal.lesson.id}/cells/{journal.pupils_5b[0].id}",
                          data={"value": "5", "key": "k-2", "reason": "по бумажному журналу"},
                          headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "не числится" in response.get_data(as_text=True)
    assert db.session.scalar(select(Mark).where(Mark.student_id == journal.pupils_5b[0].id)) is None
