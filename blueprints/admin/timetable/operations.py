"""Use cases of the weekly timetable and the rooms (ADM-9, issue 10): setting a cell of a
class's week from a date, the rooms list, and the queries the editor and the printed timetable
read. Operations only flush; the view commits once.

History: a change "from D" closes the slot in force with valid_to = D - 1 and starts a new one
on D, so the lessons already held keep the timetable they were given by; a day before the
school's today is never changed (D >= today)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from blueprints.admin.imports import pending
from blueprints.admin.imports import timetable_plan as importing
from blueprints.admin.imports.reading import normalise_class_name
from domain import timetable as rules
from domain.messages import N_, Refusal
from extensions import db
from models import (
    AcademicYear,
    BellSchedule,
    ClassGroup,
    Room,
    ScheduleSlot,
    School,
    Subgroup,
    Subject,
    TeachingAssignment,
    User,
    UserRole,
)
from utils import audit
from utils.timeutil import school_today


class TimetableError(Refusal):
    """A timetable change that cannot be made; nothing was stored."""


class TimetableClash(TimetableError):
    """The change would put a teacher, a room or a class in two lessons at once."""

    status = 409


def today_of(school: School) -> date:
    return school_today(school.timezone)


def check_editable_from(day: date, today: date) -> None:
    if day < today:
        raise TimetableError(
            N_("Расписание нельзя изменить задним числом: выберите дату не раньше сегодняшней (%(today)s)."),
            today=today.strftime("%d.%m.%Y"),
        )


# Rooms ----------------------------------------------------------------------------------------


def school_rooms(school_id: int, active_only: bool = False) -> list[Room]:
    query = select(Room).where(Room.school_id == school_id)
    if active_only:
        query = query.where(Room.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Room.is_active.desc(), Room.name)))


def _room_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TimetableError(N_("Укажите номер или название кабинета."))
    if len(name) > 20:
        raise TimetableError(N_("Номер или название кабинета — не длиннее 20 знаков."))
    return name


def _room_name_free(school_id: int, name: str, room_id: int | None = None) -> None:
    taken = db.session.scalar(
        select(Room.id).where(Room.school_id == school_id, func.lower(Room.name) == name.lower(), Room.id != (room_id or 0))
    )
    if taken is not None:
        raise TimetableError(N_("Кабинет «%(name)s» уже есть в списке."), name=name)


def add_room(school: School, name: str, note: str) -> Room:
    name = _room_name(name)
    _room_name_free(school.id, name)
    room = Room(school_id=school.id, name=name, note=(note or "").strip()[:200], is_active=True)
    db.session.add(room)
    db.session.flush()
    audit.record("room", room.id, "create", after={"name": name, "note": room.note})
    return room


def update_room(room: Room, name: str, note: str, today: date) -> Room:
    """Rename (a room renumbered) or change the note; the timetable in force from today shows
    the new name, the weeks before keep the old one."""
    name = _room_name(name)
    _room_name_free(room.school_id, name, room.id)
    before = {"name": room.name, "note": room.note}
    room.name, room.note = name, (note or "").strip()[:200]
    if before["name"] != name:
        for slot in db.session.scalars(
            select(ScheduleSlot).where(
                ScheduleSlot.room_id == room.id, or_(ScheduleSlot.valid_to.is_(None), ScheduleSlot.valid_to >= today)
            )
        ):
            slot.room = name
    audit.record("room", room.id, "update", before=before, after={"name": room.name, "note": room.note})
    return room


def set_room_active(room: Room, active: bool) -> Room:
    """A switched-off room is no longer offered; the lessons already planned in it stay."""
    if room.is_active != active:
        room.is_active = active
        audit.record("room", room.id, "activate" if active else "deactivate", after={"name": room.name})
    return room


# Reading the timetable -------------------------------------------------------------------------


def lesson_numbers(school_id: int, slots: Iterable[ScheduleSlot] = ()) -> list[int]:
    bell_numbers = list(db.session.scalars(select(BellSchedule.lesson_number).where(BellSchedule.school_id == school_id)))
    return rules.lesson_numbers(bell_numbers, [s.lesson_number for s in slots])


def _slot_options():
    path = joinedload(ScheduleSlot.assignment)
    return (
        path.joinedload(TeachingAssignment.class_group),
        path.joinedload(TeachingAssignment.subgroup),
        path.joinedload(TeachingAssignment.subject),
        path.joinedload(TeachingAssignment.teacher).options(lazyload(User.role_rows)),
    )


def _in_force(query, start: date, end: date | None):
    """Slots of active assignments that are valid on some day of [start, end] (end None: open)."""
    query = query.where(
        TeachingAssignment.is_active.is_(True),
        or_(ScheduleSlot.valid_to.is_(None), ScheduleSlot.valid_to >= start),
    )
    if end is not None:
        query = query.where(ScheduleSlot.valid_from <= end)
    return query


def _slots_query(school_id: int):
    return (
        select(ScheduleSlot)
        .join(TeachingAssignment, TeachingAssignment.id == ScheduleSlot.assignment_id)
        .where(ScheduleSlot.school_id == school_id)
        .options(*_slot_options())
    )


def class_slots(class_group: ClassGroup, day: date) -> list[ScheduleSlot]:
    """The week of a class as in force on `day`."""
    query = _in_force(_slots_query(class_group.school_id), day, day).where(TeachingAssignment.class_id == class_group.id)
    return _ordered(db.session.scalars(query))


def teacher_slots(teacher: User, day: date) -> list[ScheduleSlot]:
    query = _in_force(_slots_query(teacher.school_id), day, day).where(TeachingAssignment.teacher_id == teacher.id)
    return _ordered(db.session.scalars(query))


def _ordered(slots) -> list[ScheduleSlot]:
    return sorted(
        slots,
        key=lambda s: (s.weekday, s.lesson_number, s.assignment.class_group.name,
                       s.assignment.subgroup.name if s.assignment.subgroup else ""),
    )


def grid(slots: Iterable[ScheduleSlot]) -> dict[tuple[int, int], list[ScheduleSlot]]:
    cells: dict[tuple[int, int], list[ScheduleSlot]] = {}
    for slot in slots:
        cells.setdefault((slot.weekday, slot.lesson_number), []).append(slot)
    return cells


def class_assignments(class_group: ClassGroup) -> list[TeachingAssignment]:
    """The class's active assignments: what a cell may hold."""
    return list(
        db.session.scalars(
            select(TeachingAssignment)
            .where(TeachingAssignment.class_id == class_group.id, TeachingAssignment.is_active.is_(True))
            .options(
                joinedload(TeachingAssignment.subject),
                joinedload(TeachingAssignment.subgroup),
                joinedload(TeachingAssignment.class_group),
                joinedload(TeachingAssignment.teacher).options(lazyload(User.role_rows)),
            )
        ).unique()
    )


