"""The subjects' requests (PD-7; 152-ФЗ art. 14, 20, 21; 003 Приложение 2, 004:3.5): a parent
asks to correct a field of the child's data, or for an extract of everything held.

- CorrectionRequest: the field, the correct value (encrypted at rest), the parent's comment and
  the deadline of one month (domain/pd_requests.correction_due); applied (the field written,
  the old value kept here) or rejected with a reason.
- SubjectRequest: a request for the data held (an extract), with its legal due date (10 working
  days, 152-ФЗ art. 20 p. 1) and when it was answered.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import Student, User
from utils.encryption import EncryptedText

CORRECTION_STATUSES = ("pending", "applied", "rejected")
SUBJECT_REQUEST_KINDS = ("extract",)


class CorrectionRequest(db.Model):
    """A parent's request to correct one field of the child's record or card."""

    __table_args__ = (CheckConstraint(f"status IN {CORRECTION_STATUSES}", name="status_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    previous_value: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")

    student: Mapped[Student] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])


class SubjectRequest(db.Model):
    """A subject's (parent's) request for the data held about the child, and its answer."""

    __table_args__ = (CheckConstraint("kind IN ('extract')", name="kind_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20), default="extract")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    disclosure_id: Mapped[Optional[int]] = mapped_column(ForeignKey("disclosure.id"))

    student: Mapped[Student] = relationship()
    requested_by: Mapped[User] = relationship()


__all__ = ["CORRECTION_STATUSES", "CorrectionRequest", "SubjectRequest"]
