"""The journal's objects loaded by the id in a URL or a form, each through `policy.checked`
(STYLE convention 2): loaded with the eager loading its pages need, then 404 when it does not
exist or belongs to another school, 403 when `allowed` refuses. Views load nothing by id on
their own; an object that belongs to another (a plan item to its assignment, a file to its
homework) is looked up under it, so a foreign id is simply not found."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import select

import policy
from blueprints.journal import classes_operations, period_marks_operations, queries
from extensions import db
from models import (
    AcademicYear,
    ClassGroup,
    Homework,
    HomeworkFile,
    Lesson,
    PeriodClosure,
    PlanItem,
    ScheduleChange,
    Student,
    StudyPeriod,
    TeachingAssignment,
    User,
)

Allowed = Callable[[User, object], bool]


def assignment(assignment_id: int, allowed: Allowed | None) -> TeachingAssignment:
    return policy.checked(queries.load_assignment(assignment_id), allowed, current_user)


def lesson(lesson_id: int, allowed: Allowed | None, for_update: bool = False) -> Lesson:
    """`for_update`: a save of the lesson's cells locks it with the load (queries.load_lesson)."""
    return policy.checked(queries.load_lesson(lesson_id, for_update), allowed, current_user)


def class_group(class_id: int, allowed: Allowed | None) -> ClassGroup:
    return policy.checked(classes_operations.load_class(class_id), allowed, current_user)


def student(student_id: int) -> Student:
    """A student of the user's school (the object's school is the user's: it passed
    `checked`); whether they belong to its class is the operation's rule."""
    return policy.checked(db.session.get(Student, student_id), None, current_user)


def cell_student(student_id: int, of_lesson: Lesson) -> Student:
    """The student of a cell of the lesson: read through the lesson's roster (one statement, and
    the save's own roster check is answered by it); someone off the roster is still returned
    when they are of the user's school (404 as `student` otherwise), for the operation's refusal."""
    found = queries.roster_student(of_lesson.assignment, student_id, of_lesson.date)
    if found is None:
        return student(student_id)
    return policy.checked(found, None, current_user)


def roster_student(student_id: int, of_lesson: Lesson) -> Student:
    """A student of the lesson's class (and subgroup) on its date: 404 as `student`, 403 for
    anyone else, as the cell's save refuses them (operations.save_cell)."""
    found = cell_student(student_id, of_lesson)
    if not queries.student_in_roster(of_lesson.assignment, found.id, of_lesson.date):
        abort(403)
    return found


def year_roster_student(of_assignment: TeachingAssignment, student_id: int) -> Student:
    """A student of the assignment's class (and subgroup) at some day of the year: 404/403."""
    found = student(student_id)
    year = of_assignment.year
    in_roster = queries.roster_query(of_assignment, year.start_date, year.end_date).where(Student.id == found.id)
    if db.session.scalar(in_roster) is None:
        abort(403)
    return found


def plan_item(of_assignment: TeachingAssignment, item_id: int) -> PlanItem:
    item = db.session.scalar(select(PlanItem).where(PlanItem.id == item_id, PlanItem.assignment_id == of_assignment.id))
    return policy.checked(item, None, current_user)


def homework(homework_id: int, allowed: Allowed | None) -> Homework:
    """A homework that is not deleted; the user must be `allowed` its lesson."""
    found = db.session.scalar(select(Homework).where(Homework.id == homework_id, Homework.is_deleted.is_(False)))
    policy.checked(found, None, current_user)
    lesson(found.lesson_id, allowed)
    return found


def homework_file(file_id: int, allowed: Allowed | None) -> tuple[HomeworkFile, Homework]:
    """A file of a homework that is not deleted, and its homework; the user must be `allowed`
    its lesson."""
    row = policy.checked(db.session.get(HomeworkFile, file_id), None, current_user)
    return row, homework(row.homework_id, allowed)


def teacher(teacher_id: int, allowed: Allowed | None) -> User:
    """A member of staff: families have no timetable of their own to show (404)."""
    found = db.session.get(User, teacher_id)
    return policy.checked(found if found is not None and found.is_staff else None, allowed, current_user)


def schedule_change(change_id: int) -> ScheduleChange:
    return policy.checked(
        db.session.get(ScheduleChange, change_id), lambda user, _change: policy.can_manage_schedule(user), current_user
    )


def assignment_of_school(assignment_id: int | None) -> TeachingAssignment:
    """An assignment named in a form (a substitution's lesson): any of the user's school; what
    may be done with it is the operation's rule."""
    found = db.session.get(TeachingAssignment, assignment_id) if assignment_id else None
    return policy.checked(found, None, current_user)


def study_period(period_id: int, allowed: Allowed | None) -> StudyPeriod:
    """A period of one of the user's school's years (a period has no school of its own)."""
    period = db.session.scalar(
        select(StudyPeriod)
        .join(AcademicYear, AcademicYear.id == StudyPeriod.year_id)
        .where(StudyPeriod.id == period_id, AcademicYear.school_id == current_user.school_id)
    )
    return policy.checked(period, allowed, current_user)


def mark_period(of_assignment: TeachingAssignment, period_id: int) -> StudyPeriod:
    """A period for which the assignment's period or year marks are set; any other is not found."""
    periods = period_marks_operations.periods_for_marks(of_assignment)
    return policy.checked(next((p for p in periods if p.id == period_id), None), None, current_user)


def period_closure(closure_id: int, allowed: Allowed | None) -> PeriodClosure:
    return policy.checked(db.session.get(PeriodClosure, closure_id), allowed, current_user)


def class_of_school(class_id: int) -> ClassGroup:
    """A class named in a form (closing a period for one class): any of the user's school."""
    return policy.checked(db.session.get(ClassGroup, class_id), None, current_user)
