"""Deadlines of the journal, checked from entry timestamps in the school's timezone
(003:2.3-2.5, 003 Положение 2.4). Every threshold is a school setting."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_end_of_day(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(tz))


def lesson_deadline(lesson_date: date, tz: str) -> datetime:
    """The lesson and its absences are recorded on the day of the lesson."""
    return local_end_of_day(lesson_date, tz)


def homework_deadline(lesson_date: date, lesson_ends: Iterable[time | None], hours: int, tz: str) -> datetime:
    """Homework within N hours after the end of the teacher's last lesson of the day
    (`lesson_ends`: when each of their lessons that day ends, None where the bells do not say);
    by the end of the day when no end is known."""
    ends = [end for end in lesson_ends if end is not None]
    if not ends:
        return local_end_of_day(lesson_date, tz)
    return datetime.combine(lesson_date, max(ends), tzinfo=ZoneInfo(tz)) + timedelta(hours=int(hours))


def marks_deadline(lesson_date: date, days: int, tz: str) -> datetime:
    """Marks within N days of the work."""
    return local_end_of_day(lesson_date + timedelta(days=days), tz)


def current_marks_deadline(lesson_date: date, by: str, tz: str) -> datetime:
    """Current marks of a lesson by the school's hour ("18:00") of its day; a setting that does
    not read as HH:MM falls back to the end of the day."""
    try:
        hours, minutes = (int(part) for part in str(by).split(":"))
        due = time(hours, minutes)
    except (ValueError, TypeError):
        return local_end_of_day(lesson_date, tz)
    return datetime.combine(lesson_date, due, tzinfo=ZoneInfo(tz))


def mark_deadline(lesson_date: date, work_kind_code: str, settings: dict, tz: str) -> datetime:
    """A mark for a written work checked after the lesson is due within N days of the work
    (003:2.5); any other current mark by the school's hour of the lesson's day (003 Положение 2.4)."""
    if work_kind_code in settings["works_checked_later"]:
        return marks_deadline(lesson_date, settings["marks_deadline_days"], tz)
    return current_marks_deadline(lesson_date, settings["current_marks_by"], tz)


def period_marks_open_from(period_end: date, window_days: int) -> date:
    """The first day period and year marks may be set: the last N days of the period,
    its end included (001:2.5.6, "в течение последней недели каждого учебного периода")."""
    return period_end - timedelta(days=max(int(window_days), 1) - 1)


def is_late(entered_at: datetime, deadline: datetime) -> bool:
    return entered_at > deadline
