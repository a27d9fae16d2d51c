"""The production calendar (domain/working_days.py) and the destruction deadline counted by it
(domain/settings_rules.pd_destroy_by, PD-2)."""
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import settings_rules as rules
from domain.working_days import Calendar

RU = Calendar.russian()
SETTINGS = {"pd_destroy_working_days": 10, "pd_destroy_calendar_days_legal": 30}


def test_official_days_off_are_not_working_days():
    assert not RU.is_working(date(2026, 2, 23))  # Defender of the Fatherland Day, a Monday
    assert not RU.is_working(date(2026, 1, 9))  # a Friday made a day off by the decree
    assert not RU.is_working(date(2026, 3, 9))  # 8 March falls on a Sunday: moved to Monday
    assert not RU.is_working(date(2026, 2, 21))  # Saturday
    assert RU.is_working(date(2026, 2, 24))


def test_the_schools_corrections_win_over_the_official_calendar():
    calendar = Calendar.russian({date(2026, 2, 28): True, date(2026, 2, 24): False})
    assert calendar.is_working(date(2026, 2, 28))  # a transferred working Saturday
    assert not calendar.is_working(date(2026, 2, 24))  # an extra day off
    assert calendar.add_working_days(date(2026, 2, 20), 2) == date(2026, 2, 26)


def test_a_friday_before_a_holiday_counts_working_days_after_it():
    friday = date(2026, 2, 20)
    # 24-27 Feb, 2-6 Mar, then 9 Mar is off: the tenth working day is Tuesday 10 March
    assert RU.add_working_days(friday, 1) == date(2026, 2, 24)
    assert RU.add_working_days(friday, 10) == date(2026, 3, 10)
    assert Calendar.weekends_only().add_working_days(friday, 10) == date(2026, 3, 6)
    assert rules.pd_destroy_by(friday, SETTINGS) == date(2026, 3, 10)
    assert rules.pd_destroy_rule(friday, SETTINGS) == (date(2026, 3, 10), "working_days")
    assert rules.pd_destroy_rule(friday, {**SETTINGS, "pd_destroy_calendar_days_legal": 14}) == (date(2026, 3, 6), "legal")


def test_the_new_year_holidays_are_capped_by_the_legal_calendar_days():
    december = date(2025, 12, 26)
    by_days = RU.add_working_days(december, 20)
    assert by_days > december + timedelta(days=30)
    assert rules.pd_destroy_rule(december, {**SETTINGS, "pd_destroy_working_days": 20}) == (
        december + timedelta(days=30), "legal")


def test_working_days_between_counts_the_days_left_and_overdue():
    assert RU.working_days_between(date(2026, 2, 20), date(2026, 3, 10)) == 10
    assert RU.working_days_between(date(2026, 3, 10), date(2026, 3, 10)) == 0
    assert RU.working_days_between(date(2026, 3, 12), date(2026, 3, 10)) == -2


@settings(deadline=None)  # the first years of the holidays library load slowly
@given(st.dates(date(2024, 1, 1), date(2028, 12, 31)), st.integers(1, 30), st.integers(1, 30))
def test_the_due_date_is_a_working_day_or_the_legal_limit_never_beyond_it(withdrawn, days, legal):
    settings = {"pd_destroy_working_days": days, "pd_destroy_calendar_days_legal": legal}
    due, rule = rules.pd_destroy_rule(withdrawn, settings)
    assert withdrawn < due <= withdrawn + timedelta(days=legal)
    if rule == "working_days":
        assert RU.is_working(due)
        assert RU.working_days_between(withdrawn, due) == days
