"""The class as a whole (ADM-6, JRN-4): the summary of its subjects for the class teacher and the
academic office, and the daily attendance the class teacher keeps. Use cases flush; the view
commits once; history rows are written in the same transaction (JRN-8)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from blueprints.journal import queries
from blueprints.journal.operations import JournalError, check_lesson_open, record_change
from domain import deadlines, grading
from domain.cell import ABSENCE_CODES, ATTENDANCE_CODES, ILL
from domain.messages import N_
from domain.settings import school_settings
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    ClassMembership,
    Lesson,
    Mark,
    Student,
    StudyPeriod,
    SubgroupMember,
    TeachingAssignment,
    User,
    WorkKind,
)
from models.base import utcnow

PRESENT = "present"
KEEP = ""
DAY_CHOICES = (PRESENT, *ATTENDANCE_CODES)
MAX_NOTE = 300


def load_class(class_id: int) -> ClassGroup | None:
    return db.session.scalar(
        select(ClassGroup)
        .where(ClassGroup.id == class_id)
        .options(joinedload(ClassGroup.year), joinedload(ClassGroup.school), joinedload(ClassGroup.class_teacher))
    )


def class_periods(class_group: ClassGroup) -> list[StudyPeriod]:
    return list(
        db.session.scalars(
            select(StudyPeriod)
            .where(StudyPeriod.year_id == class_group.year_id, StudyPeriod.scheme == class_group.period_scheme)
            .order_by(StudyPeriod.number)
        )
    )


def class_roster(class_group: ClassGroup, start: date, end: date) -> list[Student]:
    return list(
        db.session.scalars(
            select(Student)
            .join(ClassMembership, ClassMembership.student_id == Student.id)
            .where(
                ClassMembership.class_id == class_group.id,
                ClassMembership.since <= end,
                or_(ClassMembership.until.is_(None), ClassMembership.until >= start),
            )
            .order_by(Student.last_name, Student.first_name, Student.id)
            .distinct()
        )
    )


# --- The class page ---------------------------------------------------------------------------


@dataclass
class SubjectSummary:
    assignment: TeachingAssignment
    lessons: int = 0
    average: Decimal | None = None
    marks: int = 0


def class_summary(class_group: ClassGroup, period: StudyPeriod | None) -> list[SubjectSummary]:
    """Every assignment of the class with its number of lessons and the class's weighted
    average in the period (domain/grading.py: one rule for the journal and the reports).
    Three queries whatever the size of the class."""
    assignments = list(
        db.session.scalars(
            select(TeachingAssignment)
            .where(TeachingAssignment.class_id == class_group.id, TeachingAssignment.is_active.is_(True))
            .options(
                joinedload(TeachingAssignment.subject),
                joinedload(TeachingAssignment.subgroup),
                joinedload(TeachingAssignment.teacher),
                joinedload(TeachingAssignment.scale),
            )
        )
    )
    assignments.sort(key=lambda a: (a.subject.name, a.subgroup.name if a.subgroup else "", a.id))
    summaries = {a.id: SubjectSummary(a) for a in assignments}
    if period is None or not assignments:
        return list(summaries.values())
    in_period = and_(
        Lesson.assignment_id.in_(summaries),
        Lesson.date >= period.start_date,
        Lesson.date <= period.end_date,
    )
    for assignment_id, count in db.session.execute(
        select(Lesson.assignment_id, func.count()).where(in_period).group_by(Lesson.assignment_id)
    ):
        summaries[assignment_id].lessons = count
    values: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for assignment_id, value, weight in db.session.execute(
        select(Lesson.assignment_id, Mark.value, WorkKind.weight)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .join(WorkKind, WorkKind.id == Mark.work_kind_id)
        .where(in_period, Mark.is_deleted.is_(False))
    ):
        values[assignment_id].append((value, weight))
    settings = school_settings(class_group.school.settings)
    for assignment_id, summary in summaries.items():
        marks = grading.numeric_marks(values.get(assignment_id, []), summary.assignment.scale.code)
        summary.marks = len(marks)
        summary.average = grading.weighted_average(marks, settings.get("use_weights", True))
    return list(summaries.values())


# --- Daily attendance -------------------------------------------------------------------------


@dataclass
class DayRow:
    student: Student
    lessons: list[Lesson]  # the lessons of the day this student attends (their subgroups)
    codes: dict[int, str | None] = field(default_factory=dict)  # lesson id -> attendance code
    marked: set[int] = field(default_factory=set)  # lessons with a mark of this student

    @property
    def day_code(self) -> str:
        """The whole day's state: one code if every lesson has it, "present" if none has
        any, "" (keep as the subject teachers recorded it) if they differ."""
        values = {self.codes.get(lesson.id) for lesson in self.lessons}
        if not values or values == {None}:
            return PRESENT
        if len(values) == 1:
            return values.pop()
        return KEEP


@dataclass
class Day:
    class_group: ClassGroup
    day: date
    lessons: list[Lesson]
    rows: list[DayRow]
    rows_by_student: dict[int, DayRow]
    attendance: dict[tuple[int, int], Attendance]


def load_day(class_group: ClassGroup, day: date, lock: bool = False) -> Day:
    """The lessons of a class on a date with each student's attendance: five queries."""
    query = (
        select(Lesson)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .where(TeachingAssignment.class_id == class_group.id, Lesson.date == day)
        .options(
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.subject),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.subgroup),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.year),
            joinedload(Lesson.assignment).joinedload(TeachingAssignment.class_group),
        )
        .order_by(Lesson.lesson_number, Lesson.id)
    )
    if lock:
        # serialise with the subject teachers' saves of the same lessons
        db.session.execute(
            select(Lesson.id)
            .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
            .where(TeachingAssignment.class_id == class_group.id, Lesson.date == day)
            .with_for_update()
        )
    lessons = list(db.session.scalars(query).unique())
    students = class_roster(class_group, day, day)
    lesson_ids = [lesson.id for lesson in lessons]
    subgroup_ids = {lesson.assignment.subgroup_id for lesson in lessons if lesson.assignment.subgroup_id}
    members: dict[int, set[int]] = defaultdict(set)
    if subgroup_ids:
        for subgroup_id, student_id in db.session.execute(
            select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(SubgroupMember.subgroup_id.in_(subgroup_ids))
        ):
            members[subgroup_id].add(student_id)
    attendance: dict[tuple[int, int], Attendance] = {}
    marked: set[tuple[int, int]] = set()
    if lesson_ids:
        attendance = {
            (a.lesson_id, a.student_id): a
            for a in db.session.scalars(select(Attendance).where(Attendance.lesson_id.in_(lesson_ids)))
        }
        marked = set(
            db.session.execute(
                select(Mark.lesson_id, Mark.student_id).where(Mark.lesson_id.in_(lesson_ids), Mark.is_deleted.is_(False)).distinct()
            ).all()
        )
    rows = []
    for student in students:
        own = [
            lesson for lesson in lessons
            if lesson.assignment.subgroup_id is None or student.id in members[lesson.assignment.subgroup_id]
        ]
        row = DayRow(student, own)
        for lesson in own:
            record = attendance.get((lesson.id, student.id))
            row.codes[lesson.id] = record.code if record is not None and not record.is_deleted else None
            if (lesson.id, student.id) in marked:
                row.marked.add(lesson.id)
        rows.append(row)
    return Day(class_group, day, lessons, rows, {r.student.id: r for r in rows}, attendance)


