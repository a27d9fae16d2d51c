"""State final attestation results (ГИА, JRN-11, 001:2.8.3): one row per student, year, subject
and exam (ОГЭ / ГВЭ-9 after grade 9, ЕГЭ / ГВЭ-11 after grade 11), entered by hand or imported
from the protocol. The protocols are kept 5 years (001:2.8.5, retention kind
"state_exam_protocol"), counted from the end of the year."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow


class ExamResult(db.Model):
    __tablename__ = "exam_result"
    __table_args__ = (UniqueConstraint("student_id", "year_id", "subject_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    kind: Mapped[str] = mapped_column(String(10))  # oge, gve9, ege, gve11 (domain/exams.py)
    exam_date: Mapped[Optional[date]] = mapped_column(Date)
    primary_score: Mapped[Optional[int]] = mapped_column(Integer)
    test_score: Mapped[Optional[int]] = mapped_column(Integer)
    mark: Mapped[Optional[str]] = mapped_column(String(2))  # ОГЭ and ГВЭ: 2…5; ЕГЭ: none
    min_score: Mapped[Optional[int]] = mapped_column(Integer)  # ЕГЭ: the subject's minimum
    passed: Mapped[Optional[bool]] = mapped_column(Boolean)  # ЕГЭ: test score >= minimum
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | import
    protocol_name: Mapped[str] = mapped_column(String(200), default="")  # the imported file's name
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    student = relationship("Student")
    subject = relationship("Subject")
    class_group = relationship("ClassGroup")
