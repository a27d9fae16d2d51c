"""The diary's forecast in words on every scale (DIA-2): top marks of the subject's own scale,
Russian plurals right, nothing promised on pass/fail."""
from __future__ import annotations

from decimal import Decimal

import pytest

from blueprints.diary.wording import forecast_phrase, top_marks_phrase
from domain import grading
from domain.settings import school_settings


def fc(code, *values, lessons_left=None):
    marks = grading.numeric_marks([(str(v), Decimal(1)) for v in values], code)
    return grading.forecast(marks, grading.thresholds_for(school_settings(None), code), lessons_left=lessons_left,
                            given=grading.marks_given([str(v) for v in values], code))


@pytest.mark.parametrize(
    ("n", "top", "phrase"),
    [(1, "10", "1 отметка «10»"), (2, "10", "2 отметки «10»"), (5, "10", "5 отметок «10»"),
     (11, "100", "11 отметок «100»"), (21, "100", "21 отметка «100»"), (23, "10", "23 отметки «10»"),
     (3, "5", "3 пятёрки")],
)
def test_top_marks_are_named_by_their_value_with_russian_plurals(app, n, top, phrase):
    assert top_marks_phrase(n, top) == phrase


def test_ten_point_forecast_in_words(app):
    # 8, 8, 8: «8»; «9» from 8.50: (24 + 10n) / (3 + n) >= 8.5 -> n >= 1
    assert forecast_phrase(fc("ten", 8, 8, 8)) == "Выходит «8»; до «9» — ещё 1 отметка «10»"
    # ten 6s: «6»; «7» from 6.50: (60 + 10n) / (10 + n) >= 6.5 -> n >= 10/7, so 2 (6.36 after one)
    assert forecast_phrase(fc("ten", *[6] * 10)) == "Выходит «6»; до «7» — ещё 2 отметки «10»"
    assert forecast_phrase(fc("ten", 10, 10, 10)) == "Выходит «10»"


def test_hundred_point_forecast_in_words(app):
    # 60, 60, 60: «60»; «61» from 60.50: (180 + 100n) / (3 + n) >= 60.5 -> n >= 1
    assert forecast_phrase(fc("hundred", 60, 60, 60)) == "Выходит «60»; до «61» — ещё 1 отметка «100»"


def test_an_unreachable_mark_on_the_ten_point_scale(app):
    # ten 6s: «6»; «7» from 6.50 needs (60 + 10n) / (10 + n) >= 6.5 -> n >= 2, with one lesson left
    phrase = forecast_phrase(fc("ten", *[6] * 10, lessons_left=1))
    assert phrase == "Выходит «6»; «7» до конца периода уже не достижима (осталось 1 урок)"


def test_pass_fail_has_no_forecast_in_words_only_the_minimum_of_marks(app):
    assert forecast_phrase(fc("pass_fail", "зач", "незач", "зач")) == ""  # three marks: enough for a quarter
    assert forecast_phrase(fc("pass_fail", "зач")) == "Мало отметок для аттестации"
    assert forecast_phrase(fc("ten", 9)) == "Выходит «9»; до «10» — ещё 1 отметка «10»; мало отметок для аттестации"
