"""Suggestions, forecasts and low marks follow the subject's own scale (ADM-2, JRN-7, DIA-2):
the five-point thresholds of the school, the round-up point of the 10- and 100-point scales,
no average at all on pass/fail and «без отметок». Properties over every numeric scale, and
examples whose expectations are worked out here by hand."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.grading import (
    SCALES,
    WeightedMark,
    carries_marks,
    forecast,
    is_low_mark,
    marks_scale,
    numeric_marks,
    suggest_mark,
    thresholds_for,
    weighted_average,
)
from domain.settings import school_settings

NUMERIC = ("five", "ten", "hundred")
CENT = Decimal("0.01")


def low(code: str) -> int:
    return int(SCALES[code].values[0])


def top(code: str) -> int:
    return int(SCALES[code].values[-1])


@st.composite
def school_rules(draw, code: str):
    """The school's settings for the scale: the defaults, or a round-up point / increasing
    five-point thresholds of its own."""
    stored = {}
    if draw(st.booleans()):
        if code == "five":
            three = draw(st.integers(min_value=200, max_value=299))
            four = draw(st.integers(min_value=300, max_value=399))
            five = draw(st.integers(min_value=400, max_value=499))
            stored["rounding_thresholds"] = {"3": three / 100, "4": four / 100, "5": five / 100}
        else:
            stored["rounding_round_up_from"] = {code: draw(st.integers(min_value=1, max_value=100)) / 100}
    return school_settings(stored)


@st.composite
def scale_and_rules(draw):
    code = draw(st.sampled_from(NUMERIC))
    return code, draw(school_rules(code))


def averages(code: str):
    return st.integers(min_value=low(code) * 100, max_value=top(code) * 100).map(lambda c: Decimal(c) / 100)


@st.composite
def marks_of(draw, code: str, min_size: int = 1):
    values = st.integers(min_value=low(code), max_value=top(code))
    weights = st.sampled_from([Decimal(1), Decimal("1.5"), Decimal(2)])
    pairs = draw(st.lists(st.tuples(values, weights), min_size=min_size, max_size=20))
    return [WeightedMark(Decimal(v), w) for v, w in pairs]


def with_tops(marks: list[WeightedMark], code: str, n: int) -> list[WeightedMark]:
    return [*marks, *([WeightedMark(Decimal(top(code)), Decimal(1))] * n)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_suggested_mark_is_always_a_mark_of_the_scale(data):
    code, rules = data.draw(scale_and_rules())
    average = data.draw(averages(code))
    assert suggest_mark(average, thresholds_for(rules, code)) in SCALES[code].values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_higher_average_never_suggests_a_lower_mark(data):
    code, rules = data.draw(scale_and_rules())
    a, b = sorted([data.draw(averages(code)), data.draw(averages(code))])
    thresholds = thresholds_for(rules, code)
    assert int(suggest_mark(a, thresholds)) <= int(suggest_mark(b, thresholds))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_only_top_marks_suggest_the_top_mark_and_need_no_forecast(data):
    code, rules = data.draw(scale_and_rules())
    n = data.draw(st.integers(min_value=1, max_value=10))
    fc = forecast(with_tops([], code, n), thresholds_for(rules, code))
    assert fc.suggested == str(top(code)) == fc.top_mark
    assert fc.next_mark is None and fc.top_marks_needed is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_named_number_of_top_marks_reaches_the_next_mark_and_one_fewer_does_not(data):
    code, rules = data.draw(scale_and_rules())
    marks = data.draw(marks_of(code))
    use_weights = data.draw(st.booleans())
    thresholds = thresholds_for(rules, code)
    fc = forecast(marks, thresholds, use_weights=use_weights, limit=60)
    assume(fc.next_mark is not None)
    assert int(fc.next_mark) == int(fc.suggested) + 1  # the next mark up, on a scale without gaps

    def suggested_after(n: int) -> int:
        return int(suggest_mark(weighted_average(with_tops(marks, code, n), use_weights), thresholds))

    if fc.top_marks_needed is None:  # beyond the limit: even 60 top marks fall short
        assert suggested_after(60) < int(fc.next_mark)
    else:
        assert suggested_after(fc.top_marks_needed) >= int(fc.next_mark)
        assert suggested_after(fc.top_marks_needed - 1) < int(fc.next_mark)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_thresholds_follow_the_school_settings(data):
    code, rules = data.draw(scale_and_rules())
    thresholds = thresholds_for(rules, code)
    values = SCALES[code].values
    assert set(thresholds) == set(values[1:])  # every mark above the scale's lowest
    if code == "five":
        for mark, value in rules["rounding_thresholds"].items():
            assert thresholds[mark] == Decimal(str(value))
        assert thresholds["2"] == Decimal(1)  # «else 2»: no average is suggested «1»
        return
    up = Decimal(str(rules["rounding_round_up_from"][code]))
    for mark in values[1:]:
        below = Decimal(int(mark) - 1)
        assert thresholds[mark] == below + up
        assert suggest_mark(below + up, thresholds) == mark
        if up > CENT:
            assert suggest_mark(below + up - CENT, thresholds) == str(int(mark) - 1)


# --- Examples worked out by hand ----------------------------------------------------------------


def test_ten_point_scale_rounds_from_the_half_by_default():
    ten = thresholds_for(school_settings(None), "ten")
    assert suggest_mark(Decimal("9.00"), ten) == "9"  # not «5»
    assert suggest_mark(Decimal("8.50"), ten) == "9"
    assert suggest_mark(Decimal("8.49"), ten) == "8"
    assert suggest_mark(Decimal("1.00"), ten) == "1"
    assert suggest_mark(Decimal("10.00"), ten) == "10"
    strict = thresholds_for(school_settings({"rounding_round_up_from": {"ten": 0.7}}), "ten")
    assert (suggest_mark(Decimal("8.69"), strict), suggest_mark(Decimal("8.70"), strict)) == ("8", "9")


def test_hundred_point_scale_starts_at_zero():
    hundred = thresholds_for(school_settings(None), "hundred")
    assert suggest_mark(Decimal("0.00"), hundred) == "0"
    assert suggest_mark(Decimal("0.49"), hundred) == "0"
    assert suggest_mark(Decimal("75.67"), hundred) == "76"
    assert suggest_mark(Decimal("99.50"), hundred) == "100"


def test_five_point_scale_keeps_the_school_thresholds():
    five = thresholds_for(school_settings(None), "five")
    assert [suggest_mark(Decimal(a), five) for a in ("4.65", "4.64", "3.65", "2.65", "2.64", "1.00")] == \
        ["5", "4", "4", "3", "2", "2"]


def test_ten_point_forecast_counts_tens():
    # 9, 9, 8 (weight 1): 26 / 3 = 8.67 -> «9»; «10» from 9.50: (26 + 10n) / (3 + n) >= 9.5 -> n >= 5
    marks = numeric_marks([("9", Decimal(1)), ("9", Decimal(1)), ("8", Decimal(1))], "ten")
    fc = forecast(marks, thresholds_for(school_settings(None), "ten"))
    assert (fc.average, fc.suggested, fc.next_mark, fc.top_mark, fc.top_marks_needed) == \
        (Decimal("8.67"), "9", "10", "10", 5)
    assert weighted_average(with_tops(marks, "ten", 4)) == Decimal("9.43")  # 66 / 7: one short


def test_hundred_point_forecast_counts_hundreds():
    # 73, 74, 80: 227 / 3 = 75.67 -> «76»; «77» from 76.50: (227 + 100n) / (3 + n) >= 76.5 -> n >= 1
    marks = numeric_marks([("73", Decimal(1)), ("74", Decimal(1)), ("80", Decimal(1))], "hundred")
    fc = forecast(marks, thresholds_for(school_settings(None), "hundred"))
    assert (fc.suggested, fc.next_mark, fc.top_mark, fc.top_marks_needed) == ("76", "77", "100", 1)


@pytest.mark.parametrize("code", ["pass_fail", "none"])
def test_pass_fail_and_no_marks_have_no_average_nor_forecast(code):
    assert thresholds_for(school_settings(None), code) == {}
    marks = numeric_marks([("зач", Decimal(1)), ("незач", Decimal(1))], code)
    fc = forecast(marks, thresholds_for(school_settings(None), code))
    assert (fc.average, fc.suggested, fc.next_mark, fc.top_mark, fc.top_marks_needed) == (None, None, None, None, None)


@pytest.mark.parametrize(
    ("code", "pass_point"), [("five", 3), ("ten", 4), ("hundred", 40)],
)
def test_a_low_mark_is_one_below_the_pass_point_of_its_scale(code, pass_point):
    for value in SCALES[code].values:
        assert is_low_mark(value, code) is (int(value) < pass_point), value


def test_low_marks_by_example():
    assert is_low_mark("3", "ten") and not is_low_mark("3", "five")
    assert is_low_mark("39", "hundred") and not is_low_mark("40", "hundred")
    assert not is_low_mark("5", "ten")  # a «5» of ten is a pass, not a top mark
    assert is_low_mark("незач", "pass_fail") and not is_low_mark("зач", "pass_fail")
    assert is_low_mark("н/а", "ten") and not is_low_mark("осв", "five")
    assert not is_low_mark("", "five") and not is_low_mark(None, "five")



@pytest.mark.parametrize("stored", [0, 1.5, -0.5, "abc", "NaN", None])
def test_a_round_up_point_outside_the_fraction_falls_back_to_the_half(stored):
    ten = thresholds_for({"rounding_round_up_from": {"ten": stored}}, "ten")
    assert (suggest_mark(Decimal("8.49"), ten), suggest_mark(Decimal("8.50"), ten)) == ("8", "9")


def test_a_class_that_records_attendance_only_carries_no_marks_whatever_its_scale():
    assert marks_scale("five", attendance_only=True) == "none"
    assert marks_scale("ten", attendance_only=False) == "ten"
    assert marks_scale("none", attendance_only=False) == "none"
    assert not carries_marks("five", attendance_only=True)
    assert not carries_marks("none", attendance_only=False)
    assert carries_marks("pass_fail", attendance_only=False)
