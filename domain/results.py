"""Results of study: how a period or year mark counts in the summary sheet and the statistics
(REP-1, REP-2; 002 sections 4–5). One rule, one place: the summary sheet, the statistics, the
home pages and the archive's sheets all call these.

- performance («успеваемость»): the share with no unsatisfactory mark and no «н/а»; a «зачёт»
  counts as performance;
- quality («качество знаний»): the share with only good marks (five-point: 4 and 5); a «зачёт»
  does not count as quality (it says nothing of the level);
- «осв» (exempt) is left out of both, with a note on the sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.grading import PASS_POINT, is_low_mark

# The lowest "good" mark of each numeric scale (five: 4 — «хорошо»; ten: 7; hundred: 70).
QUALITY_POINT = {"five": 4, "ten": 7, "hundred": 70}
EXEMPT = "осв"
NOT_ATTESTED = "н/а"
PASSED = "зач"


class Standing(StrEnum):
    """How one period or year mark counts."""

    GOOD = "good"  # 4 or 5 (ten: 7+, hundred: 70+): performance and quality
    SATISFACTORY = "satisfactory"  # 3 (ten: 4–6, hundred: 40–69): performance only
    CREDIT = "credit"  # «зач»: performance; says nothing of the level, so outside quality
    FAILED = "failed"  # unsatisfactory or «незач»
    NOT_ATTESTED = "not_attested"  # «н/а»
    EXEMPT = "exempt"  # «осв»: left out of the counts, with a note
    MISSING = "missing"  # no mark yet (or a value the scale does not know)


def standing(value: str | None, scale_code: str | None) -> Standing:
    """How a period mark `value` on the journal's scale counts (see the module's docstring)."""
    if not value:
        return Standing.MISSING
    if value == EXEMPT:
        return Standing.EXEMPT
    if value == NOT_ATTESTED:
        return Standing.NOT_ATTESTED
    if is_low_mark(value, scale_code):
        return Standing.FAILED
    if value == PASSED:
        return Standing.CREDIT
    if scale_code in PASS_POINT and value.isdigit():
        return Standing.GOOD if int(value) >= QUALITY_POINT[scale_code] else Standing.SATISFACTORY
    return Standing.MISSING


COUNTED = frozenset({Standing.GOOD, Standing.SATISFACTORY, Standing.CREDIT, Standing.FAILED, Standing.NOT_ATTESTED})
PERFORMING = frozenset({Standing.GOOD, Standing.SATISFACTORY, Standing.CREDIT})
GRADED = COUNTED - {Standing.CREDIT}  # the base of quality: a «зачёт» is neither good nor not


def percent(part: int, whole: int) -> Decimal | None:
    """A share in per cent with one decimal (ROUND_HALF_UP), None when there is nothing to count."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Shares:
    counted: int  # the base of performance: exempt and missing left out
    performing: int
    graded: int  # the base of quality: «зачёт» left out as well
    good: int

    @property
    def performance(self) -> Decimal | None:
        return percent(self.performing, self.counted)

    @property
    def quality(self) -> Decimal | None:
        return percent(self.good, self.graded)


def shares(standings: list[Standing]) -> Shares:
    """Performance and quality over marks (one subject's column, or a parallel's marks)."""
    return Shares(
        counted=sum(1 for s in standings if s in COUNTED),
        performing=sum(1 for s in standings if s in PERFORMING),
        graded=sum(1 for s in standings if s in GRADED),
        good=sum(1 for s in standings if s is Standing.GOOD),
    )


def student_shares(rows: list[list[Standing]]) -> Shares:
    """Performance and quality over students (a class overall, 002 section 5): a student performs
    when nothing counted failed or is «н/а»; is good when, besides, every graded mark is good (4
    and 5 only; a «зачёт» neither helps nor spoils). Students with nothing counted (all exempt or
    missing) are left out; those with only «зачёт» are left out of quality's base."""
    counted = performing = graded = good = 0
    for row in rows:
        marks = [s for s in row if s in COUNTED]
        if not marks:
            continue
        counted += 1
        ok = all(s in PERFORMING for s in marks)
        performing += ok
        if any(s in GRADED for s in marks):
            graded += 1
            good += ok and all(s is Standing.GOOD for s in marks if s in GRADED)
    return Shares(counted=counted, performing=performing, graded=graded, good=good)
