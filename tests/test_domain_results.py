"""domain/results.py: how period marks count in the summary sheet and the statistics (REP-1)."""
from decimal import Decimal

import pytest

from domain.results import Standing, percent, shares, standing, student_shares

S = Standing


@pytest.mark.parametrize(("value", "scale", "expected"), [
    ("5", "five", S.GOOD), ("4", "five", S.GOOD), ("3", "five", S.SATISFACTORY), ("2", "five", S.FAILED),
    ("1", "five", S.FAILED), ("7", "ten", S.GOOD), ("6", "ten", S.SATISFACTORY), ("3", "ten", S.FAILED),
    ("70", "hundred", S.GOOD), ("40", "hundred", S.SATISFACTORY), ("39", "hundred", S.FAILED),
    ("зач", "pass_fail", S.CREDIT), ("незач", "pass_fail", S.FAILED), ("н/а", "five", S.NOT_ATTESTED),
    ("осв", "five", S.EXEMPT), (None, "five", S.MISSING), ("", "five", S.MISSING), ("x", "five", S.MISSING),
])
def test_standing_of_a_period_mark(value, scale, expected):
    assert standing(value, scale) is expected


def test_percent_rounds_half_up_and_is_none_without_a_base():
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(0, 0) is None


def test_a_subject_column_credit_performs_but_stays_outside_quality():
    column = [S.GOOD, S.SATISFACTORY, S.CREDIT, S.FAILED, S.NOT_ATTESTED, S.EXEMPT, S.MISSING]
    result = shares(column)
    assert (result.counted, result.performing, result.graded, result.good) == (5, 3, 4, 1)
    assert result.performance == Decimal("60.0")
    assert result.quality == Decimal("25.0")
    assert shares([S.CREDIT, S.CREDIT]).quality is None  # a pass/fail subject has no quality


def test_students_overall():
    rows = [
        [S.GOOD, S.GOOD, S.CREDIT],  # good: a «зачёт» does not spoil quality
        [S.GOOD, S.SATISFACTORY],  # performs, not good
        [S.GOOD, S.NOT_ATTESTED],  # does not perform
        [S.CREDIT, S.CREDIT],  # performs; outside quality's base
        [S.EXEMPT, S.MISSING],  # left out
    ]
    result = student_shares(rows)
    assert (result.counted, result.performing, result.graded, result.good) == (4, 3, 3, 1)
    assert result.performance == Decimal("75.0")
    assert result.quality == Decimal("33.3")
