"""Closing a study period for one class or for the whole school (JRN-8: "a closed period or
year is read-only"; 001:2.5.6: the period marks are set before the holidays)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import User
from models.school import ClassGroup, StudyPeriod


class PeriodClosure(db.Model):
    """The academic office closed `period` for `class_group` (None: the whole school). Never
    deleted: the director reopens it with a reason, and the row keeps who and why."""

    __table_args__ = (Index("ix_period_closure_period_class", "period_id", "class_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"))
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"), index=True)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    reopened_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    reopened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    period: Mapped[StudyPeriod] = relationship()
    class_group: Mapped[Optional[ClassGroup]] = relationship()
    closed_by: Mapped[Optional[User]] = relationship(foreign_keys=[closed_by_id])
    reopened_by: Mapped[Optional[User]] = relationship(foreign_keys=[reopened_by_id])

    @property
    def is_active(self) -> bool:
        return self.reopened_at is None
