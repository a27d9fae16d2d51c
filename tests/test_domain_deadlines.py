"""Deadlines of the journal in the school's timezone (domain/deadlines.py, 003:2.3-2.5,
003 Положение 2.4), without Flask or a database."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import deadlines
from domain.settings import DEFAULTS

TZ = "Europe/Moscow"
DAY = date(2026, 11, 20)


def at(day: date, hh: int, mm: int = 0, ss: int = 0, tz: str = TZ) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=ZoneInfo(tz))


def test_a_lesson_and_its_absences_are_recorded_by_the_end_of_its_day_in_the_schools_timezone():
    assert deadlines.lesson_deadline(DAY, TZ) == at(DAY, 23, 59, 59)
    assert deadlines.lesson_deadline(DAY, "Asia/Vladivostok") == at(DAY, 23, 59, 59, "Asia/Vladivostok")
    assert deadlines.lesson_deadline(DAY, "Asia/Vladivostok") < deadlines.lesson_deadline(DAY, TZ)


def test_homework_is_due_hours_after_the_teachers_last_lesson_of_the_day():
    ends = [time(9, 45), None, time(13, 20), time(11, 30)]
    assert deadlines.homework_deadline(DAY, ends, 2, TZ) == at(DAY, 15, 20)
    assert deadlines.homework_deadline(DAY, [time(13, 20)], "3", TZ) == at(DAY, 16, 20)  # a setting read as text


def test_homework_without_known_lesson_ends_is_due_by_the_end_of_the_day():
    assert deadlines.homework_deadline(DAY, [], 2, TZ) == at(DAY, 23, 59, 59)
    assert deadlines.homework_deadline(DAY, [None, None], 2, TZ) == at(DAY, 23, 59, 59)


def test_homework_after_a_late_lesson_may_be_due_the_next_day():
    assert deadlines.homework_deadline(DAY, [time(23, 0)], 2, TZ) == at(DAY + timedelta(days=1), 1, 0)


def test_a_written_work_checked_later_is_marked_within_days_any_other_mark_by_the_schools_hour():
    settings = DEFAULTS
    assert deadlines.mark_deadline(DAY, "test", settings, TZ) == at(DAY + timedelta(days=7), 23, 59, 59)
    assert deadlines.mark_deadline(DAY, "oral", settings, TZ) == at(DAY, 18, 0)
    assert deadlines.mark_deadline(DAY, "oral", {**settings, "current_marks_by": "16:30"}, TZ) == at(DAY, 16, 30)


def test_a_current_marks_hour_that_does_not_read_falls_back_to_the_end_of_the_day():
    for by in ("", "18", "six pm", None, "25:00"):
        assert deadlines.current_marks_deadline(DAY, by, TZ) == at(DAY, 23, 59, 59), by


def test_period_marks_open_in_the_last_days_of_the_period_its_end_included():
    end = date(2026, 12, 28)
    assert deadlines.period_marks_open_from(end, 7) == date(2026, 12, 22)
    assert deadlines.period_marks_open_from(end, 1) == end
    assert deadlines.period_marks_open_from(end, 0) == end  # at least the last day
    assert deadlines.period_marks_open_from(end, "3") == date(2026, 12, 26)


def test_an_entry_is_late_only_after_its_deadline():
    due = at(DAY, 18, 0)
    assert not deadlines.is_late(due, due)
    assert deadlines.is_late(due + timedelta(seconds=1), due)
