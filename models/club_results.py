"""Results of additional-education groups in the teacher's own form (JRN-9, 000:2.10, 002).

A group keeps one form of results (ClubResultForm): pass/fail, a level from the teacher's own
list, or free text. A result is per member per study period (ClubResult). Achievements
(ClubAchievement: a competition with its level and place) are separate rows, removed by a flag.
All rows belong to the group's school year: the year guard refuses them in a closed year."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.club_results import EVENT_LEVELS
from domain.club_results import FORMS as RESULT_FORMS
from extensions import db
from models.base import utcnow
from models.people import Student
from models.school import ClassGroup, StudyPeriod
from models.year_closing import belongs_to_year_through


@belongs_to_year_through("ClassGroup", "group_id", "group")
class ClubResultForm(db.Model):
    """The form of a group's results, chosen by its teacher; `levels`: one level a line."""

    __table_args__ = (CheckConstraint(f"form IN {RESULT_FORMS}", name="form_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), unique=True)
    form: Mapped[str] = mapped_column(String(20), default="pass_fail")
    levels: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    group: Mapped[ClassGroup] = relationship()

    @property
    def level_list(self) -> list[str]:
        return [line.strip() for line in (self.levels or "").splitlines() if line.strip()]


@belongs_to_year_through("ClassGroup", "group_id", "group")
class ClubResult(db.Model):
    """A member's result of one study period, in the group's form at the time it was entered."""

    __table_args__ = (UniqueConstraint("group_id", "student_id", "period_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"))
    form: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(1000), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    group: Mapped[ClassGroup] = relationship()
    student: Mapped[Student] = relationship()
    period: Mapped[StudyPeriod] = relationship()


@belongs_to_year_through("ClassGroup", "group_id", "group")
class ClubAchievement(db.Model):
    """A member's achievement: an event (competition, festival), its date and level, the place or
    result. Deleting sets `is_deleted`."""

    __table_args__ = (CheckConstraint(f"level IN {EVENT_LEVELS}", name="level_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    event: Mapped[str] = mapped_column(String(300))
    date: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    group: Mapped[ClassGroup] = relationship()
    student: Mapped[Student] = relationship()