def assignment_label(assignment: TeachingAssignment) -> str:
    label = f"{assignment.subject.name} — {assignment.teacher.short_name}"
    return f"{label} ({assignment.subgroup.name})" if assignment.subgroup else label


def entry(key, weekday: int, number: int, assignment: TeachingAssignment, room: Room | None, room_name: str = "") -> rules.Entry:
    return rules.Entry(
        key=key,
        weekday=weekday,
        lesson_number=number,
        class_id=assignment.class_id,
        class_name=assignment.class_group.name,
        subgroup_id=assignment.subgroup_id,
        subgroup_name=assignment.subgroup.name if assignment.subgroup else "",
        teacher_id=assignment.teacher_id,
        teacher_name=assignment.teacher.short_name,
        subject_name=assignment.subject.name,
        room_id=room.id if room is not None else None,
        room_name=room.name if room is not None else room_name,
    )


def slot_entry(slot: ScheduleSlot) -> rules.Entry:
    return rules.Entry(
        key=("slot", slot.id),
        weekday=slot.weekday,
        lesson_number=slot.lesson_number,
        class_id=slot.assignment.class_id,
        class_name=slot.assignment.class_group.name,
        subgroup_id=slot.assignment.subgroup_id,
        subgroup_name=slot.assignment.subgroup.name if slot.assignment.subgroup else "",
        teacher_id=slot.assignment.teacher_id,
        teacher_name=slot.assignment.teacher.short_name,
        subject_name=slot.assignment.subject.name,
        room_id=slot.room_id,
        room_name=slot.room,
    )


