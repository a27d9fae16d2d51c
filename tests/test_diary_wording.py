"""The forecast in words with Russian plural forms (DIA-2)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from blueprints.diary.wording import fives_phrase, forecast_phrase, plural_ru
from domain import grading


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "пятёрка"), (2, "пятёрки"), (4, "пятёрки"), (5, "пятёрок"), (11, "пятёрок"), (12, "пятёрок"),
     (14, "пятёрок"), (21, "пятёрка"), (22, "пятёрки"), (25, "пятёрок"), (101, "пятёрка"), (111, "пятёрок")],
)
def test_plural_forms_of_five(app, n, word):
    assert plural_ru(n, "пятёрка", "пятёрки", "пятёрок") == word
    assert fives_phrase(n) == f"{n} {word}"


def _fc(*values):
    return grading.forecast([grading.WeightedMark(Decimal(v), Decimal(1)) for v in values])


@pytest.mark.parametrize(
    ("marks", "phrase"),
    [
        ((4, 5, 5, 4, 5), "Выходит «4»; ещё 1 пятёрка до «5»"),  # 4.60: one five makes 4.67
        ((2, 2, 2, 2, 2), "Выходит «2»; ещё 2 пятёрки до «3»"),
        ((4, 4, 4, 5), "Выходит «4»; ещё 5 пятёрок до «5»"),
        ((4, 4, 4), "Выходит «4»; ещё 6 пятёрок до «5»"),
        ((4, 5, 5), "Выходит «5»"),
    ],
)
def test_forecast_says_the_mark_and_how_many_fives_to_the_next(app, marks, phrase):
    assert forecast_phrase(_fc(*marks)) == phrase


def test_forecast_with_few_marks_warns_and_without_marks_says_so(app):
    assert forecast_phrase(_fc(5)) == "Выходит «5»; мало отметок для аттестации"
    assert forecast_phrase(_fc()) == "Отметок пока нет"



def test_lessons_left_count_the_weekly_slots_and_skip_the_holidays():
    from datetime import date

    monday = date(2026, 11, 16)
    weekly = [(1, date(2026, 9, 1), None), (5, date(2026, 9, 1), None), (3, date(2026, 9, 1), date(2026, 11, 17))]
    # two weeks: Mondays 16 and 23, Fridays 20 and 27; Wednesday's slot ended on the 17th
    assert grading.lessons_left(weekly, monday, date(2026, 11, 29), []) == 4
    assert grading.lessons_left(weekly, monday, date(2026, 11, 29), [(date(2026, 11, 23), date(2026, 11, 29))]) == 2


def test_a_next_mark_beyond_the_lessons_left_is_said_to_be_unreachable(app):
    fours = [grading.WeightedMark(Decimal(4), Decimal(1))] * 10  # «5» needs more fives than 7 lessons
    fc = grading.forecast(fours, lessons_left=7)
    assert fc.top_marks_needed > 7 and fc.reachable is False
    phrase = forecast_phrase(fc)
    assert phrase == "Выходит «4»; «5» до конца периода уже не достижима (осталось 7 уроков)"
    assert "пятёр" not in phrase
    # within reach: the fives are still counted
    assert forecast_phrase(grading.forecast(fours[:3], lessons_left=7)) == "Выходит «4»; ещё 6 пятёрок до «5»"
