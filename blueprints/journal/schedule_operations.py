"""Use cases of the timetable changes (ADM-9, JRN-5): a substitution, a cancellation, a moved or
an extra lesson on one date. They flush; the view commits. `week_schedule` is re-exported for
the diary (plain data, see schedule_queries)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.journal import closing_queries
from blueprints.journal.operations import JournalError
from blueprints.journal.schedule_queries import (  # noqa: F401  (re-exported for the diary)
    CANCELLED,
    SUBSTITUTION,
    WeekSchedule,
    scheduled_lesson,
    teacher_busy_at,
    teacher_week_schedule,
    week_schedule,
)
from domain.messages import N_
from extensions import db
from models import ScheduleChange, TeachingAssignment, User
from models.base import utcnow
from models.people import STAFF_ROLES
from models.year_closing import ensure_year_open
from utils import audit


def change_snapshot(change: ScheduleChange) -> dict:
    return {
        "date": change.date.isoformat(),
        "assignment_id": change.assignment_id,
        "kind": change.kind,
        "lesson_number": change.lesson_number,
        "substitute_id": change.substitute_id,
        "room": change.room,
        "note": change.note,
    }


def add_change(
    assignment: TeachingAssignment,
    user: User,
    day: date,
    kind: str,
    lesson_number: int,
    substitute: User | None = None,
    room: str = "",
    note: str = "",
) -> ScheduleChange:
    """Record a change of the timetable on one date; refuse what cannot happen."""
    year = assignment.year
    if day < year.start_date or day > year.end_date:
        raise JournalError(N_("Дата вне учебного года %(year)s."), 400, year=year.name)
    ensure_year_open(year)
    closing_queries.check_days_open(assignment.class_group, day, error=JournalError)
    if not assignment.is_active:
        raise JournalError(N_("Эта нагрузка не действует."), 400)
    existing = db.session.scalars(
        select(ScheduleChange).where(
            ScheduleChange.assignment_id == assignment.id,
            ScheduleChange.date == day,
            ScheduleChange.lesson_number == lesson_number,
        )
    ).all()
    if existing:
        raise JournalError(
            N_("На этот урок уже записано изменение. Удалите его, чтобы записать другое."), 409
        )
    planned = scheduled_lesson(assignment, day, lesson_number)
    if kind in (SUBSTITUTION, CANCELLED) and planned is None:
        raise JournalError(
            N_("В расписании на %(day)s нет %(n)s-го урока «%(title)s»."),
            400,
            day=day.strftime("%d.%m.%Y"),
            n=lesson_number,
            title=assignment.title,
        )
    if kind == SUBSTITUTION:
        if substitute is None:
            raise JournalError(N_("Для замены укажите замещающего учителя."), 400)
        if substitute.school_id != assignment.school_id or not substitute.is_active or not (
            substitute.roles & STAFF_ROLES
        ):
            raise JournalError(N_("Замещающий учитель не найден."), 400)
        if substitute.id == assignment.teacher_id:
            raise JournalError(N_("Замещающий должен быть другим учителем."), 400)
        busy = teacher_busy_at(substitute, day, lesson_number)
        if busy is not None:
            raise JournalError(
                N_("%(name)s в это время ведёт урок: %(subject)s, %(group)s."),
                409,
                name=substitute.short_name,
                subject=busy.subject_name,
                group=busy.group_name,
            )
    else:
        substitute = None
    if kind in ("moved", "extra") and planned is None:
        # the teacher of the lesson must be free at the new time
        busy = teacher_busy_at(assignment.teacher, day, lesson_number)
        if busy is not None:
            raise JournalError(
                N_("%(name)s в это время ведёт урок: %(subject)s, %(group)s."),
                409,
                name=assignment.teacher.short_name,
                subject=busy.subject_name,
                group=busy.group_name,
            )
    change = ScheduleChange(
        school_id=assignment.school_id,
        date=day,
        assignment_id=assignment.id,
        kind=kind,
        lesson_number=lesson_number,
        substitute_id=substitute.id if substitute else None,
        room=room.strip()[:20],
        note=note.strip()[:300],
        created_at=utcnow(),
        created_by_id=user.id,
    )
    db.session.add(change)
    db.session.flush()
    audit.record("schedule_change", change.id, "create", after=change_snapshot(change),
                 school_id=assignment.school_id, user_id=user.id)
    return change


def delete_change(change: ScheduleChange, user: User) -> None:
    ensure_year_open(change.assignment.year)
    closing_queries.check_days_open(change.assignment.class_group, change.date, error=JournalError)
    audit.record("schedule_change", change.id, "delete", before=change_snapshot(change),
                 school_id=change.school_id, user_id=user.id)
    db.session.delete(change)
    db.session.flush()
