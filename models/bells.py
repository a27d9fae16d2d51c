"""The school's shortened days (сокращённый день); the bell sets themselves are
models.school.BellSchedule (ADM-1)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db

if TYPE_CHECKING:
    from models.school import School


class ShortenedDay(db.Model):
    """A date the school works a shortened day: every class follows the shortened variant of
    its bells, where the school has entered one (domain/bells.py)."""

    __table_args__ = (UniqueConstraint("school_id", "date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
