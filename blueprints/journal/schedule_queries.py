"""The timetable as plain data (ADM-9): the weekly slots of a class or a teacher with the
changes of the shown dates applied and marked (замена, отмена, перенос, дополнительный урок).

Returns dataclasses of plain values, so the diary (DIA-1) and printing reuse them without
touching the ORM. A week is three statements: bells (with the shortened days), slots, changes.
The bell times of each lesson come from domain/bells.py: the class's shift and grade, the date."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, lazyload

from domain.bells import BellBook
from extensions import db
from models import ClassGroup, ScheduleChange, ScheduleSlot, TeachingAssignment, User
from utils.bells import school_bells

REGULAR = "regular"
# Kinds of ScheduleChange (models.journal.CHANGE_KINDS) are also the statuses of an item.
SUBSTITUTION, CANCELLED, MOVED, EXTRA = "substitution", "cancelled", "moved", "extra"


@dataclass(frozen=True)
class ScheduledLesson:
    """One lesson of one date as the timetable shows it."""

    date: date
    lesson_number: int
    starts: str  # "08:30", "" when the bell schedule has no such number
    ends: str
    assignment_id: int
    class_id: int
    class_name: str
    subgroup_name: str
    subject_name: str
    teacher_id: int
    teacher_name: str
    room: str
    status: str = REGULAR  # regular, substitution, cancelled, moved, extra
    substitute_id: int | None = None
    substitute_name: str = ""
    note: str = ""
    change_id: int | None = None
    slot_id: int | None = None
    subgroup_id: int | None = None
    subject_short_name: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def given_by_id(self) -> int | None:
        """Who actually teaches it on that date (None when cancelled)."""
        if self.is_cancelled:
            return None
        return self.substitute_id if self.status == SUBSTITUTION and self.substitute_id else self.teacher_id

    @property
    def group_name(self) -> str:
        return f"{self.class_name} ({self.subgroup_name})" if self.subgroup_name else self.class_name


@dataclass(frozen=True)
class DaySchedule:
    date: date
    lessons: list[ScheduledLesson] = field(default_factory=list)


@dataclass(frozen=True)
class WeekSchedule:
    monday: date
    days: list[DaySchedule]
    bells: BellBook

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def changes_count(self) -> int:
        return sum(1 for d in self.days for item in d.lessons if item.status != REGULAR)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def _assignment_options(*path):
    return (
        joinedload(*path).joinedload(TeachingAssignment.class_group),
        joinedload(*path).joinedload(TeachingAssignment.subgroup),
        joinedload(*path).joinedload(TeachingAssignment.subject),
        # the names only: not the roles, which User loads eagerly by default
        joinedload(*path).joinedload(TeachingAssignment.teacher).options(lazyload(User.role_rows)),
    )


def _item(day: date, number: int, assignment: TeachingAssignment, room: str, bells: BellBook, **extra) -> ScheduledLesson:
    class_group = assignment.class_group
    starts, ends = bells.times(class_group.shift, class_group.grade, day, number)
    return ScheduledLesson(
        date=day,
        lesson_number=number,
        starts=starts,
        ends=ends,
        assignment_id=assignment.id,
        class_id=assignment.class_id,
        class_name=assignment.class_group.name,
        subgroup_name=assignment.subgroup.name if assignment.subgroup else "",
        subject_name=assignment.subject.name,
        teacher_id=assignment.teacher_id,
        teacher_name=assignment.teacher.short_name,
        room=room,
        subgroup_id=assignment.subgroup_id,
        subject_short_name=assignment.subject.short_name or "",
        **extra,
    )


def _effective_days(
    school_id: int, start: date, end: date, slot_filter, change_filter, bells=None
) -> list[DaySchedule]:
    """The timetable of every date from start to end, changes applied."""
    bells = school_bells(school_id) if bells is None else bells
    slots = db.session.scalars(
        select(ScheduleSlot)
        .join(TeachingAssignment, TeachingAssignment.id == ScheduleSlot.assignment_id)
        .where(
            ScheduleSlot.school_id == school_id,
            TeachingAssignment.is_active.is_(True),
            ScheduleSlot.valid_from <= end,
            or_(ScheduleSlot.valid_to.is_(None), ScheduleSlot.valid_to >= start),
            slot_filter,
        )
        .options(*_assignment_options(ScheduleSlot.assignment))
    ).all()
    changes = db.session.scalars(
        select(ScheduleChange)
        .join(TeachingAssignment, TeachingAssignment.id == ScheduleChange.assignment_id)
        .where(
            ScheduleChange.school_id == school_id,
            ScheduleChange.date >= start,
            ScheduleChange.date <= end,
            change_filter,
        )
        .options(*_assignment_options(ScheduleChange.assignment), joinedload(ScheduleChange.substitute).options(lazyload(User.role_rows)))
        .order_by(ScheduleChange.date, ScheduleChange.id)
    ).all()
    days = []
    day = start
    while day <= end:
        items: dict[tuple[int, int], ScheduledLesson] = {}
        for slot in slots:
            if slot.weekday != day.isoweekday() or slot.valid_from > day:
                continue
            if slot.valid_to is not None and slot.valid_to < day:
                continue
            items[(slot.assignment_id, slot.lesson_number)] = _item(
                day, slot.lesson_number, slot.assignment, slot.room, bells, slot_id=slot.id
            )
        for change in (c for c in changes if c.date == day):
            key = (change.assignment_id, change.lesson_number)
            marks = dict(status=change.kind, note=change.note, change_id=change.id)
            if change.kind == SUBSTITUTION and change.substitute is not None:
                marks.update(substitute_id=change.substitute_id, substitute_name=change.substitute.short_name)
            if key in items:
                current = items[key]
                if current.is_cancelled and change.kind != CANCELLED:
                    continue  # a cancelled lesson stays cancelled
                items[key] = replace(current, room=change.room or current.room, **marks)
            elif change.kind != CANCELLED:
                # a substitution of a lesson outside the weekly slots, a moved or an extra lesson
                items[key] = _item(day, change.lesson_number, change.assignment, change.room, bells, **marks)
        days.append(DaySchedule(day, sorted(items.values(), key=lambda i: (i.lesson_number, i.class_name, i.subject_name))))
        day += timedelta(days=1)
    return days


def _week(school_id: int, monday: date, slot_filter, change_filter) -> WeekSchedule:
    monday = monday_of(monday)
    bells = school_bells(school_id)
    days = _effective_days(school_id, monday, monday + timedelta(days=6), slot_filter, change_filter, bells)
    # Monday to Friday always, Saturday and Sunday only when something happens on them.
    shown = [d for d in days if d.date.isoweekday() <= 5 or d.lessons]
    return WeekSchedule(monday, shown, bells)


def week_schedule(class_group: ClassGroup, monday: date) -> WeekSchedule:
    """The week of a class, from `monday` (any day of the week is accepted), changes applied."""
    in_class = TeachingAssignment.class_id == class_group.id
    return _week(class_group.school_id, monday, in_class, in_class)


def class_day(class_group: ClassGroup, day: date) -> list[ScheduledLesson]:
    """The lessons of a class on one date as the timetable has them, changes applied (the
    cancelled ones included, marked so)."""
    in_class = TeachingAssignment.class_id == class_group.id
    return _effective_days(class_group.school_id, day, day, in_class, in_class)[0].lessons


def teacher_week_schedule(teacher: User, monday: date) -> WeekSchedule:
    """The week of a teacher: their own lessons (those taken by a substitute marked so) and the
    lessons they give as a substitute."""
    return _week(
        teacher.school_id,
        monday,
        TeachingAssignment.teacher_id == teacher.id,
        or_(TeachingAssignment.teacher_id == teacher.id, ScheduleChange.substitute_id == teacher.id),
    )


def teacher_day(teacher: User, day: date) -> list[ScheduledLesson]:
    """Every lesson of the date that concerns the teacher (see teacher_week_schedule)."""
    return _effective_days(
        teacher.school_id,
        day,
        day,
        TeachingAssignment.teacher_id == teacher.id,
        or_(TeachingAssignment.teacher_id == teacher.id, ScheduleChange.substitute_id == teacher.id),
    )[0].lessons


def lessons_given_by(teacher: User, day: date) -> list[ScheduledLesson]:
    """The lessons the teacher actually gives on the date: their own, not cancelled and not
    taken by a substitute, plus those where they are the substitute."""
    return [item for item in teacher_day(teacher, day) if item.given_by_id == teacher.id]


def teacher_busy_at(teacher: User, day: date, lesson_number: int, ignore_change_id: int | None = None) -> ScheduledLesson | None:
    """The lesson the teacher already gives at that time, if any."""
    for item in lessons_given_by(teacher, day):
        if item.lesson_number == lesson_number and (ignore_change_id is None or item.change_id != ignore_change_id):
            return item
    return None


def scheduled_lesson(assignment: TeachingAssignment, day: date, lesson_number: int) -> ScheduledLesson | None:
    """The lesson of an assignment at that date and number as the timetable has it."""
    days = _effective_days(
        assignment.school_id,
        day,
        day,
        TeachingAssignment.id == assignment.id,
        TeachingAssignment.id == assignment.id,
    )
    return next((i for i in days[0].lessons if i.lesson_number == lesson_number), None)


def changes_between(school_id: int, start: date, end: date) -> list[ScheduleChange]:
    """The recorded changes of the dates, for the page that manages them."""
    return list(
        db.session.scalars(
            select(ScheduleChange)
            .where(ScheduleChange.school_id == school_id, ScheduleChange.date >= start, ScheduleChange.date <= end)
            .options(*_assignment_options(ScheduleChange.assignment), joinedload(ScheduleChange.substitute).options(lazyload(User.role_rows)))
            .order_by(ScheduleChange.date, ScheduleChange.lesson_number, ScheduleChange.id)
        ).unique()
    )
