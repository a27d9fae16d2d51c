"""Clash rules of the weekly timetable (ADM-9, 002:4.1): pure functions over plain entries, used
by the cell editor and the import alike.

In one weekday and lesson number:
- a teacher is in one place only;
- a room holds one lesson only;
- a class has one whole-class lesson, or lessons of its different subgroups (a subgroup lesson
  never shares the cell with a whole-class lesson, nor with a lesson of the same subgroup)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.messages import N_

WEEKDAYS = (1, 2, 3, 4, 5, 6)  # Monday to Saturday, ISO numbers
WEEKDAY_NAMES = {
    1: N_("Понедельник"),
    2: N_("Вторник"),
    3: N_("Среда"),
    4: N_("Четверг"),
    5: N_("Пятница"),
    6: N_("Суббота"),
    7: N_("Воскресенье"),
}
WEEKDAY_SHORT = {1: N_("Пн"), 2: N_("Вт"), 3: N_("Ср"), 4: N_("Чт"), 5: N_("Пт"), 6: N_("Сб"), 7: N_("Вс")}
# What the import accepts for a weekday, lower case, «ё» as «е».
_WEEKDAY_WORDS = {
    1: ("пн", "пон", "понедельник", "mon", "monday"),
    2: ("вт", "вто", "вторник", "tue", "tuesday"),
    3: ("ср", "сре", "среда", "wed", "wednesday"),
    4: ("чт", "чет", "четверг", "thu", "thursday"),
    5: ("пт", "пят", "пятница", "fri", "friday"),
    6: ("сб", "суб", "суббота", "sat", "saturday"),
}
MAX_LESSON_NUMBER = 12  # ScheduleSlot's check constraint
DEFAULT_LESSONS_PER_DAY = 8

TEACHER, ROOM, CLASS = "teacher", "room", "class"


@dataclass(frozen=True)
class Entry:
    """One lesson of the weekly timetable as the rules see it. `key` tells entries apart (a
    slot id, or a row of a file); an entry never clashes with itself."""

    key: object
    weekday: int
    lesson_number: int
    class_id: int
    class_name: str
    subgroup_id: int | None
    subgroup_name: str
    teacher_id: int
    teacher_name: str
    subject_name: str
    room_id: int | None = None
    room_name: str = ""

    @property
    def group_name(self) -> str:
        return f"{self.class_name} ({self.subgroup_name})" if self.subgroup_id else self.class_name


@dataclass(frozen=True)
class Clash:
    kind: str  # TEACHER, ROOM or CLASS
    entry: Entry
    other: Entry

    def message(self) -> tuple[str, dict[str, object]]:
        """The refusal for the user: a N_-marked text and its params, naming the other lesson."""
        o = self.other
        params = {
            "day": WEEKDAY_NAMES[o.weekday].lower(),
            "number": o.lesson_number,
            "group": o.group_name,
            "subject": o.subject_name,
            "teacher": o.teacher_name,
            "room": o.room_name,
        }
        if self.kind == TEACHER:
            return N_("Учитель %(teacher)s уже ведёт урок в это время: %(group)s, %(subject)s "
                      "(%(day)s, %(number)s-й урок)."), params
        if self.kind == ROOM:
            return N_("Кабинет %(room)s уже занят в это время: %(group)s, %(subject)s "
                      "(%(day)s, %(number)s-й урок)."), params
        return N_("У класса %(group)s уже есть урок в это время: %(subject)s, %(teacher)s "
                  "(%(day)s, %(number)s-й урок)."), params


def _class_clash(a: Entry, b: Entry) -> bool:
    if a.class_id != b.class_id:
        return False
    # subgroups of the same class share a cell only when both are subgroup lessons of
    # different subgroups
    return a.subgroup_id is None or b.subgroup_id is None or a.subgroup_id == b.subgroup_id


def clashes(entry: Entry, others: Iterable[Entry]) -> list[Clash]:
    """Every clash of `entry` with the `others` (entries of any weekday; only the same weekday
    and lesson number count)."""
    found = []
    for other in others:
        if other.key == entry.key or (other.weekday, other.lesson_number) != (entry.weekday, entry.lesson_number):
            continue
        if _class_clash(entry, other):
            found.append(Clash(CLASS, entry, other))
        elif other.teacher_id == entry.teacher_id:
            found.append(Clash(TEACHER, entry, other))
        elif entry.room_id is not None and other.room_id == entry.room_id:
            found.append(Clash(ROOM, entry, other))
    return found


def first_clash(entries: list[Entry], others: Iterable[Entry]) -> Clash | None:
    """The first clash of the new `entries` (one cell or a whole file) among themselves or with
    the `others` already in the timetable."""
    others = list(others)
    for i, entry in enumerate(entries):
        found = clashes(entry, entries[:i] + others)
        if found:
            return found[0]
    return None


def parse_weekday(text: str) -> int | None:
    """«пн», «Понедельник», «1» (ISO, Monday = 1) to 1..6; None for anything else, Sunday included."""
    word = text.strip().lower().replace("ё", "е").rstrip(".")
    if word.isdigit():
        number = int(word)
        return number if number in WEEKDAYS else None
    for number, words in _WEEKDAY_WORDS.items():
        if word in words:
            return number
    return None


def next_monday(today: date) -> date:
    """The default start of a new timetable: the Monday after today (a Monday gives the next)."""
    return today + timedelta(days=7 - today.weekday())


def lesson_numbers(bell_numbers: Iterable[int], used_numbers: Iterable[int] = ()) -> list[int]:
    """The rows of the grid: as many as the bells have (1..8 without bells), and never fewer
    than the lessons already in the timetable."""
    bells = [n for n in bell_numbers if 0 < n <= MAX_LESSON_NUMBER]
    top = max(bells) if bells else DEFAULT_LESSONS_PER_DAY
    top = max([top, *(n for n in used_numbers if 0 < n <= MAX_LESSON_NUMBER)])
    return list(range(1, top + 1))
