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

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from blueprints.journal import queries
from domain import deadlines
from domain.periods import current_period, has_begun
from domain.settings import school_settings
from extensions import db
from models import (
    Attendance,
    Holiday,
    Homework,
    Lesson,
    Mark,
    ScheduleChange,
    ScheduleSlot,
    School,
    StudyPeriod,
    TeachingAssignment,
    User,
)
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
