"""Figures of journal-keeping control (REP-3, 002:4.2-4.3, 5.2-5.3): shares of lessons with a
topic and homework, the teacher's participation (lessons recorded on the day they were given,
002:4.3 «заполняет электронный журнал в день проведения занятия»), marks accumulated against the
school's minimum, the families' participation. Pure rules without Flask."""
from __future__ import annotations

from datetime import date, datetime, timezone

from domain import deadlines


def share(part: int, whole: int) -> int | None:
    """Whole per cent, rounded half up; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def recorded_on_day(entered_at: datetime, lesson_day: date, tz: str) -> bool:
    """A lesson counts as recorded on its day when it was entered by the lesson's deadline, the
    end of that day in the school's timezone (domain/deadlines.py), or before it (in advance)."""
    if entered_at.tzinfo is None:  # SQLite returns naive datetimes; they were stored as UTC
        entered_at = entered_at.replace(tzinfo=timezone.utc)
    return entered_at <= deadlines.lesson_deadline(lesson_day, tz)


def below_minimum(marks: int, minimum: int) -> bool:
    """Fewer marks than the school's minimum for the period puts the student at risk of «н/а»."""
    return marks < minimum
