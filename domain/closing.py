"""Closed periods (JRN-8: "a closed period or year is read-only") and the reasons asked for a
change after its deadline (JRN-6, JRN-8). Pure rules without Flask or a database: the query
helper blueprints/journal/closing_queries.py feeds them, every write of the journal asks them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.messages import N_

# Who may still correct a closed period, always with a reason (the academic office).
CORRECTING_ROLES = frozenset({"director", "deputy"})
CLOSING_ROLES = frozenset({"director", "deputy", "journal_admin"})
REOPENING_ROLES = frozenset({"director"})
MAX_REASON = 1000


@dataclass(frozen=True)
class PeriodState:
    """A period as the rule sees it: its dates, whether it was closed for the whole school by
    the older flag (StudyPeriod.is_closed), and the days it was closed on, for the school
    (class None) and for single classes."""

    name: str
    start: date
    end: date
    flag_closed: bool
    closed_on: dict[int | None, date]


@dataclass(frozen=True)
class Closed:
    """Why a day of a class is read-only: a message for the user and its params."""

    message: str
    params: dict
    is_year: bool = False


def closed_for(periods: list[PeriodState], class_id: int, class_name: str, start: date, end: date,
               year_closed: bool = False) -> Closed | None:
    """The first closed period of the class overlapping the days `start`..`end`, or None."""
    if year_closed:
        return Closed(N_("Учебный год закрыт: записи только для чтения."), {}, is_year=True)
    for period in periods:
        if period.end < start or period.start > end:
            continue
        day = period.closed_on.get(class_id) or period.closed_on.get(None)
        if day is not None:
            return Closed(
                N_("Период «%(name)s» закрыт для %(cls)s %(date)s: изменения вносит заместитель директора "
                   "с указанием причины."),
                {"name": period.name, "cls": class_name, "date": day.strftime("%d.%m.%Y")},
            )
        if period.flag_closed:
            return Closed(N_("Период «%(name)s» закрыт: записи в нём только для чтения."), {"name": period.name})
    return None


def may_close(period_end: date, today: date) -> bool:
    """A period is closed once it is over: its marks are set in its last week (001:2.5.6)."""
    return today > period_end


def may_correct_closed(roles: set[str] | frozenset[str]) -> bool:
    return bool(set(roles) & CORRECTING_ROLES)


def needs_reason(now: datetime, deadline: datetime) -> bool:
    """A change after its deadline asks why (JRN-6, JRN-8); the reason is kept in the history."""
    return now > deadline
