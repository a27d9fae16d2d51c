"""The production calendar (производственный календарь) that deadlines in working days are
counted by (PD-2: «10 рабочих дней» of the consent sheet). Pure: no Flask, no database.

The official days off of Russia come from the `holidays` package (public holidays and the
days off moved by the government's decree, e.g. 2026-01-09); the school adds its own
corrections: a day off made working (a transferred working Saturday) or an extra day off.

    calendar = Calendar.russian({date(2026, 2, 28): True})   # Saturday 28.02 is a working day
    calendar.add_working_days(date(2026, 2, 20), 10)          # 10 working days after Friday 20.02
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

COUNTRY = "RU"


@dataclass(frozen=True)
class Calendar:
    """Working days: Monday to Friday except the official days off, with the school's
    corrections (day -> True: working, False: day off) taking precedence."""

    corrections: Mapping[date, bool] = field(default_factory=dict)
    official: bool = True  # False: weekends only (estimates, tests)

    @classmethod
    def russian(cls, corrections: Mapping[date, bool] | None = None) -> Calendar:
        return cls(dict(corrections or {}))

    @classmethod
    def weekends_only(cls) -> Calendar:
        return cls({}, official=False)

    def is_official_day_off(self, day: date) -> bool:
        return self.official and day in _official(day.year)

    def is_working(self, day: date) -> bool:
        if day in self.corrections:
            return bool(self.corrections[day])
        return day.weekday() < 5 and not self.is_official_day_off(day)

    def holiday_name(self, day: date) -> str:
        return _official(day.year).get(day, "") if self.official else ""

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (the start itself not counted): the day
        on which the term of `days` working days ends."""
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is
        earlier (the days overdue)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working(start + timedelta(days=n)))


_CACHE: dict[int, holidays.HolidayBase] = {}


def _official(year: int) -> holidays.HolidayBase:
    if year not in _CACHE:
        _CACHE[year] = holidays.country_holidays(COUNTRY, years=year, language="ru")
    return _CACHE[year]


def official_days_off(year: int) -> dict[date, str]:
    """The official days off of the year with their names (for the calendar page)."""
    return dict(sorted(_official(year).items()))
