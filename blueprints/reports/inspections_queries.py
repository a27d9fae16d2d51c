"""Reads of the inspections (REP-3): one inspection with its remarks, the list, the open remarks
of one journal for its grid page (one statement), and the journals overdue for inspection by
the schedule of 002:5.2 (a fixed number of statements however many journals)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from blueprints.journal import queries as journal_queries
from domain import inspections as rules
from extensions import db
from models import ClassGroup, Inspection, InspectionRemark, TeachingAssignment, User

OPEN_REMARK_STATUSES = ("open", "corrected")


def _assignment_options(path):
    return (
        path.joinedload(TeachingAssignment.class_group),
        path.joinedload(TeachingAssignment.subject),
        path.joinedload(TeachingAssignment.subgroup),
        path.joinedload(TeachingAssignment.teacher).lazyload(User.role_rows),
    )


def load_inspection(inspection_id: int) -> Inspection | None:
    """An inspection with what its page shows: the journal, the inspector, the remarks and who
    corrected and confirmed them."""
    return db.session.scalar(
        select(Inspection)
        .where(Inspection.id == inspection_id)
        .options(
            *_assignment_options(joinedload(Inspection.assignment)),
            joinedload(Inspection.inspector).lazyload(User.role_rows),
            selectinload(Inspection.remarks).joinedload(InspectionRemark.corrected_by).lazyload(User.role_rows),
            selectinload(Inspection.remarks).joinedload(InspectionRemark.confirmed_by).lazyload(User.role_rows),
        )
    )


def load_remark(remark_id: int) -> InspectionRemark | None:
    """A remark with its inspection and journal (what the policy checks read)."""
    return db.session.scalar(
        select(InspectionRemark)
        .where(InspectionRemark.id == remark_id)
        .options(joinedload(InspectionRemark.inspection).joinedload(Inspection.assignment))
    )


def open_remarks(assignment_id: int) -> list[InspectionRemark]:
    """The remarks of a journal not yet confirmed, with their inspection and inspector: one
    statement, for the panel above the grid (its budget does not grow with the remarks)."""
    return list(
        db.session.scalars(
            select(InspectionRemark)
            .join(InspectionRemark.inspection)
            .where(Inspection.assignment_id == assignment_id, InspectionRemark.status.in_(OPEN_REMARK_STATUSES))
            .options(contains_eager(InspectionRemark.inspection).joinedload(Inspection.inspector).lazyload(User.role_rows))
            .order_by(Inspection.date, Inspection.id, InspectionRemark.position)
        ).unique()
    )


def inspections_query(school_id: int):
    """The school's inspections, newest first, with what the list shows."""
    return (
        select(Inspection)
        .where(Inspection.school_id == school_id)
        .options(*_assignment_options(joinedload(Inspection.assignment)),
                 joinedload(Inspection.inspector).lazyload(User.role_rows))
        .order_by(Inspection.date.desc(), Inspection.id.desc())
    )


def remark_counts(inspection_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per inspection, the number of its remarks in each status (one statement)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(rules.REMARK_STATUSES, 0))
    if inspection_ids:
        for inspection_id, status, n in db.session.execute(
            select(InspectionRemark.inspection_id, InspectionRemark.status, func.count())
            .where(InspectionRemark.inspection_id.in_(inspection_ids))
            .group_by(InspectionRemark.inspection_id, InspectionRemark.status)
        ):
            counts[inspection_id][status] = n
    return counts


def journals_for_choice(school_id: int) -> list[TeachingAssignment]:
    """The journals of the current year an inspector may choose, by class and subject."""
    return list(
        db.session.scalars(
            journal_queries.assignments_in_force(school_id)
            .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
            .options(
                joinedload(TeachingAssignment.class_group),
                joinedload(TeachingAssignment.subject),
                joinedload(TeachingAssignment.subgroup),
                joinedload(TeachingAssignment.teacher).lazyload(User.role_rows),
            )
            .order_by(ClassGroup.grade, ClassGroup.name, TeachingAssignment.id)
        ).unique()
    )


@dataclass
class OverdueJournal:
    assignment: TeachingAssignment
    last: dict[str, date | None] = field(default_factory=dict)  # kind -> last inspection date
    overdue: list[str] = field(default_factory=list)  # kinds whose window has no inspection


def overdue_journals(school_id: int, today: date) -> list[OverdueJournal]:
    """The journals of the current year that some kind of inspector has not inspected in the
    current window of the schedule (002:5.2): two statements, whatever the number of journals."""
    assignments = journals_for_choice(school_id)
    last: dict[tuple[int, str], date] = {}
    if assignments:
        for assignment_id, kind, day in db.session.execute(
            select(Inspection.assignment_id, Inspection.kind, func.max(Inspection.date))
            .where(Inspection.school_id == school_id, Inspection.assignment_id.in_([a.id for a in assignments]))
            .group_by(Inspection.assignment_id, Inspection.kind)
        ):
            last[(assignment_id, kind)] = day
    rows = []
    for a in assignments:
        row = OverdueJournal(a, {kind: last.get((a.id, kind)) for kind in rules.KINDS})
        row.overdue = [kind for kind in rules.KINDS if rules.is_overdue(kind, row.last[kind], today)]
        if row.overdue:
            rows.append(row)
    return rows

