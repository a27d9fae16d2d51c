"""Deadlines of the journal, checked from entry timestamps in the school's timezone
(003:2.3-2.5, 003 Положение 2.4). Every threshold is a school setting."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_end_of_day(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(tz))


def lesson_deadline(lesson_date: date, tz: str) -> datetime:
    """The lesson and its absences are recorded on the day of the lesson."""
    return local_end_of_day(lesson_date, tz)


def homework_deadline(lesson_date: date, last_lesson_end: time | None, hours: int, tz: str) -> datetime:
    """Homework within N hours after the teacher's last lesson of the day."""
    if last_lesson_end is None:
        return local_end_of_day(lesson_date, tz)
    return datetime.combine(lesson_date, last_lesson_end, tzinfo=ZoneInfo(tz)) + timedelta(hours=hours)


def marks_deadline(lesson_date: date, days: int, tz: str) -> datetime:
    """Marks within N days of the work."""
    return local_end_of_day(lesson_date + timedelta(days=days), tz)


def is_late(entered_at: datetime, deadline: datetime) -> bool:
    return entered_at > deadline
