"""The tests' clock and the test school's calendar, both relative to the app's clock.

FREEZE_NOW: with `FREEZE_NOW=2028-06-14T21:30:00Z` in the environment the whole test process
starts at that moment (time-machine: datetime, date and time, also in the live server's thread)
and its clock runs on from there. `tests/test_clock.py` runs the date-dependent tests under
several such clocks in a subprocess, so CI proves on every run that the suite does not depend on
the hour, the weekday or the year.

The calendar: the fixtures and the tests describe the school year as they were written, in
2026/2027 — the quarters of `small_school`, lessons on Friday 20.11.2026, the week of Monday
16.11.2026. `school_date(2026, 11, 20)` is that date moved, like the whole calendar, by the whole
number of weeks that brings the school's today (`utils.timeutil.school_today`, the app's own clock, in the
school's timezone) into the template week of Monday 23.11 – Sunday 29.11.2026: inside the second
quarter, after the days the tests fill with lessons, with a month of the quarter still ahead.
Whole weeks keep every weekday, so a template Friday is a Friday and `TODAY` has today's weekday.

The shift is computed once, when the suite starts: a run that crosses midnight keeps one calendar
(the app's today then moves a day on, still inside the quarter). Tests that need the year as
written (its structure, never the clock) ask `small_school(fixed_calendar=True)`. Never take
today from `date.today()` (the machine's date, not the school's) in a test."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

FREEZE_NOW = os.environ.get("FREEZE_NOW", "")
if FREEZE_NOW:
    import time_machine

    # Started before anything reads the clock; never stopped: it is the process's clock.
    time_machine.travel(datetime.fromisoformat(FREEZE_NOW.replace("Z", "+00:00")), tick=True).start()

from models import School  # noqa: E402 (after the clock is set)
from utils.timeutil import school_today  # noqa: E402

# The timezone of the schools the fixtures create (the model's default).
SCHOOL_TIMEZONE: str = School.__table__.c.timezone.default.arg

TEMPLATE_MONDAY = date(2026, 11, 23)  # the template week in which today falls
TODAY = school_today(SCHOOL_TIMEZONE)
SHIFT = (TODAY - timedelta(days=TODAY.weekday())) - TEMPLATE_MONDAY  # whole weeks


def school_date(year: int, month: int, day_of_month: int) -> date:
    """The template date `year-month-day` (2026/2027) in the test school's calendar."""
    return date(year, month, day_of_month) + SHIFT


def school_moment(year: int, month: int, day_of_month: int, hour: int = 0, minute: int = 0) -> datetime:
    """The template moment (UTC) in the test school's calendar."""
    return datetime(year, month, day_of_month, hour, minute, tzinfo=timezone.utc) + SHIFT


def year_name(start: date) -> str:
    """«2026/2027» for the year that starts on `start`."""
    return f"{start.year}/{start.year + 1}"
