"""Destruction of a student's personal data after the consent was withdrawn (PD-2, 003
Приложение 2; 152-ФЗ ст. 21 ч. 5), and the school's corrections to the production calendar
its deadline is counted by.

- CalendarCorrection: a day the school works although the official calendar rests (a
  transferred working Saturday), or an extra day off.
- DestructionTask: created by the withdrawal in the same transaction, due by the school's
  working days (never beyond the law's calendar days); executed by an administrator, it
  empties what may be destroyed, keeps what another law requires with that law's ground, and
  is confirmed by a certified act of destruction (Приказ Роскомнадзора от 28.10.2022 № 179).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin
from models.people import Student, User
from models.personal_data import ConsentRecord
from models.printouts import Printout

DESTRUCTION_STATUSES = ("open", "done")
DUE_RULES = ("working_days", "legal")


class CalendarCorrection(TimestampMixin, db.Model):
    """The school's correction of the production calendar: `is_working` True makes an official
    day off (or a weekend) a working day, False makes a working day a day off."""

    __tablename__ = "calendar_correction"
    __table_args__ = (UniqueConstraint("school_id", "day", name="uq_calendar_correction_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    is_working: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))


class DestructionTask(TimestampMixin, db.Model):
    """One student's data to destroy after a withdrawal of consent. `summary` (written on
    execution) is what the act lists: {"destroyed": [{"what", "category"}...], "kept":
    [{"what", "category", "ground"}...], "files": n}."""

    __tablename__ = "destruction_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent_record.id"), unique=True)
    withdrawn_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    due_rule: Mapped[str] = mapped_column(String(20))  # DUE_RULES
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    executed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    executed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    act_printout_id: Mapped[Optional[int]] = mapped_column(ForeignKey("printout.id"))
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # the AdminAlert raised once when the task became overdue (a rerun finds it and does nothing)
    overdue_alert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("admin_alert.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    student: Mapped[Student] = relationship()
    consent: Mapped[ConsentRecord] = relationship()
    executed_by: Mapped[Optional[User]] = relationship(foreign_keys=[executed_by_id])
    act: Mapped[Optional[Printout]] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def is_overdue(self, today: date) -> bool:
        return self.is_open and today > self.due_on
