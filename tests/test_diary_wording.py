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


def test_homework_text_does_not_double_the_teachers_own_number_sign(app):
    from blueprints.diary.queries import homework_text
    from models import Homework

    assert homework_text(Homework(text="Задачи", pages="56", exercises="245, 247")) == "Задачи, стр. 56, № 245, 247"
    assert homework_text(Homework(text="", pages="стр. 56", exercises="№ 245")) == "стр. 56, № 245"