def slots_at(school_id: int, weekday: int, number: int, start: date, end: date | None) -> list[ScheduleSlot]:
    """Every slot of the school at a weekday and lesson number in force on some day of [start, end]."""
    query = _in_force(_slots_query(school_id), start, end).where(
        ScheduleSlot.weekday == weekday, ScheduleSlot.lesson_number == number
    )
    return list(db.session.scalars(query))


def _snapshot(slot: ScheduleSlot) -> dict:
    return {
        "assignment_id": slot.assignment_id,
        "title": slot.assignment.title,
        "teacher": slot.assignment.teacher.short_name,
        "room": slot.room,
        "valid_from": slot.valid_from.isoformat(),
        "valid_to": slot.valid_to.isoformat() if slot.valid_to else None,
    }


# Changing a cell ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellChoice:
    assignment: TeachingAssignment
    room: Room | None


def set_cell(
    class_group: ClassGroup,
    weekday: int,
    number: int,
    day: date,
    choices: list[CellChoice],
    today: date,
) -> list[ScheduleSlot]:
    """The lessons of `class_group` at `weekday`, `number` from `day` on: none (the cell is
    emptied), one, or two lessons of different subgroups. Until the cell's next change already
    planned after `day`, if there is one. Refused with a Russian message when a teacher, a room
    or the class would be in two lessons at once; nothing is stored then."""
    if weekday not in rules.WEEKDAYS or not 1 <= number <= rules.MAX_LESSON_NUMBER:
        raise TimetableError(N_("Такой клетки в расписании нет: день недели 1–6, номер урока 1–%(max)s."),
                             max=rules.MAX_LESSON_NUMBER)
    check_editable_from(day, today)
    if len(choices) > 2:
        raise TimetableError(N_("В одной клетке — не больше двух уроков (по подгруппам)."))
    for choice in choices:
        a = choice.assignment
        if a.class_id != class_group.id or not a.is_active:
            raise TimetableError(N_("Этот урок не из нагрузки класса %(name)s."), name=class_group.name)
        if choice.room is not None and (choice.room.school_id != class_group.school_id or not choice.room.is_active):
            raise TimetableError(N_("Такого кабинета нет в списке кабинетов школы."))

    cell = [s for s in slots_at(class_group.school_id, weekday, number, day, None) if s.assignment.class_id == class_group.id]
    current = [s for s in cell if s.valid_from <= day]
    later = min((s.valid_from for s in cell if s.valid_from > day), default=None)
    end = later - timedelta(days=1) if later else None
    wanted = {(c.assignment.id, c.room.id if c.room else None) for c in choices}
    if wanted == {(s.assignment_id, s.room_id) for s in current} and len(wanted) == len(current):
        return current  # nothing changes

    new_entries = [entry(("new", i), weekday, number, c.assignment, c.room) for i, c in enumerate(choices)]
    current_ids = {s.id for s in current}
    others = [slot_entry(s) for s in slots_at(class_group.school_id, weekday, number, day, end) if s.id not in current_ids]
    clash = rules.first_clash(new_entries, others)
    if clash is not None:
        message, params = clash.message()
        raise TimetableClash(message, **params)

    before = [_snapshot(s) for s in current]
    for slot in current:
        if slot.valid_from < day:
            slot.valid_to = day - timedelta(days=1)  # the weeks already held keep their lesson
        else:
            db.session.delete(slot)  # starts today or later: nothing has been held by it
    db.session.flush()
    created = []
    for c in choices:
        slot = ScheduleSlot(
            school_id=class_group.school_id,
            assignment_id=c.assignment.id,
            weekday=weekday,
            lesson_number=number,
            room=c.room.name if c.room else "",
            room_id=c.room.id if c.room else None,
            valid_from=day,
            valid_to=end,
        )
        slot.assignment = c.assignment
        db.session.add(slot)
        created.append(slot)
    db.session.flush()
    audit.record(
        "timetable",
        class_group.id,
        "update",
        before={"cell": [weekday, number], "slots": before},
        after={"cell": [weekday, number], "valid_from": day.isoformat(), "slots": [_snapshot(s) for s in created]},
    )
    return created


# Import from a file (issue 10, item 4) -----------------------------------------------------------


