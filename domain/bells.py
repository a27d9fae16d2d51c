"""The bells: when lesson N of a class begins and ends on a date (the schedule regime, ADM-1).

A school enters bell sets: one per shift (1st, 2nd), per range of grades when the levels differ
(1-11 is the whole school; 1-4 the primary school with its own lessons) and per variant, the
normal day or the shortened one (сокращённый день) on the dates the school marks. The one rule
that picks the set of a class on a date lives here, and every page that shows or uses a bell time
(the teacher's day, the timetable, the diary, the homework deadline, the weekly report) asks it:

1. only the class's own shift counts: a 2nd-shift class never takes the 1st shift's times;
2. the narrowest range of grades that holds the class's grade wins, so a level without sets of its
   own falls back to the wider one ("all grades");
3. on a shortened day the level's shortened set, when it has one; its normal set otherwise.
   A level with a shortened set only is passed over on normal days.

Pure: no Flask, no database; utils/bells.py loads a school's sets once per request."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from domain.messages import N_, Refusal

NORMAL, SHORT = "normal", "short"
VARIANTS = (NORMAL, SHORT)
SHIFTS = (1, 2)
FIRST_GRADE, LAST_GRADE = 1, 11
LESSON_NUMBERS = range(0, 13)  # as the timetable's slots (ScheduleSlot: 0 to 12)
SHORT_LESSON_MINUTES = range(10, 61)

_HHMM = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class BellRefusal(Refusal):
    """Bad bells: nothing is stored."""


@dataclass(frozen=True, order=True)
class BellSetKey:
    shift: int
    grade_from: int
    grade_to: int
    variant: str

    @property
    def all_grades(self) -> bool:
        return (self.grade_from, self.grade_to) == (FIRST_GRADE, LAST_GRADE)

    @property
    def width(self) -> int:
        return self.grade_to - self.grade_from

    def holds(self, shift: int, grade: int) -> bool:
        return self.shift == shift and self.grade_from <= grade <= self.grade_to

    def with_variant(self, variant: str) -> BellSetKey:
        return BellSetKey(self.shift, self.grade_from, self.grade_to, variant)


@dataclass(frozen=True)
class Bell:
    lesson_number: int
    starts: str  # "08:30"
    ends: str


def set_key(shift, grade_from, grade_to, variant) -> BellSetKey:
    """A set's key from the request's values; a Russian refusal for anything else."""
    try:
        shift, grade_from, grade_to = int(shift), int(grade_from), int(grade_to)
    except (TypeError, ValueError):
        raise BellRefusal(N_("Укажите смену и параллели числами.")) from None
    if shift not in SHIFTS:
        raise BellRefusal(N_("Смена — первая или вторая."))
    if not FIRST_GRADE <= grade_from <= grade_to <= LAST_GRADE:
        raise BellRefusal(N_("Параллели — от 1 до 11, первая не больше последней."))
    if variant not in VARIANTS:
        raise BellRefusal(N_("Вариант звонков — обычный или сокращённый день."))
    return BellSetKey(shift, grade_from, grade_to, variant)


def pick_set(keys: Iterable[BellSetKey], shift: int, grade: int, shortened: bool) -> BellSetKey | None:
    """The set a class of that shift and grade follows on a normal or a shortened day (the
    rules of the module's docstring); None when the school has none for it."""
    keys = set(keys)
    levels = sorted(
        {(k.grade_from, k.grade_to) for k in keys if k.holds(shift, grade)},
        key=lambda level: (level[1] - level[0], -level[0]),
    )
    variants = (SHORT, NORMAL) if shortened else (NORMAL,)
    for grade_from, grade_to in levels:
        for variant in variants:
            key = BellSetKey(shift, grade_from, grade_to, variant)
            if key in keys:
                return key
    return None


class BellBook:
    """A school's bell sets and shortened days, loaded once and asked for every lesson."""

    def __init__(self, sets: dict[BellSetKey, dict[int, tuple[str, str]]], shortened_days: Iterable[date] = ()):
        self.sets = sets
        self.shortened_days = frozenset(shortened_days)
        self._picked: dict[tuple[int, int, bool], BellSetKey | None] = {}

    @classmethod
    def from_rows(cls, rows: Iterable, shortened_days: Iterable[date] = ()) -> BellBook:
        """Rows with shift, grade_from, grade_to, variant, lesson_number, starts, ends."""
        sets: dict[BellSetKey, dict[int, tuple[str, str]]] = {}
        for row in rows:
            key = BellSetKey(row.shift, row.grade_from, row.grade_to, row.variant)
            sets.setdefault(key, {})[row.lesson_number] = (row.starts, row.ends)
        return cls(sets, shortened_days)

    def is_shortened(self, day: date) -> bool:
        return day in self.shortened_days

    def set_for(self, shift: int, grade: int, day: date) -> BellSetKey | None:
        cache_key = (shift, grade, self.is_shortened(day))
        if cache_key not in self._picked:
            self._picked[cache_key] = pick_set(self.sets, *cache_key)
        return self._picked[cache_key]

    def day_bells(self, shift: int, grade: int, day: date) -> dict[int, tuple[str, str]]:
        key = self.set_for(shift, grade, day)
        return self.sets[key] if key is not None else {}

    def usual_bells(self, shift: int, grade: int) -> dict[int, tuple[str, str]]:
        """The bells of an ordinary (not shortened) day: what a printed weekly timetable shows."""
        key = pick_set(self.sets, shift, grade, False)
        return self.sets[key] if key is not None else {}

    def times(self, shift: int, grade: int, day: date, lesson_number: int) -> tuple[str, str]:
        """Start and end of lesson N of a class (its shift and grade) on the date; ("", "") when
        the school has no such bell."""
        return self.day_bells(shift, grade, day).get(lesson_number, ("", ""))

    def ends_at(self, shift: int, grade: int, day: date, lesson_number: int) -> time | None:
        return parse_time(self.times(shift, grade, day, lesson_number)[1])


def parse_time(value: str) -> time | None:
    """"8:30", "08:30" or "08.30" as a time; None for anything else."""
    match = _HHMM.match(value or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def checked_bells(rows: Iterable[tuple]) -> list[Bell]:
    """The lessons of one set as typed (number, starts, ends), checked and normalised: times as
    HH:MM, each lesson starting before it ends, numbers unique, and in the order of their numbers
    the lessons follow each other without overlapping. Raises BellRefusal at the first problem."""
    bells: list[Bell] = []
    for number, starts, ends in rows:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise BellRefusal(N_("Номер урока — целое число от 0 до 12.")) from None
        if number not in LESSON_NUMBERS:
            raise BellRefusal(N_("Номер урока — целое число от 0 до 12."))
        start, end = parse_time(starts), parse_time(ends)
        if start is None or end is None:
            raise BellRefusal(N_("Урок %(n)s: время укажите как ЧЧ:ММ, например 08:30."), n=number)
        if start >= end:
            raise BellRefusal(N_("Урок %(n)s: начало должно быть раньше окончания."), n=number)
        if any(b.lesson_number == number for b in bells):
            raise BellRefusal(N_("Урок %(n)s указан дважды."), n=number)
        bells.append(Bell(number, _hhmm(start), _hhmm(end)))
    bells.sort(key=lambda b: b.lesson_number)
    for before, after in pairwise(bells):
        if after.starts < before.ends:
            raise BellRefusal(
                N_("Урок %(n)s начинается раньше, чем заканчивается урок %(m)s: уроки идут по порядку и не пересекаются."),
                n=after.lesson_number,
                m=before.lesson_number,
            )
    return bells


def shortened(bells: list[Bell], minutes: int) -> list[Bell]:
    """The shortened day made from the normal one: the first lesson starts at the same time,
    every lesson lasts `minutes`, the breaks keep their length."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise BellRefusal(N_("Длительность урока — число минут от 10 до 60.")) from None
    if minutes not in SHORT_LESSON_MINUTES:
        raise BellRefusal(N_("Длительность урока — число минут от 10 до 60."))
    if not bells:
        raise BellRefusal(N_("В обычном варианте нет ни одного урока: копировать нечего."))
    ordered = sorted(bells, key=lambda b: b.lesson_number)
    day = date(2000, 1, 1)

    def at(value: str) -> datetime:
        return datetime.combine(day, parse_time(value))

    result: list[Bell] = []
    previous: Bell | None = None
    end = at(ordered[0].starts)
    for bell in ordered:
        brk = at(bell.starts) - at(previous.ends) if previous is not None else timedelta(0)
        start = end + brk
        end = start + timedelta(minutes=minutes)
        previous = bell
        if end.date() != day:
            raise BellRefusal(N_("Сокращённые уроки не помещаются в сутки."))
        result.append(Bell(bell.lesson_number, _hhmm(start.time()), _hhmm(end.time())))
    return result


def partial_overlap(keys: Iterable[BellSetKey], new: BellSetKey) -> BellSetKey | None:
    """A set of the same shift whose grades overlap the new set's without one range holding the
    other (1-5 against 4-9): which of them grade 4 follows would be a guess, so it is refused."""
    for key in keys:
        if key.shift != new.shift:
            continue
        if key.grade_to < new.grade_from or new.grade_to < key.grade_from:
            continue
        nested = (key.grade_from <= new.grade_from and new.grade_to <= key.grade_to) or (
            new.grade_from <= key.grade_from and key.grade_to <= new.grade_to
        )
        if not nested:
            return key
    return None
