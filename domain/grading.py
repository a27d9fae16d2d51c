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


NO_MARKS = "none"


def marks_scale(scale_code: str, attendance_only: bool) -> str:
    """The scale a journal's marks are on: none in a class that records attendance only (first
    grade, 003 Положение 1.3), whatever scale its assignment names."""
    return NO_MARKS if attendance_only else scale_code


def carries_marks(scale_code: str, attendance_only: bool) -> bool:
    """Whether a journal takes marks (and so a homework, a forecast, period marks)."""
    return marks_scale(scale_code, attendance_only) != NO_MARKS


# --- Averages, suggested period marks, forecasts -------------------------------------------
# One rule, one place: the journal, the diary, the reports and the PDFs all call these.

import math  # noqa: E402
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

DEFAULT_THRESHOLDS = {"5": Decimal("4.65"), "4": Decimal("3.65"), "3": Decimal("2.65")}
# The 10- and 100-point scales: the fractional part from which an average rounds up (8.50 -> 9).
DEFAULT_ROUND_UP_FROM = Decimal("0.5")
# The pass point of each numeric scale: a mark below it is unsatisfactory («неудовлетворительно»),
# highlighted in the journal and the diary.
PASS_POINT = {"five": 3, "ten": 4, "hundred": 40}
LOW_SPECIAL = frozenset({"незач", "н/а"})


@dataclass(frozen=True)
class WeightedMark:
    value: Decimal
    weight: Decimal


def marks_given(values: list[str], scale_code: str) -> int:
    """How many of the values are marks of the scale (numeric or not): what the minimum number
    of marks per period counts."""
    scale = SCALES[scale_code]
    return sum(1 for value in values if scale.is_valid(value))


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


def thresholds_for(settings: dict, scale_code: str) -> dict[str, Decimal]:
    """Mark -> the lowest average that rounds to it, for every mark above the scale's lowest.

    Five-point: the school's thresholds (5 from 4.65, 4 from 3.65, 3 from 2.65, else 2: the
    «2» starts at the scale's lowest value, so no average is suggested «1»). Ten- and
    hundred-point: the average rounds up from the school's fractional part (0.5: 8.50 -> 9,
    8.49 -> 8). Pass/fail and «без отметок» have no average: no thresholds."""
    scale = SCALES[scale_code]
    if not scale.numeric:
        return {}
    if scale_code == "five":
        raw = settings.get("rounding_thresholds") or {}
        out = {k: Decimal(str(v)) for k, v in raw.items() if k in scale.values and k != scale.values[0]}
        for mark, threshold in DEFAULT_THRESHOLDS.items():
            out.setdefault(mark, threshold)
        out.setdefault(scale.values[1], Decimal(scale.values[0]))  # «else 2»
        return out
    raw_up = (settings.get("rounding_round_up_from") or {}).get(scale_code)
    try:
        up = Decimal(str(raw_up)) if raw_up is not None else DEFAULT_ROUND_UP_FROM
        if not Decimal(0) < up <= Decimal(1):  # outside (0, 1] it would skip or repeat a mark
            up = DEFAULT_ROUND_UP_FROM
    except ArithmeticError:  # not a number (NaN included)
        up = DEFAULT_ROUND_UP_FROM
    return {value: Decimal(int(value) - 1) + up for value in scale.values[1:]}


def _by_value(thresholds: dict[str, Decimal]) -> list[str]:
    return sorted(thresholds, key=int)


def suggest_mark(average: Decimal | None, thresholds: dict[str, Decimal] | None = None) -> str | None:
    """The period mark the average rounds to: the highest mark whose threshold the average
    reaches; below every threshold, the scale's mark just under the lowest one (thresholds
    name every mark above the scale's lowest, see thresholds_for)."""
    if average is None:
        return None
    if thresholds is None:
        thresholds = DEFAULT_THRESHOLDS
    if not thresholds:
        return None
    marks = _by_value(thresholds)
    for mark in reversed(marks):
        if average >= thresholds[mark]:
            return mark
    return str(int(marks[0]) - 1)


def top_mark(thresholds: dict[str, Decimal]) -> str | None:
    """The scale's highest mark: «5», «10», «100»."""
    return _by_value(thresholds)[-1] if thresholds else None


def is_low_mark(value: str | None, scale_code: str | None) -> bool:
    """An unsatisfactory mark: below the scale's pass point (five: under 3, ten: under 4,
    hundred: under 40), a «незачёт», or «н/а» among period marks."""
    if not value:
        return False
    if value in LOW_SPECIAL:
        return True
    point = PASS_POINT.get(scale_code or "")
    return point is not None and value.isdigit() and int(value) < point


