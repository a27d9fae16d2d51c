"""The bells rule (domain/bells.py, ADM-1): a class follows the bells of its own shift, of the
narrowest range of grades that holds its grade (falling back to «all grades»), and on a shortened
day the shortened variant of that level when there is one. Checks of the typed times."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from domain.bells import (
    Bell,
    BellBook,
    BellRefusal,
    BellSetKey,
    checked_bells,
    parse_time,
    partial_overlap,
    pick_set,
    set_key,
    shortened,
)

MONDAY = date(2026, 11, 23)
SHORT_DAY = date(2026, 12, 30)

ALL_1 = BellSetKey(1, 1, 11, "normal")
ALL_1_SHORT = BellSetKey(1, 1, 11, "short")
PRIMARY_1 = BellSetKey(1, 1, 4, "normal")
ALL_2 = BellSetKey(2, 1, 11, "normal")


def row(key: BellSetKey, number: int, starts: str, ends: str):
    return SimpleNamespace(shift=key.shift, grade_from=key.grade_from, grade_to=key.grade_to, variant=key.variant,
                           lesson_number=number, starts=starts, ends=ends)


@pytest.fixture
def book() -> BellBook:
    return BellBook.from_rows(
        [
            row(ALL_1, 1, "08:30", "09:15"),
            row(ALL_1, 2, "09:25", "10:10"),
            row(ALL_1_SHORT, 1, "08:30", "09:00"),
            row(ALL_1_SHORT, 2, "09:10", "09:40"),
            row(PRIMARY_1, 1, "08:30", "09:05"),
            row(ALL_2, 1, "13:30", "14:15"),
        ],
        [SHORT_DAY],
    )


def test_a_class_follows_the_bells_of_its_own_shift(book):
    assert book.times(1, 7, MONDAY, 1) == ("08:30", "09:15")
    assert book.times(2, 7, MONDAY, 1) == ("13:30", "14:15")


def test_a_level_with_its_own_bells_takes_them_and_the_others_fall_back_to_all_grades(book):
    assert book.times(1, 2, MONDAY, 1) == ("08:30", "09:05")  # primary, own bells
    assert book.times(1, 5, MONDAY, 1) == ("08:30", "09:15")  # 5th grade: all grades
    # the primary level has no 2nd lesson of its own: no time, not the other level's
    assert book.times(1, 2, MONDAY, 2) == ("", "")


def test_on_a_shortened_day_the_shortened_variant_applies(book):
    assert book.is_shortened(SHORT_DAY) and not book.is_shortened(MONDAY)
    assert book.times(1, 7, SHORT_DAY, 2) == ("09:10", "09:40")
    assert book.ends_at(1, 7, SHORT_DAY, 2).strftime("%H:%M") == "09:40"


def test_a_level_without_a_shortened_variant_keeps_its_normal_bells_on_a_shortened_day(book):
    assert book.times(1, 3, SHORT_DAY, 1) == ("08:30", "09:05")
    assert book.times(2, 9, SHORT_DAY, 1) == ("13:30", "14:15")


def test_a_shift_without_bells_has_no_times_rather_than_the_other_shifts():
    only_first = BellBook.from_rows([row(ALL_1, 1, "08:30", "09:15")])
    assert only_first.times(2, 5, MONDAY, 1) == ("", "")
    assert only_first.ends_at(2, 5, MONDAY, 1) is None


def test_a_shortened_set_alone_is_not_used_on_normal_days():
    keys = {BellSetKey(1, 5, 9, "short"), ALL_1}
    assert pick_set(keys, 1, 6, shortened=False) == ALL_1
    assert pick_set(keys, 1, 6, shortened=True) == BellSetKey(1, 5, 9, "short")


def test_the_narrowest_range_wins():
    keys = {ALL_1, BellSetKey(1, 5, 11, "normal"), BellSetKey(1, 5, 9, "normal")}
    assert pick_set(keys, 1, 7, False) == BellSetKey(1, 5, 9, "normal")
    assert pick_set(keys, 1, 10, False) == BellSetKey(1, 5, 11, "normal")
    assert pick_set(keys, 1, 3, False) == ALL_1
    assert pick_set(set(), 1, 3, False) is None


def test_typed_times_are_normalised_and_ordered_by_number():
    bells = checked_bells([("2", "9:25", "10.10"), ("1", " 08:30 ", "09:15")])
    assert bells == [Bell(1, "08:30", "09:15"), Bell(2, "09:25", "10:10")]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("1", "8-30", "09:15")], "ЧЧ:ММ"),
        ([("1", "24:00", "09:15")], "ЧЧ:ММ"),
        ([("1", "", "09:15")], "ЧЧ:ММ"),
        ([("1", "09:15", "08:30")], "начало должно быть раньше окончания"),
        ([("1", "08:30", "08:30")], "начало должно быть раньше окончания"),
        ([("1", "08:30", "09:15"), ("2", "09:10", "09:55")], "не пересекаются"),
        ([("1", "10:00", "10:45"), ("2", "08:30", "09:15")], "не пересекаются"),
        ([("1", "08:30", "09:15"), ("1", "09:25", "10:10")], "указан дважды"),
        ([("13", "08:30", "09:15")], "от 0 до 12"),
        ([("x", "08:30", "09:15")], "от 0 до 12"),
    ],
)
def test_bad_bells_are_refused_in_russian(rows, message):
    with pytest.raises(BellRefusal) as refused:
        checked_bells(rows)
    assert message in str(refused.value)


def test_shortened_day_keeps_the_first_bell_and_the_breaks():
    normal = [Bell(1, "08:30", "09:15"), Bell(2, "09:25", "10:10"), Bell(3, "10:30", "11:15")]
    assert shortened(normal, 30) == [Bell(1, "08:30", "09:00"), Bell(2, "09:10", "09:40"), Bell(3, "10:00", "10:30")]


@pytest.mark.parametrize("minutes", ["5", "61", "abc", None])
def test_shortened_lesson_length_is_checked(minutes):
    with pytest.raises(BellRefusal):
        shortened([Bell(1, "08:30", "09:15")], minutes)


def test_shortened_day_needs_lessons_and_must_fit_the_day():
    with pytest.raises(BellRefusal):
        shortened([], 30)
    with pytest.raises(BellRefusal):
        shortened([Bell(1, "23:30", "23:50")], 40)


def test_set_key_from_the_request_is_checked():
    assert set_key("2", "1", "4", "short") == BellSetKey(2, 1, 4, "short")
    for bad in [("3", "1", "11", "normal"), ("1", "5", "4", "normal"), ("1", "0", "11", "normal"),
                ("1", "1", "12", "normal"), ("1", "1", "11", "holiday"), (None, "1", "11", "normal")]:
        with pytest.raises(BellRefusal):
            set_key(*bad)


def test_ranges_of_one_shift_nest_or_stay_apart():
    keys = [ALL_1, BellSetKey(1, 1, 4, "normal")]
    assert partial_overlap(keys, BellSetKey(1, 5, 11, "normal")) is None
    assert partial_overlap(keys, BellSetKey(1, 3, 6, "normal")) == BellSetKey(1, 1, 4, "normal")
    assert partial_overlap(keys, BellSetKey(2, 3, 6, "normal")) is None


def test_parse_time():
    assert parse_time("8:05").strftime("%H:%M") == "08:05"
    assert parse_time("08:60") is None and parse_time("") is None and parse_time(None) is None