class DayRefused(JournalError):
    """The day's record was refused as a whole; `problems` are (message, params) to translate."""

    def __init__(self, problems: list[tuple[str, dict]]):
        super().__init__(problems[0][0], 400, **problems[0][1])
        self.problems = problems


def save_day(
    class_group: ClassGroup,
    day: date,
    user: User,
    choices: dict[int, str],
    notes: dict[int, str],
    now: datetime | None = None,
) -> int:
    """Apply the class teacher's choice for the whole day to every lesson of that day the
    student attends (JRN-4). Either everything is stored or nothing: an absence other than
    illness is refused for a lesson in which the student already has a mark (001:3.5).
    Returns the number of lesson records changed."""
    now = now or utcnow()
    tz = class_group.school.timezone
    state = load_day(class_group, day, lock=True)
    if not state.lessons:
        raise JournalError(N_("На эту дату уроки класса не записаны: отмечать нечего."), 400)
    for lesson in state.lessons:
        check_lesson_open(lesson)
    problems: list[tuple[str, dict]] = []
    for student_id, choice in choices.items():
        if choice not in (KEEP, *DAY_CHOICES):
            problems.append((N_("Неизвестная отметка посещаемости «%(c)s»."), {"c": choice[:12]}))
            continue
        row = state.rows_by_student.get(student_id)
        if row is None:
            problems.append((N_("Обучающийся не числится в классе на эту дату."), {}))
            continue
        if len(notes.get(student_id, "")) > MAX_NOTE:
            problems.append((N_("Причина слишком длинная (не больше %(n)s знаков)."), {"n": MAX_NOTE}))
        if choice in ABSENCE_CODES - {ILL}:
            for lesson in row.lessons:
                if lesson.id in row.marked:
                    problems.append((
                        N_("%(name)s: есть отметка за урок «%(subject)s» (%(n)s-й урок) — отсутствие можно отметить только по болезни (Б)."),
                        {"name": row.student.short_name, "subject": lesson.assignment.subject.name, "n": lesson.lesson_number},
                    ))
    if problems:
        raise DayRefused(problems)
    changed = 0
    for student_id, choice in choices.items():
        if choice == KEEP:
            continue
        row = state.rows_by_student[student_id]
        wanted = None if choice == PRESENT else choice
        note = notes.get(student_id, "").strip()
        for lesson in row.lessons:
            current = row.codes.get(lesson.id)
            if current == wanted:
                continue
            record = state.attendance.get((lesson.id, student_id))
            before = {"code": current} if current is not None else None
            if wanted is None:
                record.is_deleted = True
                record.updated_at, record.updated_by_id = now, user.id
                action = "delete"
            elif record is None:
                record = Attendance(
                    school_id=lesson.school_id, lesson_id=lesson.id, student_id=student_id, code=wanted, note=note,
                    created_at=now, created_by_id=user.id, updated_at=now, updated_by_id=user.id,
                    entered_late=deadlines.is_late(now, deadlines.lesson_deadline(lesson.date, tz)),
                )
                db.session.add(record)
                db.session.flush()
                action = "create"
            else:
                record.code, record.is_deleted = wanted, False
                record.note = note or record.note
                record.updated_at, record.updated_by_id = now, user.id
                action = "create" if before is None else "update"
            record_change(
                lesson.school_id, user, "attendance", record.id, action, before,
                {"code": wanted} if wanted is not None else None,
                lesson_id=lesson.id, student_id=student_id, reason=note,
            )
            changed += 1
    db.session.flush()
    return changed


def period_for(class_group: ClassGroup, today: date, wanted_id: int | None) -> tuple[list[StudyPeriod], StudyPeriod | None]:
    periods = class_periods(class_group)
    return periods, queries.pick_period(periods, today, wanted_id)
