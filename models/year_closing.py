"""Closing a school year (ARC-1): the history of closings (who closed which year, when, with
which checklist) and THE guard that keeps a closed year's data read-only.

The guard is one `before_flush` listener: whatever route or job tries to add, change or delete a
row that belongs to a closed year (its classes, assignments, periods, lessons, marks, attendance,
homework, period and year marks, plans, schedule, period closures, inspections of its journals,
council decisions) is refused
with `YearClosed` (409, «Учебный год … закрыт …») before anything reaches the database. Operations
may call `ensure_year_open(year)` first for an early, explicit refusal; the listener is the net
under all of them. The few legitimate changes after closing (closing itself, a debt cleared in
August, destruction by an approved act) run inside `closed_year_changes_allowed()`."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.util import identity_key

from database import transaction_memo
from domain.messages import N_, Refusal
from extensions import db
from models.base import utcnow
from models.school import AcademicYear


class YearClosing(db.Model):
    """One closing of a school year: by whom, when, and the checklist as it stood (ARC-1)."""

    __tablename__ = "year_closing"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    closed_by_name: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    closed_by = relationship("User")


class YearClosed(Refusal):
    """A change to the data of a closed school year."""

    status = 409
    year_closed = True  # utils/refusals.back_to answers it with the error page, not a redirect


YEAR_CLOSED_MESSAGE = N_("Учебный год %(name)s закрыт: его журналы, отметки, посещаемость, решения и ведомости "
                         "доступны только для чтения.")


def ensure_year_open(year) -> None:
    """Refuse (409) any change to the data of a closed year."""
    if year is not None and year.is_closed and not _allowed():
        raise YearClosed(YEAR_CLOSED_MESSAGE, name=year.name)


# The guard -----------------------------------------------------------------------------------

_ALLOW_KEY = "closed_year_changes_allowed"


@contextmanager
def closed_year_changes_allowed() -> Iterator[None]:
    """For the operations that legitimately change a closed year: the closing itself (it sets
    the flags), a debt's retake result (REP-5) and destruction by an approved act (ARC-2)."""
    session = db.session()
    depth = session.info.get(_ALLOW_KEY, 0)
    session.info[_ALLOW_KEY] = depth + 1
    try:
        yield
    finally:
        session.info[_ALLOW_KEY] = depth


def _allowed(session: Session | None = None) -> bool:
    return bool((session or db.session()).info.get(_ALLOW_KEY))


# Rows of other areas that belong to a year through a parent (JRN-9, JRN-10: a club's sessions,
# an assignment's submissions, a test's attempts): model -> (parent model, fk column, relationship).
# Registered with the `belongs_to_year_through` class decorator beside the model.
YEAR_PARENTS: dict[type, tuple[Any, str, str]] = {}


def belongs_to_year_through(parent: Any, fk: str, rel: str):
    """Class decorator of a model whose rows belong to the year of their parent row: the guard
    refuses adding, changing or deleting them in a closed year. `parent` is the parent model
    (or its name in `models`, resolved when the guard runs); the parent must be guarded too
    (a year's row, or a model registered here)."""

    def register(model):
        YEAR_PARENTS[model] = (parent, fk, rel)
        return model

    return register


