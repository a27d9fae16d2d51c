"""Pure rules of the personal file (REP-6): the school's date, the split of missed lessons, what
is missing before a year can be written, a refill needs a reason."""
from __future__ import annotations

from datetime import date

import pytest

from domain import personal_files as rules
from domain.messages import Refusal


@pytest.mark.parametrize("typed,stored", [("25.06", "06-25"), ("06-25", "06-25"), ("1.7", "07-01"), ("29.02", "02-29")])
def test_the_date_is_read_as_day_and_month(typed, stored):
    assert rules.read_month_day(typed) == stored


@pytest.mark.parametrize("typed", ["", "25/06", "31.06", "00.01", "june", "2027-06-25"])
def test_a_wrong_date_is_refused_in_russian(typed):
    with pytest.raises(Refusal) as refused:
        rules.read_month_day(typed)
    assert refused.value.message.startswith(("Дата", "Такой"))


def test_the_fill_date_falls_in_the_year_the_school_year_ends():
    assert rules.fill_date(date(2027, 5, 31), "06-25") == date(2027, 6, 25)
    assert rules.fill_date(date(2027, 5, 31), None) == date(2027, 6, 25)
    assert rules.fill_date(date(2027, 5, 31), "garbage") == date(2027, 6, 25)
    assert rules.fill_date(date(2027, 6, 30), "06-25") == date(2027, 6, 30)  # never before the year's end
    assert rules.fill_date(date(2027, 1, 31), "02-29") == date(2027, 2, 28)


def test_missed_lessons_split_into_illness_and_unexcused():
    split = rules.missed_split({"ill": 3, "unexcused": 2, "absent": 1, "excused": 4, "late": 5})
    assert split == {"total": 10, "ill": 3, "excused": 4, "unexcused": 3}
    assert rules.missed_split({}) == {"total": 0, "ill": 0, "excused": 0, "unexcused": 0}


def test_what_is_missing_before_filling():
    missing = rules.missing_for_fill({"Математика": "5", "Русский язык": ""}, ["Математика", "Русский язык"], None)
    assert [m % p if p else m for m, p in missing] == ["нет годовой отметки: Русский язык",
                                                       "нет решения педагогического совета"]
    assert rules.missing_for_fill({"Математика": "н/а"}, ["Математика"], "repeat") == []


def test_a_refill_needs_a_reason():
    assert rules.refill_problem(False, "") is None
    assert rules.refill_problem(True, "ошибка") is None
    assert rules.refill_problem(True, "  ").status == 400


def test_changed_fields():
    assert rules.changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b", "c"]
