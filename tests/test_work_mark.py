"""A mark from outside the grid (JRN-10: a distance assignment checked, an electronic test
scored) lands in the cell of the lesson through the grid's rules: the scale, no mark for an
absence, the closed period, and the same history, marked where it came from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from blueprints.journal.operations import JournalError
from extensions import db
from models import JournalChange, Mark, WorkKind
from tests.clock import school_date


@pytest.fixture
def lesson(app, small_school):
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind).where(WorkKind.school_id == s.school.id))}
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 23), 1, "Дроби",
                                        [s.kinds["oral"]])
    s.pupil = s.pupils_5a[0]
    db.session.commit()
    return s


def test_the_mark_joins_the_lesson_column_with_its_kind_of_work_and_history(lesson):
    s = lesson
    assert operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["independent"], "4", via="assignment")
    db.session.commit()
    assert [w.work_kind.code for w in s.lesson.works] == ["oral", "independent"]
    mark = db.session.scalar(select(Mark).where(Mark.lesson_id == s.lesson.id, Mark.student_id == s.pupil.id))
    assert (mark.value, mark.work_kind_id) == ("4", s.kinds["independent"].id)
    change = db.session.scalar(select(JournalChange).where(JournalChange.entity == "mark"))
    assert change.via == "assignment" and change.after == {"value": "4", "work_kind_id": s.kinds["independent"].id}
    # the grid's cell shows it, and the oral mark typed later goes to its own kind of work
    operations.save_cell(s.lesson, s.pupil, s.maths_teacher, "5/4", key="", base=None)
    db.session.commit()
    state = operations.load_cell(s.lesson, s.pupil.id)[0]
    assert [(m.work_kind_id, m.value) for m in state.marks] == [(s.kinds["oral"].id, "5"), (s.kinds["independent"].id, "4")]


def test_a_second_result_updates_the_same_mark_and_an_unchanged_one_changes_nothing(lesson):
    s = lesson
    operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["oral"], "3", via="test")
    assert operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["oral"], "5", via="test")
    assert not operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["oral"], "5", via="test")
    db.session.commit()
    changes = db.session.scalars(select(JournalChange).where(JournalChange.entity == "mark")
                                 .order_by(JournalChange.id)).all()
    assert [(c.action, c.via) for c in changes] == [("create", "test"), ("update", "test")]


@pytest.mark.parametrize("value", ["6", "5 4", "н", "абв"])
def test_a_value_off_the_scale_is_refused_and_nothing_is_stored(lesson, value):
    s = lesson
    with pytest.raises(JournalError):
        operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["test"], value, via="assignment")
    db.session.rollback()
    assert db.session.scalar(select(Mark.id)) is None
    assert [w.work_kind.code for w in s.lesson.works] == ["oral"]


def test_an_absent_student_gets_no_mark_but_an_ill_one_does(lesson):
    s = lesson
    operations.save_cell(s.lesson, s.pupil, s.maths_teacher, "н", key="", base=None)
    db.session.commit()
    with pytest.raises(JournalError) as refused:
        operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["oral"], "5", via="assignment")
    assert "Отсутствующему" in refused.value.message
    db.session.rollback()
    other = s.pupils_5a[1]
    operations.save_cell(s.lesson, other, s.maths_teacher, "б", key="", base=None)
    assert operations.set_work_mark(s.lesson, other, s.maths_teacher, s.kinds["oral"], "5", via="assignment")


def test_a_student_outside_the_lesson_roster_is_refused(lesson):
    s = lesson
    with pytest.raises(JournalError):
        operations.set_work_mark(s.lesson, s.pupils_5b[0], s.maths_teacher, s.kinds["oral"], "5", via="assignment")


def test_the_cell_history_names_the_assignment(lesson, client, auth):
    s = lesson
    operations.set_work_mark(s.lesson, s.pupil, s.maths_teacher, s.kinds["oral"], "5", via="assignment")
    db.session.commit()
    auth.login("maths")
    page = client.get(f"/journal/lessons/{s.lesson.id}/cells/{s.pupil.id}/history").get_data(as_text=True)
    assert "через задание" in page


def test_a_model_registered_with_the_year_guard_is_refused_in_a_closed_year(lesson):
    """Other areas' rows reach their year through a parent (models/year_closing.YEAR_PARENTS)."""
    from models.year_closing import YEAR_PARENTS, YearClosed, _year_of

    class Child:
        def __init__(self, lesson_id):
            self.lesson_id = lesson_id

    YEAR_PARENTS[Child] = ("Lesson", "lesson_id", "lesson")
    try:
        assert _year_of(db.session(), Child(lesson.lesson.id)) == lesson.year.id
    finally:
        del YEAR_PARENTS[Child]
    assert YearClosed
