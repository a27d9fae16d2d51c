"""Planned queries for journal pages: a grid is a fixed number of statements however many
students and lessons it holds (STYLE convention 8; counted in tests)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.journal import closing_queries
from database import transaction_memo
from domain import grading
from domain.periods import current_period
from domain.settings import school_settings
from extensions import db
from models import (
    AcademicYear,
    Attendance,
    ClassMembership,
    ClubMembership,
    Lesson,
    LessonWork,
    PeriodMark,
    Student,
    StudyPeriod,
    SubgroupMember,
    TeachingAssignment,
    User,
)
from utils.average_marks import marks_for_averages


def assignments_in_force(school_id: int):
    """The school's teaching assignments in force: active, of the current year (ADM-1). A select
    the caller narrows, orders and eager-loads for its page."""
    return (
        select(TeachingAssignment)
        .join(AcademicYear, AcademicYear.id == TeachingAssignment.year_id)
        .where(
            TeachingAssignment.school_id == school_id,
            TeachingAssignment.is_active.is_(True),
            AcademicYear.is_current.is_(True),
        )
    )


def load_assignment(assignment_id: int) -> TeachingAssignment | None:
    return db.session.scalar(
        select(TeachingAssignment)
        .where(TeachingAssignment.id == assignment_id)
        .options(
            joinedload(TeachingAssignment.class_group),
            joinedload(TeachingAssignment.subject),
            joinedload(TeachingAssignment.scale),
            joinedload(TeachingAssignment.subgroup),
            # the teacher's roles are not needed here; the current user's are already loaded
            joinedload(TeachingAssignment.teacher).lazyload(User.role_rows),
            joinedload(TeachingAssignment.school),
            joinedload(TeachingAssignment.year),
        )
    )


def load_lesson(lesson_id: int, for_update: bool = False) -> Lesson | None:
    """The lesson with what its pages and saves read (assignment, class, scale, subject, school,
    subgroup, year, kinds of work, who gave it) in one statement. `for_update`: also lock the
    lesson's row for the rest of the transaction (PostgreSQL; SQLite's write transaction holds
    the database's lock already): the writes of one lesson are serialised (`lock_lesson`)."""
    query = (
        select(Lesson)
        .where(Lesson.id == lesson_id)
        .options(
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.class_group),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.scale),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.subject),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.school),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.subgroup),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.year),
            # «Урок провёл(а)»: a substitute is no one else the page loads; their roles are not read
            joinedload(Lesson.given_by).lazyload(User.role_rows),
            joinedload(Lesson.works),
        )
    )
    if for_update:
        query = query.with_for_update(of=Lesson)
    lesson = db.session.execute(query).unique().scalar_one_or_none()
    if lesson is not None and for_update:
        _locked_lessons().add(lesson.id)
    return lesson


def _locked_lessons() -> set[int]:
    return transaction_memo().setdefault("locked_lessons", set())


def lock_lesson(lesson: Lesson) -> None:
    """Serialise the writes of one lesson: PostgreSQL locks the row (unless the lesson was loaded
    for update in this transaction); SQLite's BEGIN IMMEDIATE has taken the database's lock."""
    if lesson.id not in _locked_lessons():
        db.session.execute(select(Lesson.id).where(Lesson.id == lesson.id).with_for_update())
        _locked_lessons().add(lesson.id)  # the statement began the transaction if none was open


def periods_of(assignment: TeachingAssignment) -> list[StudyPeriod]:
    return list(
        db.session.scalars(
            select(StudyPeriod)
            .where(
                StudyPeriod.year_id == assignment.year_id,
                StudyPeriod.scheme == assignment.class_group.period_scheme,
            )
            .order_by(StudyPeriod.number)
        )
    )


def period_of_lesson(lesson: Lesson) -> StudyPeriod | None:
    """The period of the class's scheme the lesson's day falls in; read with the day's closures
    (closing_queries.day_rows), which a save of the lesson asks next."""
    class_group = lesson.assignment.class_group
    return next(
        (period for period, _c, _at in closing_queries.day_rows(class_group, lesson.date)
         if period.scheme == class_group.period_scheme and period.year_id == lesson.assignment.year_id),
        None,
    )


def roster_query(assignment: TeachingAssignment, start: date, end: date):
    """Students who belonged to the class (and the subgroup, if split) at some day of the
    interval: a student who left keeps the records of their time in the class. An
    additional-education group (kind "extra") has members of any class: its roster is the
    stays in the club (ClubMembership, JRN-9)."""
    if assignment.class_group.kind == "extra":
        return (
            select(Student)
            .join(ClubMembership, ClubMembership.student_id == Student.id)
            .where(
                ClubMembership.group_id == assignment.class_id,
                ClubMembership.since <= end,
                or_(ClubMembership.until.is_(None), ClubMembership.until >= start),
            )
            .order_by(Student.last_name, Student.first_name, Student.id)
            .distinct()
        )
    query = (
        select(Student)
        .join(ClassMembership, ClassMembership.student_id == Student.id)
        .where(
            ClassMembership.class_id == assignment.class_id,
            ClassMembership.since <= end,
            or_(ClassMembership.until.is_(None), ClassMembership.until >= start),
        )
    )
    if assignment.subgroup_id is not None:
        query = query.join(
            SubgroupMember,
            and_(SubgroupMember.student_id == Student.id, SubgroupMember.subgroup_id == assignment.subgroup_id),
        )
    return query.order_by(Student.last_name, Student.first_name, Student.id).distinct()


_ON_ROSTER = "on_roster"


