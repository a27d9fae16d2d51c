"""Closing a school year (ARC-1): the checklist and THE operation that closes it.

`checklist(year)` — every item ✓/✗ with what is missing: the period and year marks of every class
and subject, the council's decision for every student, the year's summary sheet printed
(certified) for every class. `close_year(year, actor)` refuses while an item is unmet, then
closes the year and its periods, records who and when (YearClosing), and runs the
`AFTER_CLOSING` callbacks (archive packages hook in there). From then on the year's data is
read-only: models/year_closing.py guards every write."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.admin.structure.operations import StructureError, _d, year_closable
from domain.messages import N_
from extensions import db
from models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    PeriodMark,
    Printout,
    Student,
    StudyPeriod,
    TeachingAssignment,
    User,
)
from models.archive import CouncilDecision
from models.year_closing import YearClosing, closed_year_changes_allowed
from utils import audit

YEAR_KEY = "year"  # the summary sheet's period key for the year (summary_sheet_queries.YEAR)

# "After closing" actions: callables f(year, actor) run inside the closing's transaction, after
# the flags are set and the closing recorded (e.g. building the year's archive packages). Each
# may raise a Refusal to undo the closing.
AFTER_CLOSING: list[Callable[[AcademicYear, User], None]] = []


@dataclass
class Missing:
    text: str  # already in Russian (names of classes, subjects, periods)
    endpoint: str | None = None
    params: dict = field(default_factory=dict)


@dataclass
class Item:
    key: str  # marks, decisions, summary_sheets
    ok: bool
    missing: list[Missing] = field(default_factory=list)


def _classes(year: AcademicYear) -> list[ClassGroup]:
    return list(db.session.scalars(
        select(ClassGroup).where(ClassGroup.year_id == year.id, ClassGroup.kind == "class").order_by(ClassGroup.name)
    ))


def _members(year: AcademicYear, classes: list[ClassGroup]) -> dict[int, set[int]]:
    """Students of each class at some day of the year."""
    rows = db.session.execute(
        select(ClassMembership.class_id, ClassMembership.student_id).where(
            ClassMembership.class_id.in_([c.id for c in classes] or [0]),
            ClassMembership.since <= year.end_date,
        )
    )
    members: dict[int, set[int]] = {c.id: set() for c in classes}
    for class_id, student_id in rows:
        members[class_id].add(student_id)
    return members


def _marks_item(year: AcademicYear, classes: list[ClassGroup], members: dict[int, set[int]]) -> Item:
    periods = list(db.session.scalars(select(StudyPeriod).where(StudyPeriod.year_id == year.id)))
    assignments = db.session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.class_id.in_([c.id for c in classes] or [0]))
        .options(selectinload(TeachingAssignment.subject), selectinload(TeachingAssignment.class_group),
                 selectinload(TeachingAssignment.scale))
    ).all()
    assignments = [a for a in assignments if a.carries_marks]  # first grade: attendance only
    set_marks = set(db.session.execute(
        select(PeriodMark.student_id, PeriodMark.subject_id, PeriodMark.period_id)
        .where(PeriodMark.period_id.in_([p.id for p in periods] or [0]))
    ))
    subgroup_members = _subgroup_members(assignments)
    missing: list[Missing] = []
    for a in sorted(assignments, key=lambda a: (a.class_group.name, a.subject.name, a.id)):
        students = members.get(a.class_id, set())
        if a.subgroup_id is not None:
            students = students & subgroup_members.get(a.subgroup_id, set())
        for period in sorted(periods, key=lambda p: (p.scheme == "year", p.number)):
            if period.scheme not in (a.class_group.period_scheme, "year"):
                continue
            lacking = sum(1 for s in students if (s, a.subject_id, period.id) not in set_marks)
            if lacking:
                missing.append(Missing(
                    f"{a.class_group.name}, {a.subject.name}, {period.name}: {lacking}",
                    "journal.grid", {"assignment_id": a.id},
                ))
    return Item("marks", not missing, missing)


def _subgroup_members(assignments) -> dict[int, set[int]]:
    from models import SubgroupMember

    ids = {a.subgroup_id for a in assignments if a.subgroup_id is not None}
    result: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        for subgroup_id, student_id in db.session.execute(
            select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(SubgroupMember.subgroup_id.in_(ids))
        ):
            result[subgroup_id].add(student_id)
    return result


def _decisions_item(year: AcademicYear, classes: list[ClassGroup], members: dict[int, set[int]]) -> Item:
    decided = set(db.session.scalars(select(CouncilDecision.student_id).where(CouncilDecision.year_id == year.id)))
    missing = []
    for c in classes:
        lacking = members.get(c.id, set()) - decided
        if lacking:
            names = db.session.scalars(select(Student).where(Student.id.in_(lacking))).all()
            listed = ", ".join(sorted(s.short_name for s in names))
            missing.append(Missing(f"{c.name}: {len(lacking)} ({listed})", "reports.summary_sheet", {"class_id": c.id}))
    return Item("decisions", not missing, missing)


def _sheets_item(year: AcademicYear, classes: list[ClassGroup]) -> Item:
    printed = {
        (p.of or {}).get("class_id")
        for p in db.session.scalars(
            select(Printout).where(Printout.school_id == year.school_id, Printout.kind == "summary_sheet")
        )
        if (p.of or {}).get("period_id") == YEAR_KEY
    }
    missing = [Missing(c.name, "reports.summary_sheet", {"class_id": c.id, "period": YEAR_KEY})
               for c in classes if c.id not in printed]
    return Item("summary_sheets", not missing, missing)


def checklist(year: AcademicYear) -> list[Item]:
    classes = _classes(year)
    members = _members(year, classes)
    return [_marks_item(year, classes, members), _decisions_item(year, classes, members), _sheets_item(year, classes)]


class ChecklistUnmet(StructureError):
    status = 409

    def __init__(self, items: list[Item]):
        super().__init__(N_("Учебный год нельзя закрыть: не выполнены пункты проверки."))
        self.items = items


def close_year(year: AcademicYear, actor: User) -> YearClosing:
    """Close the year after its end and a met checklist: it and all its periods become
    read-only; who and when is recorded; then the AFTER_CLOSING actions run."""
    if year.is_closed:
        raise StructureError(N_("Учебный год %(name)s уже закрыт."), name=year.name)
    if not year_closable(year):
        raise StructureError(
            N_("Учебный год %(name)s ещё идёт (до %(end)s): закрыть его можно после окончания."),
            name=year.name, end=_d(year.end_date),
        )
    items = checklist(year)
    if not all(i.ok for i in items):
        raise ChecklistUnmet(items)
    with closed_year_changes_allowed():
        year.is_closed = True
        for period in year.periods:
            period.is_closed = True
        closing = YearClosing(
            school_id=year.school_id, year_id=year.id, closed_by_id=actor.id, closed_by_name=actor.full_name,
            checklist={i.key: i.ok for i in items},
        )
        db.session.add(closing)
        db.session.flush()
        audit.record("academic_year", year.id, "close", school_id=year.school_id, user_id=actor.id)
        for action in AFTER_CLOSING:
            action(year, actor)
        db.session.flush()
    return closing


def closings(year: AcademicYear) -> list[YearClosing]:
    return list(db.session.scalars(
        select(YearClosing).where(YearClosing.year_id == year.id).order_by(YearClosing.closed_at)
    ))
