"""Closing a study period for a class or for the whole school, and reopening it (JRN-8,
001:2.5.6). Like the other use cases they flush; the view commits. Each writes an AuditEntry."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.journal.operations import JournalError
from domain import closing
from domain.messages import N_
from extensions import db
from models import AcademicYear, ClassGroup, PeriodClosure, StudyPeriod, User
from models.base import utcnow
from models.year_closing import ensure_year_open
from utils import audit


def _snapshot(closure: PeriodClosure) -> dict:
    return {"period_id": closure.period_id, "class_id": closure.class_id, "notes": closure.notes,
            "reopened": closure.reopened_at is not None, "reopen_reason": closure.reopen_reason}


def active_closure(period: StudyPeriod, class_id: int | None) -> PeriodClosure | None:
    return db.session.scalar(
        select(PeriodClosure).where(
            PeriodClosure.period_id == period.id,
            PeriodClosure.class_id.is_(None) if class_id is None else PeriodClosure.class_id == class_id,
            PeriodClosure.reopened_at.is_(None),
        )
    )


def close_period(period: StudyPeriod, class_group: ClassGroup | None, user: User, notes: str = "",
                 now: datetime | None = None) -> PeriodClosure:
    """Close `period` for one class (or the whole school: `class_group` None) once it is over."""
    now = now or utcnow()
    year = period.year
    notes = (notes or "").strip()
    if len(notes) > closing.MAX_REASON:
        raise JournalError(N_("Примечание слишком длинное (не больше %(n)s знаков)."), 400, n=closing.MAX_REASON)
    ensure_year_open(year)
    today = now.astimezone(ZoneInfo(year.school.timezone)).date()
    if not closing.may_close(period.end_date, today):
        raise JournalError(
            N_("Период «%(name)s» ещё не окончен: закрыть его можно после %(date)s."),
            409, name=period.name, date=period.end_date.strftime("%d.%m.%Y"),
        )
    if class_group is not None:
        if class_group.year_id != period.year_id:
            raise JournalError(N_("Класс относится к другому учебному году."), 400)
        if period.scheme not in (class_group.period_scheme, "year"):
            raise JournalError(N_("У класса %(cls)s нет периода «%(name)s»."), 400, cls=class_group.name, name=period.name)
    if active_closure(period, None) is not None or period.is_closed:
        raise JournalError(N_("Период «%(name)s» уже закрыт для всей школы."), 409, name=period.name)
    if class_group is not None and active_closure(period, class_group.id) is not None:
        raise JournalError(N_("Период «%(name)s» уже закрыт для %(cls)s."), 409, name=period.name, cls=class_group.name)
    closure = PeriodClosure(
        school_id=year.school_id, period_id=period.id, class_id=class_group.id if class_group else None,
        closed_at=now, closed_by_id=user.id, notes=notes,
    )
    db.session.add(closure)
    if class_group is None:
        period.is_closed = True  # the whole school: the flag the diary and the lists read
    db.session.flush()
    audit.record("period_closure", closure.id, "close", after=_snapshot(closure), reason=notes,
                 school_id=year.school_id, user_id=user.id)
    return closure


def reopen(closure: PeriodClosure, user: User, reason: str, now: datetime | None = None) -> None:
    """The director reopens a closed period, always with a reason; the closure keeps its row."""
    reason = (reason or "").strip()
    if not reason:
        raise JournalError(N_("Укажите причину, по которой период открывается снова."), 400)
    if len(reason) > closing.MAX_REASON:
        raise JournalError(N_("Причина слишком длинная (не больше %(n)s знаков)."), 400, n=closing.MAX_REASON)
    if closure.reopened_at is not None:
        raise JournalError(N_("Период уже открыт."), 409)
    ensure_year_open(closure.period.year)
    before = _snapshot(closure)
    closure.reopened_at, closure.reopened_by_id, closure.reopen_reason = now or utcnow(), user.id, reason
    if closure.class_id is None:
        closure.period.is_closed = False
    db.session.flush()
    audit.record("period_closure", closure.id, "reopen", before=before, after=_snapshot(closure), reason=reason,
                 school_id=closure.school_id, user_id=user.id)


# --- The page: periods × classes ------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: StudyPeriod
    school_closure: PeriodClosure | None
    closures: dict[int, PeriodClosure] = field(default_factory=dict)  # class id -> its closure
    classes: list[ClassGroup] = field(default_factory=list)  # classes that have this period

    def closure_of(self, class_group: ClassGroup) -> PeriodClosure | None:
        return self.school_closure or self.closures.get(class_group.id)

    @property
    def open_classes(self) -> list[ClassGroup]:
        return [c for c in self.classes if self.closure_of(c) is None]


def closing_table(year: AcademicYear) -> tuple[list[PeriodRow], list[ClassGroup]]:
    """Every period of the year with the state of each class: three statements."""
    periods = list(db.session.scalars(
        # in the order they are closed: by their end, the shorter first (the 2nd quarter before
        # the 1st half-year ending the same day, the year last)
        select(StudyPeriod).where(StudyPeriod.year_id == year.id).order_by(StudyPeriod.end_date, StudyPeriod.start_date.desc())
    ))
    classes = list(db.session.scalars(
        select(ClassGroup).where(ClassGroup.year_id == year.id).order_by(ClassGroup.grade, ClassGroup.name)
    ))
    closures = db.session.scalars(
        select(PeriodClosure)
        .where(PeriodClosure.period_id.in_([p.id for p in periods] or [-1]), PeriodClosure.reopened_at.is_(None))
        .options(selectinload(PeriodClosure.closed_by))
    )
    rows = {p.id: PeriodRow(p, None, classes=[c for c in classes if p.scheme in (c.period_scheme, "year")])
            for p in periods}
    for closure in closures:
        row = rows[closure.period_id]
        if closure.class_id is None:
            row.school_closure = closure
        else:
            row.closures[closure.class_id] = closure
    return list(rows.values()), classes


def recent_reopenings(year: AcademicYear, limit: int = 20) -> list[PeriodClosure]:
    return list(db.session.scalars(
        select(PeriodClosure)
        .join(StudyPeriod, StudyPeriod.id == PeriodClosure.period_id)
        .where(StudyPeriod.year_id == year.id, PeriodClosure.reopened_at.is_not(None))
        .options(selectinload(PeriodClosure.reopened_by), selectinload(PeriodClosure.period),
                 selectinload(PeriodClosure.class_group))
        .order_by(PeriodClosure.reopened_at.desc())
        .limit(limit)
    ))
