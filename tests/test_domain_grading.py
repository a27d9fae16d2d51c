"""The one rule of averages and forecasts (domain/grading.py), without Flask or a database."""
from __future__ import annotations

import random
from decimal import Decimal

from domain.grading import (
    WeightedMark,
    forecast,
    suggest_mark,
    top_marks_to_reach,
    weighted_average,
)

W = WeightedMark


def test_weighted_average_counts_each_mark_by_the_weight_of_its_kind_of_work():
    marks = [W(Decimal(5), Decimal(2)), W(Decimal(4), Decimal(1))]  # a test and an oral answer
    assert weighted_average(marks) == Decimal("4.67")
    assert weighted_average(marks, use_weights=False) == Decimal("4.50")
    assert weighted_average([]) is None


def test_suggested_mark_uses_the_school_thresholds():
    assert suggest_mark(Decimal("4.65")) == "5"
    assert suggest_mark(Decimal("4.64")) == "4"
    assert suggest_mark(Decimal("2.64")) == "2"
    assert suggest_mark(Decimal("4.50"), {"5": Decimal("4.5"), "4": Decimal("3.5"), "3": Decimal("2.5")}) == "5"


def _fives_by_adding_one_at_a_time(marks, threshold, use_weights=True, limit=30):
    extra = list(marks)
    for n in range(1, limit + 1):
        extra.append(W(Decimal(5), Decimal(1)))
        if weighted_average(extra, use_weights) >= threshold:
            return n
    return None


def test_fives_needed_matches_adding_fives_one_by_one():
    rng = random.Random(7)
    weights = [Decimal("1"), Decimal("1.5"), Decimal("2")]
    for _ in range(400):
        marks = [W(Decimal(rng.choice([2, 3, 3, 4, 4, 5])), rng.choice(weights)) for _ in range(rng.randint(1, 25))]
        for threshold in (Decimal("2.65"), Decimal("3.65"), Decimal("4.65")):
            for use_weights in (True, False):
                assert top_marks_to_reach(marks, threshold, Decimal(5), use_weights) == _fives_by_adding_one_at_a_time(
                    marks, threshold, use_weights
                ), (marks, threshold, use_weights)


def test_forecast_names_the_next_mark_and_the_fives_to_it():
    fc = forecast([W(Decimal(4), Decimal(1)), W(Decimal(3), Decimal(1)), W(Decimal(4), Decimal(2))])
    assert (fc.suggested, fc.next_mark, fc.enough_marks) == ("4", "5", True)
    assert fc.top_marks_needed == _fives_by_adding_one_at_a_time(
        [W(Decimal(4), Decimal(1)), W(Decimal(3), Decimal(1)), W(Decimal(4), Decimal(2))], Decimal("4.65"))
    assert forecast([W(Decimal(5), Decimal(1))], min_marks=3).enough_marks is False
