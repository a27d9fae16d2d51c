"""What is overdue in the journal (JRN-6, REP-3), checked from the timetable and the entry
timestamps in the school's timezone (003:2.3-2.5, 003 Положение 2.4):

- a lesson of the timetable not recorded by the end of its day;
- a recorded lesson without a topic by the end of its day;
- a lesson without homework N hours after the teacher's last lesson of the day
  (not in attendance-only classes: first grade gets no homework, 003 Положение 1.3);
- entries made after their deadline (the `entered_late` flags set at entry), counted.

Everything is computed for the current period of each assignment's class, in a fixed number of
queries however many teachers, lessons and days there are (STYLE convention 8)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from blueprints.journal import queries
from domain import deadlines
from domain import journal_control as control_rules
from domain.periods import current_period, has_begun
from domain.settings import school_settings
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    ClassMembership,
    Holiday,
    Homework,
    Lesson,
    LoginEvent,
    Mark,
    ParentLink,
    ScheduleChange,
    ScheduleSlot,
    School,
    StudyPeriod,
    SubgroupMember,
    TeachingAssignment,
    User,
)
from models.base import as_utc
from utils.bells import school_bells

# A change that removes the timetable's lesson on that date (a moved lesson is recorded on its
# original date; its new date comes as an "extra" lesson).
REMOVING_CHANGES = ("cancelled", "moved")


@dataclass
class OverdueItem:
    kind: str  # "missing", "no_topic", "no_homework"
    assignment: TeachingAssignment
    day: date
    lesson_number: int
    lesson_id: int | None = None


@dataclass
class LateCounts:
    lessons: int = 0
    attendance: int = 0
    marks: int = 0
    homework: int = 0

    @property
    def total(self) -> int:
        return self.lessons + self.attendance + self.marks + self.homework


@dataclass
class TeacherDeadlines:
    teacher: User
    assignments: list[TeachingAssignment] = field(default_factory=list)
    missing: list[OverdueItem] = field(default_factory=list)
    no_topic: list[OverdueItem] = field(default_factory=list)
    no_homework: list[OverdueItem] = field(default_factory=list)
    late: LateCounts = field(default_factory=LateCounts)

    @property
    def overdue_count(self) -> int:
        return len(self.missing) + len(self.no_topic) + len(self.no_homework)

    @property
    def items(self) -> list[OverdueItem]:
        return sorted(
            self.missing + self.no_topic + self.no_homework,
            key=lambda i: (i.day, i.lesson_number, i.assignment.id, i.kind),
        )


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def journal_deadlines(school: School, now: datetime, teacher_id: int | None = None) -> dict[int, TeacherDeadlines]:
    """Per teacher, what is overdue in their journals of the current year."""
    tz = school.timezone
    settings = school_settings(school.settings)
    today = now.astimezone(ZoneInfo(tz)).date()
    query = (
        queries.assignments_in_force(school.id)
        .options(
            joinedload(TeachingAssignment.class_group),
            joinedload(TeachingAssignment.subject),
            joinedload(TeachingAssignment.subgroup),
            joinedload(TeachingAssignment.teacher),
            joinedload(TeachingAssignment.scale),
        )
        .order_by(TeachingAssignment.id)
    )
    if teacher_id is not None:
        query = query.where(TeachingAssignment.teacher_id == teacher_id)
    assignments = list(db.session.scalars(query).unique())
    result: dict[int, TeacherDeadlines] = {}
    for a in assignments:
        result.setdefault(a.teacher_id, TeacherDeadlines(a.teacher)).assignments.append(a)
    if not assignments:
        return result

    year_ids = {a.year_id for a in assignments}
    periods_by_key: dict[tuple[int, str], list[StudyPeriod]] = defaultdict(list)
    for p in db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id.in_(year_ids)).order_by(StudyPeriod.number)
    ):
        periods_by_key[(p.year_id, p.scheme)].append(p)
    holidays = list(db.session.scalars(select(Holiday).where(Holiday.year_id.in_(year_ids))))

    # The current period of each assignment's class, up to today.
    ranges: dict[int, tuple[date, date]] = {}
    for a in assignments:
        period = current_period(periods_by_key.get((a.year_id, a.class_group.period_scheme), []), today)
        if has_begun(period, today):
            ranges[a.id] = (period.start_date, min(period.end_date, today))
    if not ranges:
        return result
    ids = list(ranges)
    first_day = min(start for start, _end in ranges.values())

    def is_holiday(day: date) -> bool:
        return any(h.start_date <= day <= h.end_date for h in holidays)

    def past_deadline(day: date) -> bool:
        return now > deadlines.lesson_deadline(day, tz)

    # What the timetable expected.
    slots = list(db.session.scalars(select(ScheduleSlot).where(ScheduleSlot.assignment_id.in_(ids))))
    removed: set[tuple[int, date, int]] = set()
    expected: dict[tuple[int, date], set[int]] = defaultdict(set)
    for change in db.session.scalars(
        select(ScheduleChange).where(ScheduleChange.assignment_id.in_(ids), ScheduleChange.date >= first_day,
                                     ScheduleChange.date <= today)
    ):
        if change.kind in REMOVING_CHANGES:
            removed.add((change.assignment_id, change.date, change.lesson_number))
        elif change.kind == "extra":
            expected[(change.assignment_id, change.date)].add(change.lesson_number)
    slots_by_assignment: dict[int, list[ScheduleSlot]] = defaultdict(list)
    for slot in slots:
        slots_by_assignment[slot.assignment_id].append(slot)
    for assignment_id, (start, end) in ranges.items():
        for day in _days(start, end):
            if is_holiday(day):
                continue
            for slot in slots_by_assignment.get(assignment_id, []):
                if slot.weekday == day.isoweekday() and slot.valid_from <= day and (slot.valid_to is None or day <= slot.valid_to):
                    expected[(assignment_id, day)].add(slot.lesson_number)
    for key in list(expected):
        expected[key] = {n for n in expected[key] if (key[0], key[1], n) not in removed}

    # What was recorded.
    lessons = db.session.execute(
        select(Lesson.id, Lesson.assignment_id, Lesson.date, Lesson.lesson_number, Lesson.topic, Lesson.entered_late)
        .where(Lesson.assignment_id.in_(ids), Lesson.date >= first_day, Lesson.date <= today)
    ).all()
    lesson_ids_query = select(Lesson.id).where(
        Lesson.assignment_id.in_(ids), Lesson.date >= first_day, Lesson.date <= today
    )
    with_homework = set(
        db.session.scalars(
            select(Homework.lesson_id).where(Homework.lesson_id.in_(lesson_ids_query), Homework.is_deleted.is_(False)).distinct()
        )
    )
    bells = school_bells(school.id)
    late_rows = {}
    for model in (Attendance, Mark, Homework):
        late_rows[model] = dict(
            db.session.execute(
                select(model.lesson_id, func.count())
                .where(model.lesson_id.in_(lesson_ids_query), model.entered_late.is_(True), model.is_deleted.is_(False))
                .group_by(model.lesson_id)
            ).all()
        )

    by_id = {a.id: a for a in assignments}
    recorded: dict[tuple[int, date], list[int]] = defaultdict(list)
    # When each of the teacher's lessons of a day ends, by its own class's bells (shift, grade,
    # shortened day: domain/bells.py); the homework is due after the last (domain/deadlines.py).
    day_ends: dict[tuple[int, date], list[time | None]] = defaultdict(list)

    def lesson_ended(a: TeachingAssignment, day: date, number: int) -> None:
        day_ends[(a.teacher_id, day)].append(bells.ends_at(a.class_group.shift, a.class_group.grade, day, number))

    for row in lessons:
        a = by_id[row.assignment_id]
        start, end = ranges[a.id]
        if not start <= row.date <= end:
            continue
        recorded[(a.id, row.date)].append(row.lesson_number)
        lesson_ended(a, row.date, row.lesson_number)
    for (assignment_id, day), numbers in expected.items():
        for number in numbers:
            lesson_ended(by_id[assignment_id], day, number)

    for row in lessons:
        a = by_id[row.assignment_id]
        start, end = ranges[a.id]
        if not start <= row.date <= end:
            continue
        report = result[a.teacher_id]
        late = report.late
        late.lessons += 1 if row.entered_late else 0
        late.attendance += late_rows[Attendance].get(row.id, 0)
        late.marks += late_rows[Mark].get(row.id, 0)
        late.homework += late_rows[Homework].get(row.id, 0)
        if not (row.topic or "").strip() and past_deadline(row.date):
            report.no_topic.append(OverdueItem("no_topic", a, row.date, row.lesson_number, row.id))
        if a.carries_marks and row.id not in with_homework:
            due = deadlines.homework_deadline(
                row.date, day_ends.get((a.teacher_id, row.date), ()), settings["homework_deadline_hours"], tz
            )
            if now > due:
                report.no_homework.append(OverdueItem("no_homework", a, row.date, row.lesson_number, row.id))

    for (assignment_id, day), numbers in sorted(expected.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if not past_deadline(day):
            continue
        got = list(recorded.get((assignment_id, day), []))
        unmatched = sorted(n for n in numbers if n not in got)
        # a lesson recorded without its number (or with another one) covers a slot of that day
        spare = len(got) - sum(1 for n in numbers if n in got)
        for number in unmatched[max(spare, 0):]:
            a = by_id[assignment_id]
            result[a.teacher_id].missing.append(OverdueItem("missing", a, day, number))
    return result


# --- Figures per journal and per class (REP-3, 002:4.2-4.3) -----------------------------------


@dataclass
class JournalFigures:
    """One journal (teacher × class × subject) in the current period of its class, up to today."""

    assignment: TeachingAssignment
    period: StudyPeriod
    lessons: int = 0
    with_topic: int = 0
    with_homework: int = 0
    on_day: int = 0
    late: LateCounts = field(default_factory=LateCounts)
    students: int = 0
    marks: int = 0
    below_minimum: int = 0
    minimum: int = 0

    @property
    def topic_share(self) -> int | None:
        return control_rules.share(self.with_topic, self.lessons)

    @property
    def homework_share(self) -> int | None:
        """None in a class that gets no homework (first grade, 003 Положение 1.3)."""
        return control_rules.share(self.with_homework, self.lessons) if self.assignment.carries_marks else None

    @property
    def on_day_share(self) -> int | None:
        return control_rules.share(self.on_day, self.lessons)

    @property
    def marks_per_student(self) -> float | None:
        return round(self.marks / self.students, 1) if self.students and self.assignment.carries_marks else None


@dataclass
class FamilyParticipation:
    """A class's families in the current period: students, those with a parent's account, and
    those whose parent signed in (and so opened the diary) since the period began."""

    class_group: ClassGroup
    period: StudyPeriod
    students: int = 0
    families: int = 0
    active: int = 0

    @property
    def active_share(self) -> int | None:
        return control_rules.share(self.active, self.families)


def journal_figures(school: School, now: datetime, assignments: list[TeachingAssignment] | None = None,
                    ) -> tuple[list[JournalFigures], list[FamilyParticipation]]:
    """The figures of every journal of the current year, by teacher, and the families'
    participation per class: a fixed number of statements, however many journals, lessons,
    marks and families (one more per distinct period range, a handful at most). `assignments`:
    the journals in force as `journal_deadlines` loaded them, when the page has them already."""
    tz = school.timezone
    settings = school_settings(school.settings)
    today = now.astimezone(ZoneInfo(tz)).date()
    if assignments is None:
        assignments = list(db.session.scalars(
            queries.assignments_in_force(school.id)
            .options(
                joinedload(TeachingAssignment.class_group),
                joinedload(TeachingAssignment.subject),
                joinedload(TeachingAssignment.subgroup),
                joinedload(TeachingAssignment.teacher),
                joinedload(TeachingAssignment.scale),
            )
            .order_by(TeachingAssignment.id)
        ).unique())
    if not assignments:
        return [], []
    periods_by_key: dict[tuple[int, str], list[StudyPeriod]] = defaultdict(list)
    for p in db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id.in_({a.year_id for a in assignments})).order_by(StudyPeriod.number)
    ):
        periods_by_key[(p.year_id, p.scheme)].append(p)

    figures: dict[int, JournalFigures] = {}
    classes: dict[int, FamilyParticipation] = {}
    for a in assignments:
        period = current_period(periods_by_key.get((a.year_id, a.class_group.period_scheme), []), today)
        if not has_begun(period, today):
            continue
        minimum = settings["min_marks_per_period"].get(period.scheme, 0)
        figures[a.id] = JournalFigures(a, period, minimum=minimum)
        if a.class_group.kind == "class" and a.class_id not in classes:
            classes[a.class_id] = FamilyParticipation(a.class_group, period)
    if not figures:
        return [], []

    def day_range(f: JournalFigures) -> tuple[date, date]:
        return f.period.start_date, min(f.period.end_date, today)

    mark_counts: dict[tuple[int, int], int] = {}  # (assignment, student) -> marks in the period
    by_range: dict[tuple[date, date], list[int]] = defaultdict(list)
    for f in figures.values():
        by_range[day_range(f)].append(f.assignment.id)

    for (start, end), ids in by_range.items():
        in_range = (Lesson.assignment_id.in_(ids), Lesson.date >= start, Lesson.date <= end)
        lesson_ids = select(Lesson.id).where(*in_range)
        # per lesson: whether it has homework, and how many of its homework entries came late
        homework_late: dict[int, int] = defaultdict(int)
        for lesson_id, late in db.session.execute(
            select(Homework.lesson_id, Homework.entered_late)
            .where(Homework.lesson_id.in_(lesson_ids), Homework.is_deleted.is_(False))
        ):
            homework_late[lesson_id] += 1 if late else 0
        for row in db.session.execute(
            select(Lesson.id, Lesson.assignment_id, Lesson.date, Lesson.topic, Lesson.entered_at, Lesson.entered_late)
            .where(*in_range)
        ):
            f = figures[row.assignment_id]
            f.lessons += 1
            f.with_topic += 1 if (row.topic or "").strip() else 0
            f.with_homework += 1 if row.id in homework_late else 0
            f.on_day += 1 if control_rules.recorded_on_day(row.entered_at, row.date, tz) else 0
            f.late.lessons += 1 if row.entered_late else 0
            f.late.homework += homework_late.get(row.id, 0)
        for assignment_id, n in db.session.execute(
            select(Lesson.assignment_id, func.count())
            .join(Attendance, Attendance.lesson_id == Lesson.id)
            .where(*in_range, Attendance.entered_late.is_(True), Attendance.is_deleted.is_(False))
            .group_by(Lesson.assignment_id)
        ):
            figures[assignment_id].late.attendance = n
        # marks per (journal, student), and of them those entered late
        for assignment_id, student_id, n, late in db.session.execute(
            select(Lesson.assignment_id, Mark.student_id, func.count(),
                   func.sum(case((Mark.entered_late.is_(True), 1), else_=0)))
            .join(Mark, Mark.lesson_id == Lesson.id)
            .where(*in_range, Mark.is_deleted.is_(False))
            .group_by(Lesson.assignment_id, Mark.student_id)
        ):
            mark_counts[(assignment_id, student_id)] = n
            figures[assignment_id].late.marks += int(late or 0)

    # The rosters of today: the class's members, narrowed to the subgroup's where it is split.
    class_ids = {f.assignment.class_id for f in figures.values()}
    subgroup_ids = {f.assignment.subgroup_id for f in figures.values() if f.assignment.subgroup_id}
    members: dict[int, set[int]] = defaultdict(set)
    in_subgroup: dict[int, set[int]] = defaultdict(set)
    for class_id, student_id, subgroup_id in db.session.execute(
        select(ClassMembership.class_id, ClassMembership.student_id, SubgroupMember.subgroup_id)
        .outerjoin(SubgroupMember, and_(SubgroupMember.student_id == ClassMembership.student_id,
                                        SubgroupMember.subgroup_id.in_(subgroup_ids)))
        .where(
            ClassMembership.class_id.in_(class_ids), ClassMembership.since <= today,
            (ClassMembership.until.is_(None)) | (ClassMembership.until >= today),
        )
    ):
        members[class_id].add(student_id)
        if subgroup_id is not None:
            in_subgroup[subgroup_id].add(student_id)
    for f in figures.values():
        a = f.assignment
        roster = members[a.class_id] & in_subgroup[a.subgroup_id] if a.subgroup_id else members[a.class_id]
        f.students = len(roster)
        f.marks = sum(mark_counts.get((a.id, s), 0) for s in roster)
        if a.carries_marks:
            f.below_minimum = sum(
                1 for s in roster if control_rules.below_minimum(mark_counts.get((a.id, s), 0), f.minimum))

    # Families: a student's parents' accounts, and their last sign-in. Sessions end after the
    # families' idle time and at most 12 hours after sign-in (config.py), so a parent who opened
    # the diary in the period signed in within it: the login events already say so, and the
    # diary pages need not write on every visit.
    students = set().union(*(members[c] for c in classes)) if classes else set()
    # student -> the last sign-in of any of their parents since the earliest period start
    # (None: a family with a parent's account that has not signed in); one statement
    last_login: dict[int, datetime | None] = {}
    if students:
        since = min(p.period.start_date for p in classes.values())
        signed_in = and_(LoginEvent.user_id == ParentLink.parent_id, LoginEvent.event == "success",
                         LoginEvent.at >= datetime.combine(since, time(0), ZoneInfo(tz)))
        last_login = {
            student_id: as_utc(at) for student_id, at in db.session.execute(
                select(ParentLink.student_id, func.max(LoginEvent.at))
                .outerjoin(LoginEvent, signed_in)
                .where(ParentLink.student_id.in_(students))
                .group_by(ParentLink.student_id)
            )
        }
    for class_id, p in classes.items():
        start_at = datetime.combine(p.period.start_date, time(0), ZoneInfo(tz))
        p.students = len(members[class_id])
        for student_id in members[class_id]:
            if student_id not in last_login:
                continue  # no parent's account: not a family the diary can reach
            p.families += 1
            at = last_login[student_id]
            if at is not None and at >= start_at:
                p.active += 1

    rows = sorted(figures.values(), key=lambda f: (
        f.assignment.teacher.last_name, f.assignment.teacher.first_name, f.assignment.teacher_id,
        f.assignment.class_group.grade, f.assignment.class_group.name, f.assignment.subject.name, f.assignment.id))
    participation = sorted(classes.values(), key=lambda p: (p.class_group.grade, p.class_group.name))
    return rows, participation
