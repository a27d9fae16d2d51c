"""The personal file (личное дело, REP-6, PD-8; 001:2.6.2-2.6.11): numbered by the alphabetical
book (Student.book_number). Each school year it receives a frozen copy of the year marks, the
missed lessons (illness / unexcused) and the council's decision: `PersonalFileYear`, refilled
only with a reason, the replaced copy kept in `PersonalFileYearHistory`. A student arriving from
another school has the previous school's statement of marks attached (`PreviousSchoolStatement`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import Student
from models.school import AcademicYear


class PersonalFileYear(db.Model):
    """One year of one student's personal file, as it was filled (a frozen copy of the journal:
    later changes there do not change it unless it is refilled with a reason)."""

    __table_args__ = (UniqueConstraint("student_id", "year_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"))
    class_name: Mapped[str] = mapped_column(String(30), default="")
    book_number: Mapped[str] = mapped_column(String(20), default="")
    # [[subject name, year mark], ...] in the order of the subjects' names
    marks: Mapped[list] = mapped_column(JSON, default=list)
    missed_total: Mapped[int] = mapped_column(Integer, default=0)
    missed_ill: Mapped[int] = mapped_column(Integer, default=0)
    missed_excused: Mapped[int] = mapped_column(Integer, default=0)
    missed_unexcused: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str] = mapped_column(String(30), default="")
    protocol_number: Mapped[str] = mapped_column(String(40), default="")
    protocol_date: Mapped[Optional[date]] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    filled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    filled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    filled_by_name: Mapped[str] = mapped_column(String(200), default="")  # or «автоматически»
    version: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(Text, default="")  # why the last refill

    student: Mapped[Student] = relationship()
    year: Mapped[AcademicYear] = relationship()
    history: Mapped[list[PersonalFileYearHistory]] = relationship(
        back_populates="entry", order_by="PersonalFileYearHistory.version", cascade="all, delete-orphan"
    )


class PersonalFileYearHistory(db.Model):
    """A replaced copy of a year of the personal file, with who replaced it and why."""

    __table_args__ = (UniqueConstraint("entry_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("personal_file_year.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the copy as it was
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replaced_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    replaced_by_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[PersonalFileYear] = relationship(back_populates="history")


class PreviousSchoolStatement(db.Model):
    """The previous school's statement of marks of a student arriving from another school
    (PD-8, 001:2.6.4): the scanned or received file, its date and the school that issued it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    issued_by: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date] = mapped_column(Date)
    file_path: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(200))
    file_mime: Mapped[str] = mapped_column(String(100))
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
