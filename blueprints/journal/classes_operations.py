"""The class as a whole (ADM-6, JRN-4): the summary of its subjects for the class teacher and the
academic office, and the daily attendance the class teacher keeps. Use cases flush; the view
commits once; history rows are written in the same transaction (JRN-8)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from blueprints.journal import closing_queries, queries, schedule_queries
from blueprints.journal.operations import JournalError, check_lesson_open, record_change
from domain import attendance, deadlines, grading
from domain.messages import N_
from domain.periods import current_period
from domain.settings import school_settings
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    ClassMembership,
    Lesson,
    Mark,
    PlannedAbsence,
    School,
    Student,
    StudyPeriod,
    SubgroupMember,
    TeachingAssignment,
    User,
)
from models.base import utcnow
from models.journal import PLANNED_CODES
from utils.average_marks import marks_for_averages
from utils.timeutil import school_today

PRESENT = "present"
KEEP = ""
DAY_CHOICES = (PRESENT, *attendance.CODES)
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
    for mark in marks_for_averages(period.start_date, period.end_date, assignment_ids=summaries):
        values[mark.assignment_id].append((mark.value, mark.weight))
    settings = school_settings(class_group.school.settings)
    for assignment_id, summary in summaries.items():
        marks = grading.numeric_marks(values.get(assignment_id, []), summary.assignment.marks_scale)
        summary.marks = len(marks)
        summary.average = grading.weighted_average(marks, settings.get("use_weights", True))
    return list(summaries.values())


# --- Daily attendance -------------------------------------------------------------------------


@dataclass
class DayColumn:
    """One lesson of the day: from the timetable (changes applied), opened or not yet."""

    number: int
    assignment_id: int
    subgroup_id: int | None
    subject_name: str
    subgroup_name: str
    lesson: Lesson | None = None
    status: str = schedule_queries.REGULAR
    short_name: str = ""

    @property
    def label(self) -> str:
        name = self.short_name or self.subject_name
        return f"{name} ({self.subgroup_name})" if self.subgroup_name else name

    @property
    def key(self) -> str:
        return f"{self.assignment_id}-{self.number}"


@dataclass
class DayRow:
    student: Student
    lessons: list[Lesson]  # the opened lessons of the day this student attends (their subgroups)
    columns: list[DayColumn] = field(default_factory=list)  # every lesson of the day the student attends
    codes: dict[int, str | None] = field(default_factory=dict)  # lesson id -> attendance code
    marked: set[int] = field(default_factory=set)  # lessons with a mark of this student
    planned: PlannedAbsence | None = None  # the class teacher's mark covering the day

    @property
    def waiting(self) -> bool:
        """Some lesson of the day is not opened yet: the planned mark will be carried into it."""
        return any(column.lesson is None for column in self.columns)

    @property
    def day_code(self) -> str:
        """The whole day's state: one code if every lesson has it, "present" if none has
        any, "" (keep as the subject teachers recorded it) if they differ. A lesson not yet
        opened counts with the planned mark."""
        values = {self.codes.get(lesson.id) for lesson in self.lessons}
        if self.waiting:
            values.add(self.planned.code if self.planned is not None else None)
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
    columns: list[DayColumn] = field(default_factory=list)


def live_plans(student_ids, start: date, end: date) -> list[PlannedAbsence]:
    """The class teacher's planned absences of the students overlapping the dates, oldest
    first (a later one wins where two overlap)."""
    return list(
        db.session.scalars(
            select(PlannedAbsence)
            .where(
                PlannedAbsence.student_id.in_(student_ids),
                PlannedAbsence.is_deleted.is_(False),
                PlannedAbsence.date_from <= end,
                PlannedAbsence.date_to >= start,
            )
            .order_by(PlannedAbsence.id)
        )
    )


def _day_columns(class_group: ClassGroup, day: date, lessons: list[Lesson]) -> list[DayColumn]:
    """The timetable's lessons of the day (not the cancelled ones) with the opened lessons
    matched to them; an opened lesson outside the timetable is a column too."""
    opened = {(lesson.assignment_id, lesson.lesson_number): lesson for lesson in lessons}
    columns = []
    for item in schedule_queries.class_day(class_group, day):
        if item.is_cancelled and (item.assignment_id, item.lesson_number) not in opened:
            continue
        columns.append(DayColumn(
            item.lesson_number, item.assignment_id, item.subgroup_id, item.subject_name, item.subgroup_name,
            opened.pop((item.assignment_id, item.lesson_number), None), item.status, item.subject_short_name,
        ))
    for lesson in opened.values():
        assignment = lesson.assignment
        columns.append(DayColumn(
            lesson.lesson_number, assignment.id, assignment.subgroup_id, assignment.subject.name,
            assignment.subgroup.name if assignment.subgroup else "", lesson, short_name=assignment.subject.short_name or "",
        ))
    columns.sort(key=lambda c: (c.number, c.subject_name, c.assignment_id))
    return columns


def load_day(class_group: ClassGroup, day: date, lock: bool = False) -> Day:
    """The lessons of a class on a date, from the timetable, with each student's attendance
    and planned absence: a constant number of queries."""
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
    columns = _day_columns(class_group, day, lessons)
    students = class_roster(class_group, day, day)
    lesson_ids = [lesson.id for lesson in lessons]
    subgroup_ids = {column.subgroup_id for column in columns if column.subgroup_id}
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
    plans = {plan.student_id: plan for plan in live_plans([s.id for s in students], day, day)} if students else {}
    rows = []
    for student in students:
        own = [c for c in columns if c.subgroup_id is None or student.id in members[c.subgroup_id]]
        row = DayRow(student, [c.lesson for c in own if c.lesson is not None], own, planned=plans.get(student.id))
        for lesson in row.lessons:
            record = attendance.get((lesson.id, student.id))
            row.codes[lesson.id] = record.code if record is not None and not record.is_deleted else None
            if (lesson.id, student.id) in marked:
                row.marked.add(lesson.id)
        rows.append(row)
    return Day(class_group, day, lessons, rows, {r.student.id: r for r in rows}, attendance, columns)


class DayRefused(JournalError):
    """The day's record was refused as a whole; `problems` are (message, params) to translate."""

    def __init__(self, problems: list[tuple[str, dict]]):
        super().__init__(problems[0][0], 400, **problems[0][1])
        self.problems = problems


