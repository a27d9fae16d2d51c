"""Academic debts (REP-5, 004:2.4): a conditionally promoted student's debt per subject, with
the original year mark and up to two retakes (the second before a named commission). Results
arrive after the summary sheet and are attached to it; when every debt of a decision is
cleared, the decision becomes «переведён» (blueprints/reports/debts_operations.py)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.archive import CouncilDecision
from models.base import TimestampMixin
from models.people import Student
from models.school import Subject

DEBT_STATUSES = ("open", "cleared", "failed")


class AcademicDebt(TimestampMixin, db.Model):
    """One subject of a conditional promotion's debt: the original year mark, the planned date of
    the next retake, and its state (open, cleared by a positive retake, failed after two)."""

    __table_args__ = (
        UniqueConstraint("decision_id", "subject_id"),
        CheckConstraint(f"status IN {DEBT_STATUSES}", name="debt_status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("council_decision.id", ondelete="CASCADE"), index=True)
    original_mark: Mapped[str] = mapped_column(String(10), default="")  # the year mark («2», «н/а»)
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_on: Mapped[Optional[date]] = mapped_column(Date)  # the planned date of the next retake
    cleared_on: Mapped[Optional[date]] = mapped_column(Date)

    student: Mapped[Student] = relationship()
    subject: Mapped[Subject] = relationship()
    decision: Mapped[CouncilDecision] = relationship()
    attempts: Mapped[list[DebtAttempt]] = relationship(
        back_populates="debt", order_by="DebtAttempt.number", cascade="all, delete-orphan"
    )


class DebtAttempt(TimestampMixin, db.Model):
    """One retake: its number (1, or 2 before a commission), date, result and protocol."""

    __table_args__ = (UniqueConstraint("debt_id", "number"), CheckConstraint("number IN (1, 2)", name="attempt_number"))
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("academic_debt.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(10))
    commission: Mapped[list[str]] = mapped_column(JSON, default=list)
    protocol_number: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    debt: Mapped[AcademicDebt] = relationship(back_populates="attempts")
