"""Rooms of the school, the places of the weekly timetable (ADM-9)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db

if TYPE_CHECKING:
    from models.school import School


class Room(db.Model):
    """A classroom (кабинет) by its number or name; switched off, never deleted, so that the
    timetables of past weeks keep naming it."""

    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    name: Mapped[str] = mapped_column(String(20))  # "204", "Спортзал"
    note: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
