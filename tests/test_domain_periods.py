"""Which study period a page opens on, and whether it has begun (domain/periods.py): the
journal, the diary, the class page, the plan and the list of overdue entries ask the same rule."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.periods import current_period, has_begun, is_under_way


@dataclass
class P:
    id: int
    scheme: str
    start_date: date
    end_date: date


Q1 = P(1, "quarter", date(2026, 9, 1), date(2026, 10, 25))
Q2 = P(2, "quarter", date(2026, 11, 5), date(2026, 12, 28))
Q3 = P(3, "quarter", date(2027, 1, 9), date(2027, 3, 20))
YEAR = P(9, "year", date(2026, 9, 1), date(2027, 5, 31))
QUARTERS = [Q1, Q2, Q3]


def test_the_period_holding_the_day_is_current():
    assert current_period(QUARTERS, date(2026, 11, 20)) is Q2
    assert current_period(QUARTERS, date(2026, 9, 1)) is Q1 and current_period(QUARTERS, date(2026, 12, 28)) is Q2


def test_in_the_holidays_the_period_just_over_is_current():
    assert current_period(QUARTERS, date(2026, 11, 1)) is Q1
    assert current_period(QUARTERS, date(2027, 6, 15)) is Q3


def test_before_the_year_the_first_period_is_current():
    assert current_period(QUARTERS, date(2026, 8, 20)) is Q1


def test_the_year_is_current_only_when_there_is_no_other_period():
    assert current_period([*QUARTERS, YEAR], date(2026, 11, 20)) is Q2
    assert current_period([YEAR], date(2026, 11, 20)) is YEAR
    assert current_period([], date(2026, 11, 20)) is None


def test_a_wanted_period_is_taken_as_asked_or_not_at_all():
    assert current_period([*QUARTERS, YEAR], date(2026, 11, 20), wanted_id=9) is YEAR
    assert current_period(QUARTERS, date(2026, 11, 20), wanted_id=1) is Q1
    assert current_period(QUARTERS, date(2026, 11, 20), wanted_id=42) is None


def test_a_period_has_begun_from_its_first_day_and_is_under_way_until_its_last():
    assert not has_begun(Q2, date(2026, 11, 4)) and has_begun(Q2, date(2026, 11, 5))
    assert has_begun(Q1, date(2026, 11, 20)) and not is_under_way(Q1, date(2026, 11, 20))
    assert is_under_way(Q2, date(2026, 12, 28)) and not is_under_way(Q2, date(2026, 12, 29))
    assert not has_begun(None, date(2026, 11, 20)) and not is_under_way(None, date(2026, 11, 20))
