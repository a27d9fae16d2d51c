"""Rules of the statistics of study (REP-2; 002 section 5): who is «at risk» in a period, how
an average is formed from the sums the database adds up, and the weeks of a dynamics chart.
Pure functions, unit-tested without a database; how a period mark counts in performance and
quality is domain/results.py, the averages' rounding domain/grading.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.grading import PASS_POINT, thresholds_for

# «Many unexcused absences»: lessons missed without a valid reason in one period from which the
# academic office calls the family in. 002 does not fix the figure; eight lessons (about two
# school days) is this school's choice, documented here and shown on the page.
UNEXCUSED_AT_RISK = 8

RISK_FEW_MARKS = "few_marks"
RISK_LOW_AVERAGE = "low_average"
RISK_UNEXCUSED = "unexcused"


def average_of_sums(total: Decimal | None, weights: Decimal | None) -> Decimal | None:
    """Σ(mark × weight) / Σ(weight) from sums added up in SQL, rounded exactly as
    domain.grading.weighted_average rounds (two decimals, half up); None without marks."""
    if total is None or not weights:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mean(values: list[Decimal]) -> Decimal | None:
    """The plain mean of averages (a class's average mark), two decimals, half up."""
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def low_average_threshold(settings: dict, scale_code: str) -> Decimal | None:
    """The average below which the period mark would be unsatisfactory: the lowest average that
    rounds to the scale's pass mark (five-point: 2.65 for «3» by default, the school's rounding
    thresholds); None for scales without an average."""
    if scale_code not in PASS_POINT:
        return None
    return thresholds_for(settings, scale_code).get(str(PASS_POINT[scale_code]))


@dataclass(frozen=True)
class Risk:
    kind: str  # RISK_*
    assignment_id: int | None  # the journal to open (the one with most unexcused absences for RISK_UNEXCUSED)
    detail: str  # the figure: "2" marks, "2,40", "9" lessons


def per_week(count: int, students: int, weeks: Decimal) -> Decimal | None:
    """Marks per student per week, one decimal."""
    if students <= 0 or weeks <= 0:
        return None
    return (Decimal(count) / students / weeks).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def weeks_between(start: date, end: date) -> Decimal:
    """Weeks of teaching from `start` to `end` (both included), at least one."""
    days = (end - start).days + 1
    return max(Decimal(days) / 7, Decimal(1))


def week_starts(start: date, end: date) -> list[date]:
    """The Mondays of the weeks from `start` to `end` (the first one holds `start`)."""
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday <= end:
        out.append(monday)
        monday += timedelta(days=7)
    return out


def marks_expected_by(min_marks: int, start: date, end: date, until: date) -> int:
    """The minimum number of marks a student should have by `until` in a period of `start`–`end`:
    the period's minimum (settings "min_marks_per_period") in proportion to the days gone, rounded
    down, so that in the first days nobody is «at risk» for few marks and at the end the whole
    minimum is asked (the «н/а» of 001:2.5.6)."""
    if until >= end:
        return min_marks
    if until < start:
        return 0
    gone = (until - start).days + 1
    return min_marks * gone // ((end - start).days + 1)
