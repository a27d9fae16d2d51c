"""One average, one format (issue 11, item 2): the journal, the diary, the weekly report and
the printed journal all show domain.grading.format_average of domain.grading.period_forecast."""
from __future__ import annotations

from decimal import Decimal

from domain.grading import format_average, period_forecast
from domain.settings import school_settings

SETTINGS = school_settings(None)


def test_an_average_is_shown_with_two_decimals_and_a_decimal_comma():
    assert format_average(Decimal("4.67")) == "4,67"
    assert format_average(Decimal("4")) == "4,00"
    assert format_average(Decimal("4.5")) == "4,50"
    assert format_average(Decimal("75.67")) == "75,67"


def test_an_average_is_rounded_half_up_to_the_printed_two_decimals():
    assert format_average(Decimal("4.665")) == "4,67"
    assert format_average(Decimal("4.664")) == "4,66"


def test_no_average_is_shown_as_nothing_the_page_puts_its_own_dash():
    assert format_average(None) == ""


def test_the_forecast_weighs_each_mark_by_its_kind_of_work():
    # a test (weight 2) «5» and an oral answer (weight 1) «4»: (5×2 + 4×1) / 3 = 4.67
    fc = period_forecast([("5", Decimal(2)), ("4", Decimal(1))], "five", SETTINGS, "quarter")
    assert fc.average == Decimal("4.67") and fc.suggested == "5"
    plain = period_forecast([("5", Decimal(2)), ("4", Decimal(1))], "five", {**SETTINGS, "use_weights": False}, "quarter")
    assert plain.average == Decimal("4.50")


def test_a_pass_fail_mark_counts_towards_the_minimum_not_in_the_average():
    fc = period_forecast([("зач", Decimal(1))] * 3, "pass_fail", SETTINGS, "quarter")
    assert fc.average is None and fc.suggested is None
    assert fc.count == 3 and fc.enough_marks


def test_too_few_marks_for_the_schemes_minimum_put_the_student_at_risk():
    minimum = SETTINGS["min_marks_per_period"].get("quarter", 3)
    fc = period_forecast([("5", Decimal(1))] * (minimum - 1), "five", SETTINGS, "quarter")
    assert not fc.enough_marks
    assert period_forecast([("5", Decimal(1))] * minimum, "five", SETTINGS, "quarter").enough_marks


def test_the_forecast_is_bounded_by_the_lessons_left():
    fc = period_forecast([("3", Decimal(1))] * 3, "five", SETTINGS, "quarter", lessons_left=1)
    assert fc.next_mark == "4" and fc.reachable is False