def _year_of(session: Session, obj) -> int | None:
    """The id of the school year a guarded row belongs to (None for rows of no year)."""
    from models import (
        AcademicYear,
        Attendance,
        ClassGroup,
        CurriculumItem,
        Holiday,
        Homework,
        HomeworkFile,
        HomeworkStudent,
        Lesson,
        LessonWork,
        Mark,
        PeriodClosure,
        PeriodMark,
        PlanCorrection,
        PlanItem,
        ScheduleChange,
        ScheduleSlot,
        StudyPeriod,
        Subgroup,
        SubgroupMember,
        TeachingAssignment,
    )
    from models.archive import CouncilDecision
    from models.inspections import Inspection, InspectionRemark

    def via(model, fk: str, rel: str):
        parent = getattr(obj, rel, None) if getattr(obj, fk, None) is None else session.get(model, getattr(obj, fk))
        return parent

    if isinstance(obj, AcademicYear):
        return obj.id
    if isinstance(obj, (ClassGroup, TeachingAssignment, StudyPeriod, Holiday, CouncilDecision)):
        if obj.year_id is not None:
            return obj.year_id
        return obj.year.id if getattr(obj, "year", None) is not None else None
    chain: list[tuple[type, str, str]] = []
    if isinstance(obj, (Mark, Attendance, Homework, LessonWork)):
        chain = [(Lesson, "lesson_id", "lesson")]
    elif isinstance(obj, (HomeworkFile, HomeworkStudent)):
        chain = [(Homework, "homework_id", "homework")]
    elif isinstance(obj, InspectionRemark):
        chain = [(Inspection, "inspection_id", "inspection")]
    elif isinstance(obj, (Lesson, PlanItem, PlanCorrection, ScheduleChange, ScheduleSlot, Inspection)):
        chain = [(TeachingAssignment, "assignment_id", "assignment")]
    elif isinstance(obj, (PeriodMark, PeriodClosure)):
        chain = [(StudyPeriod, "period_id", "period")]
    elif isinstance(obj, (Subgroup, CurriculumItem)):
        chain = [(ClassGroup, "class_id", "class_group")]
    elif isinstance(obj, SubgroupMember):
        chain = [(Subgroup, "subgroup_id", "subgroup")]
    elif type(obj) in YEAR_PARENTS:
        parent_model, fk, rel = YEAR_PARENTS[type(obj)]
        if isinstance(parent_model, str):
            import models

            parent_model = getattr(models, parent_model)
        chain = [(parent_model, fk, rel)]
    else:
        return None
    model, fk, rel = chain[0]
    parent = via(model, fk, rel)
    return None if parent is None else _year_of(session, parent)


def _guard(session: Session, _context, _instances) -> None:
    if _allowed(session):
        return
    candidates = list(session.new) + list(session.deleted) + [
        o for o in session.dirty if session.is_modified(o, include_collections=False)
    ]
    if not candidates:
        return
    with session.no_autoflush:
        year_ids = set()
        for obj in candidates:
            if isinstance(obj, AcademicYear):
                continue  # the year's own flags: make_current/close check them themselves
            year_id = _year_of(session, obj)
            if year_id is not None:
                year_ids.add(year_id)
        if not year_ids:
            return
        years = _years_read(session, year_ids)
        if years is not None:
            closed = next((year.name for year in years if year.is_closed), None)
        else:
            closed = session.execute(
                select(AcademicYear.name).where(AcademicYear.id.in_(year_ids), AcademicYear.is_closed.is_(True)).limit(1)
            ).scalar()
    if closed is not None:
        raise YearClosed(YEAR_CLOSED_MESSAGE, name=closed)


def _years_read(session: Session, year_ids: set[int]) -> list | None:
    """The years, if this transaction has read every one of them (a save loads its lesson with
    the year) and changed none since: the guard answers from them without a statement. None:
    the database must be asked."""
    if not year_ids <= transaction_memo(session).get(_YEARS_READ, set()):
        return None
    years = [session.identity_map.get(identity_key(AcademicYear, year_id)) for year_id in year_ids]
    if any(year is None or inspect(year).modified or "is_closed" in inspect(year).unloaded for year in years):
        return None
    return years


_YEARS_READ = "years_read"


def _remember_year_read(target, context, *_attrs) -> None:
    transaction_memo(context.session).setdefault(_YEARS_READ, set()).add(target.id)


event.listen(Session, "before_flush", _guard)
event.listen(AcademicYear, "load", _remember_year_read)
event.listen(AcademicYear, "refresh", _remember_year_read)
