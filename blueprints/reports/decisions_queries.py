"""What the pages of the year's end read (REP-5, REP-6): a class's decisions with their debts,
the school's debts, a student's debts; each a constant number of statements."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.reports import summary_sheet_queries as sheets
from domain import year_end as rules
from extensions import db
from models import ClassGroup, Student
from models.archive import CouncilDecision
from models.debts import AcademicDebt


def year_marks(sheet: sheets.Sheet) -> dict[int, dict[int, str]]:
    """Each student's year mark per subject, read from the year sheet (its last mark under each
    subject when the school keeps year marks); empty when it does not."""
    if not sheet.mark_headers or sheet.mark_headers[-1] != "Год":
        return {}
    return {row.student_id: {s: marks[-1] for s, marks in row.marks.items() if marks and marks[-1]}
            for row in sheet.rows}


def class_decisions(class_group: ClassGroup) -> tuple[dict[int, CouncilDecision], dict[int, list[AcademicDebt]]]:
    """The decisions of the class's year for its students, and their debts (with attempts)."""
    decisions = {d.student_id: d for d in db.session.scalars(
        select(CouncilDecision).where(CouncilDecision.year_id == class_group.year_id,
                                      CouncilDecision.class_id == class_group.id))}
    debts: dict[int, list[AcademicDebt]] = {}
    if decisions:
        for debt in db.session.scalars(
            select(AcademicDebt).where(AcademicDebt.decision_id.in_([d.id for d in decisions.values()]))
            .options(selectinload(AcademicDebt.attempts), joinedload(AcademicDebt.subject))
            .order_by(AcademicDebt.id)
        ):
            debts.setdefault(debt.student_id, []).append(debt)
    return decisions, debts


def _debts_query():
    return (
        select(AcademicDebt)
        .options(joinedload(AcademicDebt.student), joinedload(AcademicDebt.subject),
                 joinedload(AcademicDebt.decision).joinedload(CouncilDecision.class_group),
                 joinedload(AcademicDebt.decision).joinedload(CouncilDecision.year),
                 selectinload(AcademicDebt.attempts))
    )


def school_debts(school_id: int, *, class_id: int | None, overdue: bool, today: date,
                 limit: int = 500) -> list[AcademicDebt]:
    """The school's debts (open first, then by class and name); `overdue`: open debts whose
    planned retake date has passed."""
    query = _debts_query().join(CouncilDecision, CouncilDecision.id == AcademicDebt.decision_id).where(
        AcademicDebt.school_id == school_id)
    if class_id:
        query = query.where(CouncilDecision.class_id == class_id)
    if overdue:
        query = query.where(AcademicDebt.status == rules.OPEN, AcademicDebt.due_on < today)
    rows = list(db.session.scalars(query.order_by(AcademicDebt.id).limit(limit)).unique())
    order = {rules.OPEN: 0, rules.FAILED: 1, rules.CLEARED: 2}
    return sorted(rows, key=lambda d: (order.get(d.status, 3), d.decision.class_group.name if d.decision.class_group
                                       else "", d.student.last_name, d.student.first_name, d.subject.name))


def debt_classes(school_id: int) -> list[ClassGroup]:
    """The classes that have decisions with debts, for the filter."""
    return list(db.session.scalars(
        select(ClassGroup).join(CouncilDecision, CouncilDecision.class_id == ClassGroup.id)
        .join(AcademicDebt, AcademicDebt.decision_id == CouncilDecision.id)
        .where(ClassGroup.school_id == school_id).distinct().order_by(ClassGroup.grade, ClassGroup.name)))


def student_debts(student: Student) -> list[AcademicDebt]:
    return list(db.session.scalars(
        _debts_query().where(AcademicDebt.student_id == student.id).order_by(AcademicDebt.year_id, AcademicDebt.id)
    ).unique())


def load_student(student_id: int) -> Student | None:
    return db.session.scalar(select(Student).where(Student.id == student_id)
                             .options(joinedload(Student.current_class)))


def load_debt(debt_id: int) -> AcademicDebt | None:
    return db.session.scalar(
        select(AcademicDebt).where(AcademicDebt.id == debt_id)
        .options(joinedload(AcademicDebt.decision).joinedload(CouncilDecision.year),
                 joinedload(AcademicDebt.student), selectinload(AcademicDebt.attempts)))
