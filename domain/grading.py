"""Marking scales and their valid values (003:1.6, 003 Положение 1.3)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    values: tuple[str, ...]  # what a teacher may put in a cell, lowest first
    numeric: bool

    def is_valid(self, value: str) -> bool:
        return value in self.values


SCALES: dict[str, Scale] = {
    "five": Scale("five", "Пятибалльная", ("1", "2", "3", "4", "5"), True),
    "pass_fail": Scale("pass_fail", "Зачёт/незачёт", ("незач", "зач"), False),
    "ten": Scale("ten", "Десятибалльная", tuple(str(v) for v in range(1, 11)), True),
    "hundred": Scale("hundred", "Стобалльная", tuple(str(v) for v in range(0, 101)), True),
    # First grade: no marks at all, attendance only.
    "none": Scale("none", "Без отметок", (), False),
}


def scale(code: str) -> Scale:
    return SCALES[code]


# --- Averages, suggested period marks, forecasts -------------------------------------------
# One rule, one place: the journal, the diary, the reports and the PDFs all call these.

import math  # noqa: E402
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

DEFAULT_THRESHOLDS = {"5": Decimal("4.65"), "4": Decimal("3.65"), "3": Decimal("2.65")}


@dataclass(frozen=True)
class WeightedMark:
    value: Decimal
    weight: Decimal


def numeric_marks(values: list[tuple[str, Decimal]], scale_code: str) -> list[WeightedMark]:
    """Keep the marks that count in an average: numeric values of a numeric scale."""
    if not SCALES[scale_code].numeric:
        return []
    out = []
    for value, weight in values:
        if value.isdigit():
            out.append(WeightedMark(Decimal(value), Decimal(weight)))
    return out


def weighted_average(marks: list[WeightedMark], use_weights: bool = True) -> Decimal | None:
    """Σ(mark × weight) / Σ(weight) over the period's marks (004:3.7 «накопляемость»);
    two decimals, half up, as printed in the journal."""
    if not marks:
        return None
    if use_weights:
        total = sum(m.value * m.weight for m in marks)
        weights = sum(m.weight for m in marks)
    else:
        total = sum(m.value for m in marks)
        weights = Decimal(len(marks))
    if weights == 0:
        return None
    return (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def thresholds_from_settings(settings: dict) -> dict[str, Decimal]:
    raw = settings.get("rounding_thresholds") or {}
    return {k: Decimal(str(v)) for k, v in raw.items()} or dict(DEFAULT_THRESHOLDS)


def suggest_mark(average: Decimal | None, thresholds: dict[str, Decimal] | None = None) -> str | None:
    """The period mark the average rounds to on the five-point scale: 5 from 4.65, 4 from 3.65,
    3 from 2.65, else 2 (each threshold is a school setting)."""
    if average is None:
        return None
    thresholds = thresholds or DEFAULT_THRESHOLDS
    for mark in sorted(thresholds, key=lambda k: thresholds[k], reverse=True):
        if average >= thresholds[mark]:
            return mark
    return "2"


@dataclass(frozen=True)
class Forecast:
    average: Decimal | None
    suggested: str | None
    count: int
    enough_marks: bool  # below the minimum the student is at risk of «н/а»
    next_mark: str | None  # the next mark up, if there is one
    fives_needed: int | None  # how many fives (of the usual weight 1) reach it
    # False when the fives needed cannot be got within the lessons left in the period (at most one
    # five per lesson); None when the lessons left are not known.
    reachable: bool | None = None
    lessons_left: int | None = None


def forecast(
    marks: list[WeightedMark],
    thresholds: dict[str, Decimal] | None = None,
    min_marks: int = 3,
    use_weights: bool = True,
    limit: int = 30,
    lessons_left: int | None = None,
) -> Forecast:
    """The suggested period mark and the fives that reach the next one; with `lessons_left` (the
    timetabled lessons still to come in the period) a next mark needing more fives than there are
    lessons is marked unreachable, instead of promising «ещё 27 пятёрок» in a week's time."""
    thresholds = thresholds or DEFAULT_THRESHOLDS
    average = weighted_average(marks, use_weights)
    suggested = suggest_mark(average, thresholds)
    next_mark = None
    fives = None
    if suggested is not None and suggested != "5":
        candidates = sorted((k for k in thresholds if int(k) > int(suggested)), key=int)
        if candidates:
            next_mark = candidates[0]
            fives = fives_to_reach(marks, thresholds[next_mark], use_weights, limit)
    reachable = None
    if next_mark is not None and lessons_left is not None:
        reachable = fives is not None and fives <= lessons_left
    return Forecast(average, suggested, len(marks), len(marks) >= min_marks, next_mark, fives, reachable, lessons_left)


def lessons_left(weekly: list[tuple[int, date, date | None]], start: date, end: date,
                 days_off: list[tuple[date, date]]) -> int:
    """How many timetabled lessons fall from `start` to `end` (both included): `weekly` holds
    (ISO weekday, valid from, valid to) of each weekly slot, `days_off` the holidays (first, last day)."""
    count = 0
    day = start
    while day <= end:
        if not any(first <= day <= last for first, last in days_off):
            weekday = day.isoweekday()
            count += sum(1 for wd, since, until in weekly
                         if wd == weekday and since <= day and (until is None or day <= until))
        day += timedelta(days=1)
    return count


def fives_to_reach(marks: list[WeightedMark], threshold: Decimal, use_weights: bool = True, limit: int = 30) -> int | None:
    """The fewest fives of weight 1 that bring the average (as printed, two decimals) to the
    threshold: from (S + 5n) / (W + n) >= t, n >= (tW - S) / (5 - t); then checked against the
    rounded average, which may reach the threshold one five earlier."""
    if threshold >= 5:
        return None
    total = sum((m.value * m.weight if use_weights else m.value) for m in marks)
    weights = sum((m.weight if use_weights else Decimal(1)) for m in marks)
    estimate = max(1, math.ceil((threshold * weights - total) / (5 - threshold)))
    for n in (estimate - 1, estimate, estimate + 1):
        if 1 <= n <= limit:
            extra = [*marks, *([WeightedMark(Decimal(5), Decimal(1))] * n)]
            average = weighted_average(extra, use_weights)
            if average is not None and average >= threshold:
                return n
    return None


PERIOD_MARK_SPECIAL = ("н/а", "зач", "незач", "осв")


def valid_period_mark(value: str, scale_code: str) -> bool:
    """Period and year marks: the scale's values plus н/а, зачёт/незачёт and освобождён (001:2.5.6)."""
    return value in PERIOD_MARK_SPECIAL or SCALES[scale_code].is_valid(value)
