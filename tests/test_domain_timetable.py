"""The clash rules of the weekly timetable (domain/timetable.py), without a database: a teacher
in one place, a room with one lesson, a class with one whole-class lesson or lessons of its
different subgroups, in each weekday and lesson number."""
from __future__ import annotations

from datetime import date

import pytest

from domain import timetable as rules


def lesson(key, class_id=1, subgroup=None, teacher=10, room=None, weekday=1, number=1, subject="Математика"):
    return rules.Entry(
        key=key, weekday=weekday, lesson_number=number, class_id=class_id, class_name=f"{class_id}А",
        subgroup_id=subgroup, subgroup_name=f"{subgroup} группа" if subgroup else "", teacher_id=teacher,
        teacher_name=f"Учитель {teacher}", subject_name=subject, room_id=room, room_name=str(room or ""),
    )


def test_a_teacher_cannot_be_in_two_classes_at_the_same_lesson():
    found = rules.clashes(lesson("new", class_id=2, teacher=10), [lesson("old", class_id=1, teacher=10)])
    assert [c.kind for c in found] == [rules.TEACHER]
    message, params = found[0].message()
    assert (message % params) == "Учитель Учитель 10 уже ведёт урок в это время: 1А, Математика (понедельник, 1-й урок)."


def test_the_same_teacher_at_another_lesson_or_weekday_is_no_clash():
    others = [lesson("a", class_id=1, teacher=10, number=2), lesson("b", class_id=1, teacher=10, weekday=2)]
    assert rules.clashes(lesson("new", class_id=2, teacher=10), others) == []


def test_a_room_holds_one_lesson():
    found = rules.clashes(lesson("new", class_id=2, teacher=11, room=5), [lesson("old", class_id=1, teacher=10, room=5)])
    assert [c.kind for c in found] == [rules.ROOM]
    message, params = found[0].message()
    assert "Кабинет 5 уже занят" in message % params


def test_lessons_without_a_room_never_clash_by_room():
    assert rules.clashes(lesson("new", class_id=2, teacher=11), [lesson("old", class_id=1, teacher=10)]) == []


def test_a_class_has_one_whole_class_lesson_in_a_cell():
    found = rules.clashes(lesson("new", teacher=11, subject="Русский язык"), [lesson("old", teacher=10)])
    assert [c.kind for c in found] == [rules.CLASS]
    message, params = found[0].message()
    assert message % params == "У класса 1А уже есть урок в это время: Математика, Учитель 10 (понедельник, 1-й урок)."


def test_lessons_of_different_subgroups_share_a_cell():
    assert rules.clashes(lesson("new", subgroup=2, teacher=11), [lesson("old", subgroup=1, teacher=10)]) == []


@pytest.mark.parametrize("new_group, old_group", [(1, 1), (None, 1), (1, None)])
def test_a_subgroup_lesson_never_shares_a_cell_with_its_own_subgroup_or_the_whole_class(new_group, old_group):
    found = rules.clashes(lesson("new", subgroup=new_group, teacher=11), [lesson("old", subgroup=old_group, teacher=10)])
    assert [c.kind for c in found] == [rules.CLASS]


def test_an_entry_never_clashes_with_itself():
    entry = lesson("same")
    assert rules.clashes(entry, [entry]) == []


def test_first_clash_looks_among_the_new_entries_too():
    new = [lesson("r2", subgroup=1, teacher=10), lesson("r3", subgroup=2, teacher=10)]
    clash = rules.first_clash(new, [])
    assert clash is not None and clash.kind == rules.TEACHER and clash.other.key == "r2"


@pytest.mark.parametrize("text, number", [
    ("пн", 1), ("Понедельник", 1), ("1", 1), ("ВТ", 2), ("среда", 3), ("Чт.", 4), ("пятница", 5), ("сб", 6), ("6", 6),
])
def test_weekdays_are_read_as_schools_write_them(text, number):
    assert rules.parse_weekday(text) == number


@pytest.mark.parametrize("text", ["", "вс", "7", "0", "воскресенье", "понедельникк", "1.5"])
def test_sunday_and_nonsense_are_no_school_weekday(text):
    assert rules.parse_weekday(text) is None


@pytest.mark.parametrize("today, monday", [
    (date(2026, 11, 29), date(2026, 11, 30)),  # Sunday
    (date(2026, 11, 30), date(2026, 12, 7)),  # Monday: the next one
    (date(2026, 11, 27), date(2026, 11, 30)),  # Friday
])
def test_a_new_timetable_starts_by_default_next_monday(today, monday):
    assert rules.next_monday(today) == monday


def test_the_grid_has_eight_lessons_or_as_many_as_the_bells():
    assert rules.lesson_numbers([]) == list(range(1, 9))
    assert rules.lesson_numbers([], [1, 2]) == list(range(1, 9))
    assert rules.lesson_numbers([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == list(range(1, 11))
    assert rules.lesson_numbers([1, 2, 3, 4, 5, 6]) == list(range(1, 7))
    assert rules.lesson_numbers([1, 2, 3, 4, 5, 6], [7]) == list(range(1, 8))  # a lesson past the bells stays