def check_days_open(class_group: ClassGroup, start: date, end: date) -> None:
    """Refuse a planned absence reaching into a closed period or year (JRN-8)."""
    closing_queries.check_days_open(class_group, start, end, error=JournalError)


def _plan_snapshot(plan: PlannedAbsence) -> dict:
    return {"from": plan.date_from.isoformat(), "to": plan.date_to.isoformat(), "code": plan.code,
            "reason": plan.reason, "absence_note_id": plan.absence_note_id}


def _add_plan(school_id, student_id, start, end, code, reason, user, now, note_id=None, why="") -> PlannedAbsence:
    plan = PlannedAbsence(
        school_id=school_id, student_id=student_id, date_from=start, date_to=end, code=code, reason=reason,
        absence_note_id=note_id, created_at=now, created_by_id=user.id,
    )
    db.session.add(plan)
    db.session.flush()
    record_change(school_id, user, "planned_absence", plan.id, "create", None, _plan_snapshot(plan),
                  student_id=student_id, reason=why or reason)
    return plan


def _cut(plan: PlannedAbsence, start: date, end: date, user: User, now: datetime, why: str) -> None:
    """Take the dates start..end out of a planned absence: it is cancelled (kept, with its
    history) and what lies outside the dates is planned again."""
    plan.is_deleted, plan.deleted_at, plan.deleted_by_id = True, now, user.id
    record_change(plan.school_id, user, "planned_absence", plan.id, "delete", _plan_snapshot(plan), None,
                  student_id=plan.student_id, reason=why)
    if plan.date_from < start:
        _add_plan(plan.school_id, plan.student_id, plan.date_from, start - timedelta(days=1), plan.code, plan.reason,
                  user, now, plan.absence_note_id, why)
    if plan.date_to > end:
        _add_plan(plan.school_id, plan.student_id, end + timedelta(days=1), plan.date_to, plan.code, plan.reason,
                  user, now, plan.absence_note_id, why)


def plan_absence(
    school_id: int,
    student_id: int,
    start: date,
    end: date,
    code: str,
    reason: str,
    user: User,
    note_id: int | None = None,
    now: datetime | None = None,
    carry: bool = True,
) -> tuple[PlannedAbsence, int]:
    """Record the class teacher's absence of a student for the dates (a whole day, a range, an
    accepted absence note) and carry it into the lessons already opened from today on whose
    attendance nobody has recorded. An earlier plan over the same dates gives way. Returns the
    plan and the number of lesson records made."""
    now = now or utcnow()
    if code not in PLANNED_CODES:
        raise JournalError(N_("Неизвестная отметка посещаемости «%(c)s»."), 400, c=code[:12])
    if start > end:
        raise JournalError(N_("Дата окончания раньше даты начала."), 400)
    if len(reason) > MAX_NOTE:
        raise JournalError(N_("Причина слишком длинная (не больше %(n)s знаков)."), 400, n=MAX_NOTE)
    why = N_("Отмечено классным руководителем на %(from)s–%(to)s") % {
        "from": start.strftime("%d.%m.%Y"), "to": end.strftime("%d.%m.%Y")}
    for earlier in live_plans([student_id], start, end):
        _cut(earlier, start, end, user, now, why)
    plan = _add_plan(school_id, student_id, start, end, code, reason.strip(), user, now, note_id)
    return plan, (_carry_into_opened(plan, user, now) if carry else 0)