def roster_student(assignment: TeachingAssignment, student_id: int, day: date) -> Student | None:
    """The student if they belong to the assignment's class (and subgroup) on `day`, else None.
    A yes is kept for the transaction: the save that loaded the student through it does not ask
    again (`student_in_roster`)."""
    found = db.session.scalar(roster_query(assignment, day, day).where(Student.id == student_id))
    if found is not None:
        transaction_memo().setdefault(_ON_ROSTER, set()).add((assignment.id, student_id, day))
    return found


def student_in_roster(assignment: TeachingAssignment, student_id: int, day: date) -> bool:
    if (assignment.id, student_id, day) in transaction_memo().get(_ON_ROSTER, ()):
        return True
    return roster_student(assignment, student_id, day) is not None


@dataclass
class Grid:
    assignment: TeachingAssignment
    period: StudyPeriod | None
    periods: list[StudyPeriod]
    students: list[Student]
    lessons: list[Lesson]
    # rows with lesson_id, student_id, work_kind_id, value / lesson_id, student_id, code
    marks: dict[tuple[int, int], list] = field(default_factory=dict)
    attendance: dict[tuple[int, int], object] = field(default_factory=dict)
    forecasts: dict[int, grading.Forecast] = field(default_factory=dict)
    period_marks: dict[int, PeriodMark] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    year_period: StudyPeriod | None = None  # the "year" period of the school year, if the school keeps one
    year_marks: dict[int, PeriodMark] = field(default_factory=dict)
    # per student, the marks of the class's periods in order: what the year mark is suggested from
    scheme_period_values: dict[int, list[str]] = field(default_factory=dict)


def load_grid(assignment: TeachingAssignment, today: date, period_id: int | None = None) -> Grid:
    settings = school_settings(assignment.school.settings)
    all_periods = list(
        db.session.scalars(
            select(StudyPeriod).where(StudyPeriod.year_id == assignment.year_id).order_by(StudyPeriod.number)
        )
    )
    periods = [p for p in all_periods if p.scheme == assignment.class_group.period_scheme]
    year_period = next((p for p in all_periods if p.scheme == "year"), None)
    period = current_period(periods, today, period_id)
    if period is None and year_period is not None and period_id == year_period.id:
        period = year_period
    if period is None:
        return Grid(assignment, None, periods, [], [], settings=settings, year_period=year_period)
    students = list(db.session.scalars(roster_query(assignment, period.start_date, period.end_date)))
    lessons = list(
        db.session.scalars(
            select(Lesson)
            .where(
                Lesson.assignment_id == assignment.id,
                Lesson.date >= period.start_date,
                Lesson.date <= period.end_date,
            )
            .options(selectinload(Lesson.works).joinedload(LessonWork.work_kind))
            .order_by(Lesson.date, Lesson.lesson_number)
        )
    )
    grid = Grid(assignment, period, periods, students, lessons, settings=settings, year_period=year_period)
    lesson_ids = select(Lesson.id).where(
        Lesson.assignment_id == assignment.id,
        Lesson.date >= period.start_date,
        Lesson.date <= period.end_date,
    )
    positions = {(w.lesson_id, w.work_kind_id): w.position for lesson in lessons for w in lesson.works}
    # Plain rows, not ORM objects: a grid holds ~1,500 of them. The same rows give the cells
    # and the averages (utils/average_marks: the diary reads its averages there too).
    marks_by_cell: dict[tuple[int, int], list] = defaultdict(list)
    per_student: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for mark in marks_for_averages(period.start_date, period.end_date, assignment_ids=[assignment.id]):
        marks_by_cell[(mark.lesson_id, mark.student_id)].append(mark)
        per_student[mark.student_id].append((mark.value, mark.weight))
    for cell in marks_by_cell.values():
        cell.sort(key=lambda m: positions.get((m.lesson_id, m.work_kind_id), 99))
    grid.marks = dict(marks_by_cell)
    grid.attendance = {
        (a.lesson_id, a.student_id): a
        for a in db.session.execute(
            select(Attendance.lesson_id, Attendance.student_id, Attendance.code).where(
                Attendance.lesson_id.in_(lesson_ids), Attendance.is_deleted.is_(False)
            )
        )
    }
    # Every period and year mark of the subject for these students, in one statement.
    scheme_ids = [p.id for p in periods]
    if students:
        for pm in db.session.scalars(
            select(PeriodMark)
            .where(
                PeriodMark.subject_id == assignment.subject_id,
                PeriodMark.period_id.in_([p.id for p in all_periods]),
                PeriodMark.student_id.in_([s.id for s in students]),
            )
            .order_by(PeriodMark.student_id)
        ):
            if pm.period_id == period.id:
                grid.period_marks[pm.student_id] = pm
            if year_period is not None and pm.period_id == year_period.id:
                grid.year_marks[pm.student_id] = pm
            if pm.period_id in scheme_ids:
                grid.scheme_period_values.setdefault(pm.student_id, []).append((scheme_ids.index(pm.period_id), pm.value))
        for sid, values in grid.scheme_period_values.items():
            grid.scheme_period_values[sid] = [v for _i, v in sorted(values)]
    for student in students:
        grid.forecasts[student.id] = student_forecast(per_student.get(student.id, []), assignment, period, settings)
    return grid


def student_forecast(values, assignment, period, settings) -> grading.Forecast:
    return grading.period_forecast(values, assignment.marks_scale, settings, period.scheme if period else None)


def forecast_for_student(assignment: TeachingAssignment, period: StudyPeriod, student_id: int, settings):
    """One student's forecast after a save: one query."""
    rows = marks_for_averages(period.start_date, period.end_date, assignment_ids=[assignment.id],
                              student_ids=[student_id])
    return student_forecast([(m.value, m.weight) for m in rows], assignment, period, settings)