@dataclass(frozen=True)
class Forecast:
    average: Decimal | None
    suggested: str | None
    count: int
    enough_marks: bool  # below the minimum the student is at risk of «н/а»
    next_mark: str | None  # the next mark up, if there is one
    top_marks_needed: int | None  # how many top marks of the scale (of the usual weight 1) reach it
    # False when the top marks needed cannot be got within the lessons left in the period (at
    # most one per lesson); None when the lessons left are not known.
    reachable: bool | None = None
    lessons_left: int | None = None
    top_mark: str | None = None  # the scale's highest mark: «5», «10», «100»


def forecast(
    marks: list[WeightedMark],
    thresholds: dict[str, Decimal] | None = None,
    min_marks: int = 3,
    use_weights: bool = True,
    limit: int = 30,
    lessons_left: int | None = None,
    given: int | None = None,
) -> Forecast:
    """The suggested period mark and the top marks that reach the next one (`thresholds` from
    thresholds_for: their marks are the scale's); with `lessons_left` (the timetabled lessons
    still to come in the period) a next mark needing more top marks than there are lessons is
    marked unreachable, instead of promising «ещё 27 пятёрок» in a week's time. `given`: the
    marks of the period on the scale, when not all of them count in the average (a «зач» counts
    towards the minimum number of marks, not in an average); the numeric ones by default."""
    if thresholds is None:
        thresholds = DEFAULT_THRESHOLDS
    average = weighted_average(marks, use_weights)
    suggested = suggest_mark(average, thresholds)
    top = top_mark(thresholds)
    next_mark = None
    needed = None
    if suggested is not None and top is not None and suggested != top:
        candidates = [k for k in _by_value(thresholds) if int(k) > int(suggested)]
        if candidates:
            next_mark = candidates[0]
            needed = top_marks_to_reach(marks, thresholds[next_mark], Decimal(top), use_weights, limit)
    reachable = None
    if next_mark is not None and lessons_left is not None:
        reachable = needed is not None and needed <= lessons_left
    count = len(marks) if given is None else given
    return Forecast(average, suggested, count, count >= min_marks, next_mark, needed, reachable, lessons_left, top)


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


def top_marks_to_reach(marks: list[WeightedMark], threshold: Decimal, top: Decimal, use_weights: bool = True,
                       limit: int = 30) -> int | None:
    """The fewest top marks (`top`: 5, 10, 100) of weight 1 that bring the average (as printed,
    two decimals) to the threshold: from (S + top·n) / (W + n) >= t, n >= (tW - S) / (top - t);
    then checked against the rounded average, which may reach the threshold a mark or two earlier.
    None beyond `limit`."""
    if threshold >= top or limit < 1:
        return None
    total = sum((m.value * m.weight if use_weights else m.value) for m in marks)
    weights = sum((m.weight if use_weights else Decimal(1)) for m in marks)

    def reaches(n: int) -> bool:
        average = ((total + top * n) / (weights + n)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return average >= threshold

    # The printed average only grows with each top mark: step from the estimate to the fewest.
    n = min(limit, max(1, math.ceil((threshold * weights - total) / (top - threshold))))
    if reaches(n):
        while n > 1 and reaches(n - 1):
            n -= 1
    else:
        while n <= limit and not reaches(n):
            n += 1
    return n if n <= limit else None


PERIOD_MARK_SPECIAL = ("н/а", "зач", "незач", "осв")


def valid_period_mark(value: str, scale_code: str) -> bool:
    """Period and year marks: the scale's values plus н/а, зачёт/незачёт and освобождён (001:2.5.6)."""
    return value in PERIOD_MARK_SPECIAL or SCALES[scale_code].is_valid(value)


def format_average(value: Decimal | None) -> str:
    """An average as the interface shows it, on a page and on paper alike: two decimals with the
    Russian decimal comma («4,57»); "" when there is none (the page shows its own dash)."""
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}".replace(".", ",")


def period_forecast(values: list[tuple[str, Decimal]], scale_code: str, settings: dict, scheme: str | None,
                    lessons_left: int | None = None) -> Forecast:
    """The forecast of one student in one subject and period from the marks of the period
    (value, weight of its kind of work), by the school's settings: the one call behind the
    journal's "Ср."/"Прогн." columns, the diary's summary and the weekly report."""
    marks = numeric_marks(values, scale_code)
    min_marks = settings["min_marks_per_period"].get(scheme, 3) if scheme is not None else 3
    return forecast(
        marks,
        thresholds_for(settings, scale_code),
        min_marks,
        settings.get("use_weights", True),
        lessons_left=lessons_left,
        given=marks_given([value for value, _weight in values], scale_code),
    )
