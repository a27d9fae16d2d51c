"""Study periods as the pages see them: which one is current, and whether it has begun. A period
is anything with `id`, `scheme`, `start_date` and `end_date` (models.StudyPeriod)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar


class Period(Protocol):
    id: int
    scheme: str
    start_date: date
    end_date: date


P = TypeVar("P", bound=Period)

YEAR = "year"


def current_period(periods: Sequence[P], day: date, wanted_id: int | None = None) -> P | None:
    """The wanted period (None if it is not among them); else the one holding `day`, or the last
    one over by then, or the first. The year itself only when there are no other periods: its
    marks have their own column, the pages show a quarter."""
    if wanted_id is not None:
        return next((p for p in periods if p.id == wanted_id), None)
    own = [p for p in periods if p.scheme != YEAR] or list(periods)
    for period in own:
        if period.start_date <= day <= period.end_date:
            return period
    past = [p for p in own if p.end_date < day]
    return past[-1] if past else (own[0] if own else None)


def has_begun(period: Period | None, day: date) -> bool:
    """Whether the period has started by `day` (what is overdue and what a late change asks
    for are counted within the current period from its first day)."""
    return period is not None and period.start_date <= day


def is_under_way(period: Period | None, day: date) -> bool:
    """Whether `day` falls within the period: a forecast counts the lessons still to come only then."""
    return period is not None and period.start_date <= day <= period.end_date