def import_context(school: School, day: date):
    """A snapshot of the school for checking a timetable file that takes effect on `day`."""
    context = importing.TimetableContext()
    classes = db.session.scalars(
        select(ClassGroup)
        .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
        .where(ClassGroup.school_id == school.id, AcademicYear.is_current.is_(True))
    ).all()
    for c in classes:
        context.classes[normalise_class_name(c.name)] = c.id
        context.class_names[c.id] = c.name
    for g in db.session.scalars(select(Subgroup).where(Subgroup.class_id.in_(context.class_names or {0}))):
        context.subgroups[(g.class_id, importing.norm_name(g.name))] = g.id
    for s in db.session.scalars(select(Subject).where(Subject.school_id == school.id, Subject.is_active.is_(True))):
        for name in (s.name, s.short_name):
            if name:
                context.subjects.setdefault(importing.norm_name(name), str(s.id))
    teachers = db.session.scalars(
        select(User)
        .where(
            User.school_id == school.id,
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(("teacher", "class_teacher", "extra_teacher")))),
        )
        .options(lazyload(User.role_rows))
    ).all()
    for t in teachers:
        for key in importing.teacher_keys(t.login, t.last_name, t.first_name, t.middle_name):
            context.teachers.setdefault(key, set()).add(t.id)
    for a in class_assignments_of(context.class_names):
        context.assignments.append(
            importing.AssignmentInfo(
                id=a.id, class_id=a.class_id, class_name=a.class_group.name, subject_key=str(a.subject_id),
                subject_name=a.subject.name, teacher_id=a.teacher_id, teacher_name=a.teacher.short_name,
                subgroup_id=a.subgroup_id, subgroup_name=a.subgroup.name if a.subgroup else "",
            )
        )
    for room in school_rooms(school.id):
        context.rooms[room.name.lower()] = (room.id, room.is_active, room.name)
    context.others = [slot_entry(s) for s in db.session.scalars(_in_force(_slots_query(school.id), day, None))]
    return context


def class_assignments_of(class_ids) -> list[TeachingAssignment]:
    return list(
        db.session.scalars(
            select(TeachingAssignment)
            .where(TeachingAssignment.class_id.in_(class_ids or {0}), TeachingAssignment.is_active.is_(True))
            .options(
                joinedload(TeachingAssignment.subject),
                joinedload(TeachingAssignment.subgroup),
                joinedload(TeachingAssignment.class_group),
                joinedload(TeachingAssignment.teacher).options(lazyload(User.role_rows)),
            )
        ).unique()
    )


def apply_import(school: School, plan, day: date, today: date, filename: str) -> int:
    """The week of every class of the file from `day` on, in one transaction: the slots in force
    are closed the day before, those planned from `day` or later are replaced; new rooms are
    added to the list. Returns the number of lessons created."""
    check_editable_from(day, today)
    class_ids = plan.class_ids
    replaced = 0
    for slot in db.session.scalars(
        _in_force(_slots_query(school.id), day, None).where(TeachingAssignment.class_id.in_(class_ids or {0}))
    ):
        replaced += 1
        if slot.valid_from < day:
            slot.valid_to = day - timedelta(days=1)
        else:
            db.session.delete(slot)
    db.session.flush()
    rooms = {name.lower(): room for name, room in ((r.name, r) for r in school_rooms(school.id))}
    for name in plan.new_rooms:
        room = Room(school_id=school.id, name=name, note="", is_active=True)
        db.session.add(room)
        rooms[name.lower()] = room
    db.session.flush()
    for row in plan.rows:
        room = rooms.get(row["room"].lower()) if row["room"] else None
        db.session.add(ScheduleSlot(
            school_id=school.id, assignment_id=row["assignment_id"], weekday=row["weekday"],
            lesson_number=row["lesson_number"], room=room.name if room else "", room_id=room.id if room else None,
            valid_from=day, valid_to=None,
        ))
    db.session.flush()
    audit.record(
        "timetable", None, "import",
        after={"filename": filename, "valid_from": day.isoformat(), "classes": sorted(class_ids),
               "lessons": len(plan.rows), "replaced": replaced, "new_rooms": plan.new_rooms},
    )
    return len(plan.rows)


# Pending uploads: the rows between the preview and the commit, on the server under a random token.

# The upload between the preview and the commit (imports/pending.py)
save_pending = pending.timetable_uploads.save
