"""The diary of students and parents: absence notes (DIA-5).

A parent tells the class teacher why the child was absent (004:3.5); the class teacher accepts
the note (the absences of its dates become «Б» or «УП») or rejects it with a comment."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import Student, User

ABSENCE_REASONS = ("ill", "excused", "other")  # болезнь, семейные обстоятельства, иное
NOTE_STATUSES = ("submitted", "accepted", "rejected")


class AbsenceNote(db.Model):
    """A parent's note on a child's absence, with an optional scan of the doctor's note."""

    __tablename__ = "absence_note"
    __table_args__ = (
        CheckConstraint("date_from <= date_to", name="dates_ordered"),
        CheckConstraint(f"reason IN {ABSENCE_REASONS}", name="reason_known"),
        CheckConstraint(f"status IN {NOTE_STATUSES}", name="status_known"),
        Index("ix_absence_note_student_dates", "student_id", "date_from"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The scan is stored under UPLOAD_FOLDER/notes with a random name; the original name is
    # only offered back on download.
    file_original_name: Mapped[Optional[str]] = mapped_column(String(200))
    file_stored_name: Mapped[Optional[str]] = mapped_column(String(80), unique=True)
    file_size: Mapped[Optional[int]] = mapped_column(Integer)
    file_content_type: Mapped[Optional[str]] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    student: Mapped[Student] = relationship()
    parent: Mapped[User] = relationship(foreign_keys=[parent_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])

    @property
    def has_file(self) -> bool:
        return bool(self.file_stored_name)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1
