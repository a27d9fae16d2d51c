"""The one query behind "is this day of this class in a closed period" (JRN-8). Every write of
the journal — cells, columns, lessons, homework, daily attendance, planned absences, period
marks, timetable changes — asks `check_days_open`; the rule itself is domain/closing.py."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session

from database import transaction_memo
from domain import closing
from domain.messages import Refusal
from extensions import db
from models import ClassGroup, PeriodClosure, StudyPeriod
from models.year_closing import ensure_year_open


class PeriodClosed(Refusal):
    """A write into a closed period or year; nothing was stored."""

    status = 409


def _period_rows(class_group: ClassGroup, start: date, end: date) -> list:
    """Rows (period, closure's class_id, closed_at) of the class's periods (its scheme and the
    year) overlapping `start`..`end`, one per active closure for the school or this class."""
    return db.session.execute(
        select(StudyPeriod, PeriodClosure.class_id, PeriodClosure.closed_at)
        .outerjoin(
            PeriodClosure,
            and_(
                PeriodClosure.period_id == StudyPeriod.id,
                PeriodClosure.reopened_at.is_(None),
                or_(PeriodClosure.class_id.is_(None), PeriodClosure.class_id == class_group.id),
            ),
        )
        .where(
            StudyPeriod.year_id == class_group.year_id,
            StudyPeriod.scheme.in_((class_group.period_scheme, "year")),
            StudyPeriod.start_date <= end,
            StudyPeriod.end_date >= start,
        )
        .order_by(StudyPeriod.start_date, StudyPeriod.id)
    ).all()


_DAY_ROWS = "closing_day_rows"


def day_rows(class_group: ClassGroup, day: date) -> list:
    """`_period_rows` of one day, read once per transaction: a cell's save asks for the lesson's
    period, whether its day is closed and whether its period's marks are open — one statement.
    Forgotten when the transaction flushes a closure or a period (`_forget_day_rows`)."""
    memo = transaction_memo().setdefault(_DAY_ROWS, {})
    key = (class_group.id, day)
    if key not in memo:
        memo[key] = _period_rows(class_group, day, day)
    return memo[key]


def _forget_day_rows(session: Session, _context, _instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (PeriodClosure, StudyPeriod)) for obj in changed):
        transaction_memo(session).pop(_DAY_ROWS, None)


event.listen(Session, "before_flush", _forget_day_rows)


def _known_closures(class_group: ClassGroup, period: StudyPeriod) -> list | None:
    """The active closures of `period` for the class, if this transaction has read a day of it."""
    for (class_id, _day), rows in transaction_memo().get(_DAY_ROWS, {}).items():
        if class_id == class_group.id and any(p.id == period.id for p, _c, _at in rows):
            return [(c, at) for p, c, at in rows if p.id == period.id and at is not None]
    return None


def period_states(class_group: ClassGroup, start: date, end: date) -> list[closing.PeriodState]:
    """The class's periods (its scheme and the year) overlapping `start`..`end`, with their active
    closures for the school and for this class: one statement (none for a day already read)."""
    rows = day_rows(class_group, start) if start == end else _period_rows(class_group, start, end)
    tz = ZoneInfo(class_group.school.timezone)
    states: dict[int, tuple[StudyPeriod, dict]] = {}
    for period, class_id, closed_at in rows:
        _period, closed_on = states.setdefault(period.id, (period, {}))
        if closed_at is not None:
            closed_on[class_id] = closed_at.astimezone(tz).date()
    return [
        closing.PeriodState(p.name, p.start_date, p.end_date, p.is_closed, closed_on) for p, closed_on in states.values()
    ]


def closed_days(class_group: ClassGroup, start: date, end: date | None = None) -> closing.Closed | None:
    end = end or start
    if class_group.year.is_closed:
        return closing.closed_for([], class_group.id, class_group.name, start, end, year_closed=True)
    return closing.closed_for(period_states(class_group, start, end), class_group.id, class_group.name, start, end)


def check_days_open(class_group: ClassGroup, start: date, end: date | None = None, error=PeriodClosed) -> None:
    """Refuse (409, Russian reason) a write touching a day of a closed period of the class."""
    ensure_year_open(class_group.year)  # a closed year: the one guard's refusal (ARC-1)
    closed = closed_days(class_group, start, end)
    if closed is not None:
        raise error(closed.message, 409, **closed.params)


def closed_periods(class_group: ClassGroup, periods: list[StudyPeriod]) -> dict[int, closing.Closed | None]:
    """Whether each of `periods` itself is closed for the class (its period marks, its lessons):
    one statement for all of them (the grid asks for its period and the year)."""
    periods = [p for p in periods if p is not None]
    if class_group.year.is_closed:
        year = closing.closed_for([], class_group.id, class_group.name, class_group.year.start_date,
                                  class_group.year.end_date, year_closed=True)
        return {p.id: year for p in periods}
    known = {p.id: _known_closures(class_group, p) for p in periods}
    rows = [(period_id, class_id, at) for period_id, closures in known.items() for class_id, at in closures or ()]
    unknown = [period_id for period_id, closures in known.items() if closures is None]
    if unknown:
        rows += db.session.execute(
            select(PeriodClosure.period_id, PeriodClosure.class_id, PeriodClosure.closed_at).where(
                PeriodClosure.period_id.in_(unknown),
                PeriodClosure.reopened_at.is_(None),
                or_(PeriodClosure.class_id.is_(None), PeriodClosure.class_id == class_group.id),
            )
        ).all()
    closed_on: dict[int, dict] = {p.id: {} for p in periods}
    tz = ZoneInfo(class_group.school.timezone)
    for period_id, class_id, closed_at in rows:
        closed_on[period_id][class_id] = closed_at.astimezone(tz).date()
    return {
        p.id: closing.closed_for(
            [closing.PeriodState(p.name, p.start_date, p.end_date, p.is_closed, closed_on[p.id])],
            class_group.id, class_group.name, p.start_date, p.start_date,
        )
        for p in periods
    }


def is_period_closed_for(period: StudyPeriod, class_group: ClassGroup) -> closing.Closed | None:
    """For the period marks of `period` itself (a quarter or the year)."""
    return closed_periods(class_group, [period])[period.id]
