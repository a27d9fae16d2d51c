"""Inspections of journal keeping (REP-3, 002:5.2-5.4): who inspected which journal, when, what
was checked, and the remarks per item with their correction by the teacher and confirmation by
the inspector. Every change is also written to the audit (utils/audit.py)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.inspections import INSPECTION_STATUSES, KINDS, REMARK_STATUSES
from extensions import db
from models.base import utcnow
from models.people import User
from models.school import TeachingAssignment


class Inspection(db.Model):
    """One inspection of one journal (a teaching assignment) by the methodist (weekly), the
    deputy (monthly) or the director (quarterly)."""

    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="kind_known"),
        CheckConstraint(f"status IN {INSPECTION_STATUSES}", name="status_known"),
        Index("ix_inspection_assignment_kind_date", "assignment_id", "kind", "date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    date: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(Text, default="")
    correct_by: Mapped[Optional[date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assignment: Mapped[TeachingAssignment] = relationship()
    inspector: Mapped[User] = relationship()
    remarks: Mapped[list[InspectionRemark]] = relationship(
        back_populates="inspection", order_by="InspectionRemark.position", cascade="all, delete-orphan"
    )


class InspectionRemark(db.Model):
    """A remark on one item of the inspection: corrected by the teacher, confirmed (or returned)
    by the inspector."""

    __table_args__ = (CheckConstraint(f"status IN {REMARK_STATUSES}", name="status_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(200))
    remark: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    corrected_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    corrected_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    inspection: Mapped[Inspection] = relationship(back_populates="remarks")
    corrected_by: Mapped[Optional[User]] = relationship(foreign_keys=[corrected_by_id])
    confirmed_by: Mapped[Optional[User]] = relationship(foreign_keys=[confirmed_by_id])
