"""The one query behind every average (issue 11, item 2): the marks that count towards the
averages of students × assignments or subjects × a period. The journal's grid, its class page,
the cell's save, the diary's summary and the weekly report all read them here, so they cannot
disagree on which marks count (a removed mark does not) or on a mark's weight (its kind of work's).
The averages themselves are computed by domain/grading.py."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Row, select

from extensions import db
from models import Lesson, Mark, MarkingScale, Subject, TeachingAssignment, WorkKind

# The columns of each row (SQLAlchemy rows: plain named tuples, no ORM objects; a grid reads ~1,500):
# student_id, lesson_id, assignment_id, subject_id, subject_name, scale_code (of the assignment the
# mark was given in), work_kind_id, work_kind_name, weight (the kind of work's weight in the
# weighted average, 004:3.7), date (the lesson's), value.
AverageMark = Row


def marks_for_averages(
    start: date,
    end: date,
    *,
    assignment_ids: Iterable[int] | None = None,
    student_ids: Iterable[int] | None = None,
) -> list[AverageMark]:
    """The marks given from `start` to `end` (lesson dates, both included) in the assignments
    and/or to the students named, removed marks left out; in the order of the lessons. One
    statement. A student's marks by subject: filter by student only (a student who changed
    class keeps the marks of the former class's assignment)."""
    query = (
        select(
            Mark.student_id,
            Mark.lesson_id,
            Lesson.assignment_id,
            Subject.id.label("subject_id"),
            Subject.name.label("subject_name"),
            MarkingScale.code.label("scale_code"),
            Mark.work_kind_id,
            WorkKind.name.label("work_kind_name"),
            WorkKind.weight,
            Lesson.date,
            Mark.value,
        )
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .join(WorkKind, WorkKind.id == Mark.work_kind_id)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .join(MarkingScale, MarkingScale.id == TeachingAssignment.scale_id)
        .where(Mark.is_deleted.is_(False), Lesson.date >= start, Lesson.date <= end)
        .order_by(Lesson.date, Lesson.lesson_number, Mark.id)
    )
    if assignment_ids is not None:
        query = query.where(Lesson.assignment_id.in_(list(assignment_ids) or [-1]))
    if student_ids is not None:
        query = query.where(Mark.student_id.in_(list(student_ids) or [-1]))
    return list(db.session.execute(query))