def _carry_into_opened(plan: PlannedAbsence, user: User, now: datetime) -> int:
    """The plan into the student's lessons of its dates already opened, from the school's
    today on, where the subject teacher has recorded nothing: no attendance record (not even a
    cleared one), attendance not taken for the class, no mark of the student. Past lessons
    are the subject teacher's record and stay as they are."""
    student = db.session.get(Student, plan.student_id)
    school_tz = db.session.get(School, plan.school_id).timezone
    first = max(plan.date_from, school_today(school_tz))
    if first > plan.date_to:
        return 0
    in_subgroup = or_(
        TeachingAssignment.subgroup_id.is_(None),
        select(SubgroupMember.id).where(
            SubgroupMember.subgroup_id == TeachingAssignment.subgroup_id, SubgroupMember.student_id == student.id
        ).exists(),
    )
    lessons = db.session.scalars(
        select(Lesson)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .join(ClassMembership, and_(
            ClassMembership.class_id == TeachingAssignment.class_id,
            ClassMembership.student_id == student.id,
            ClassMembership.since <= Lesson.date,
            or_(ClassMembership.until.is_(None), ClassMembership.until >= Lesson.date),
        ))
        .where(
            Lesson.date >= first,
            Lesson.date <= plan.date_to,
            Lesson.attendance_taken.is_(False),
            in_subgroup,
            ~select(Attendance.id).where(Attendance.lesson_id == Lesson.id, Attendance.student_id == student.id).exists(),
            ~select(Mark.id).where(Mark.lesson_id == Lesson.id, Mark.student_id == student.id, Mark.is_deleted.is_(False)).exists(),
        )
        .options(joinedload(Lesson.assignment).joinedload(TeachingAssignment.year))
        .order_by(Lesson.date, Lesson.lesson_number)
    ).unique()
    count = 0
    for lesson in lessons:
        try:
            check_lesson_open(lesson)
        except JournalError:
            continue
        _carry(lesson, plan, user, now)
        count += 1
    return count


def _carry(lesson: Lesson, plan: PlannedAbsence, user: User, now: datetime) -> None:
    record = Attendance(
        school_id=lesson.school_id, lesson_id=lesson.id, student_id=plan.student_id, code=plan.code,
        note=plan.reason, created_at=now, created_by_id=user.id, updated_at=now, updated_by_id=user.id,
    )
    db.session.add(record)
    db.session.flush()
    record_change(
        lesson.school_id, user, "attendance", record.id, "create", None, {"code": plan.code},
        lesson_id=lesson.id, student_id=plan.student_id,
        reason=N_("Отметка классного руководителя на весь день (№ %(id)s)") % {"id": plan.id},
    )


def carry_into_new_lesson(lesson: Lesson, user: User, now: datetime) -> int:
    """A lesson just opened receives the planned absences of its date for its students
    (JRN-4): the class teacher marked the child ill for the day in the morning, the 3rd lesson
    is opened later and shows «Б». Two queries."""
    roster = queries.roster_query(lesson.assignment, lesson.date, lesson.date).order_by(None)
    student_ids = roster.with_only_columns(Student.id)
    plans = {plan.student_id: plan for plan in live_plans(student_ids, lesson.date, lesson.date)}
    if not plans:
        return 0
    taken = set(db.session.scalars(select(Attendance.student_id).where(Attendance.lesson_id == lesson.id)))
    count = 0
    for student_id, plan in plans.items():
        if student_id not in taken:
            _carry(lesson, plan, user, now)
            count += 1
    return count


def save_day(
    class_group: ClassGroup,
    day: date,
    user: User,
    choices: dict[int, str],
    notes: dict[int, str],
    now: datetime | None = None,
) -> int:
    """Apply the class teacher's choice for the whole day to every opened lesson of that day
    the student attends, and plan it for the lessons not opened yet (JRN-4). Either everything
    is stored or nothing: an absence other than illness is refused for a lesson in which the
    student already has a mark (001:3.5). Returns the number of records changed."""
    now = now or utcnow()
    tz = class_group.school.timezone
    state = load_day(class_group, day, lock=True)
    if not state.columns:
        raise JournalError(N_("На эту дату у класса нет уроков по расписанию: отмечать нечего."), 400)
    check_days_open(class_group, day, day)  # every lesson of the day is of this class
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
        if choice in attendance.ABSENCES - {attendance.ILL}:
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
        changed += _plan_day(class_group, row, day, wanted, note, user, now)
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


def _plan_day(class_group, row: DayRow, day: date, wanted: str | None, note: str, user: User, now: datetime) -> int:
    """The day's choice for the lessons not opened yet: a planned absence of that day, or the
    day taken out of an earlier one ("present"). "late" concerns only the lessons opened."""
    if not row.waiting:
        return 0
    planned = row.planned.code if row.planned is not None else None
    if wanted == planned or (wanted not in PLANNED_CODES and planned is None):
        return 0
    if wanted not in PLANNED_CODES:
        why = N_("Отмечено классным руководителем: присутствует %(d)s") % {"d": day.strftime("%d.%m.%Y")}
        for plan in live_plans([row.student.id], day, day):
            _cut(plan, day, day, user, now, why)
        return 1
    # the lessons already opened are set by the caller, over what they hold, with history
    plan_absence(class_group.school_id, row.student.id, day, day, wanted, note or (row.planned.reason if row.planned else ""),
                 user, now=now, carry=False)
    return 1


def period_for(class_group: ClassGroup, today: date, wanted_id: int | None) -> tuple[list[StudyPeriod], StudyPeriod | None]:
    periods = class_periods(class_group)
    return periods, current_period(periods, today, wanted_id)
