"""What happened and who did it: logins, changes, alerts for the administrator (JRN-8, ADM-7)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import User


class LoginEvent(db.Model):
    """Every login, failure, logout and lock (001:2.5.11-2.5.13). The failures per login and
    address are also the counters of login throttling (blueprints/auth/operations.py)."""

    __table_args__ = (Index("ix_login_event_login_at", "login", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    login: Mapped[str] = mapped_column(String(60))
    event: Mapped[str] = mapped_column(String(20))  # success, failure, throttled, blocked, logout, idle…
    ip: Mapped[str] = mapped_column(String(64), default="")
    # The browser's id from its device cookie (blueprints/auth/devices.py), "" without one.
    device: Mapped[str] = mapped_column(String(32), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[Optional[User]] = relationship()


class AuditEntry(db.Model):
    """One change of one record: who, when, before, after, why, from where (JRN-8)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, import, block…
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[Optional[User]] = relationship()


class AdminAlert(db.Model):
    """Something an administrator must act on: a reported compromise, a failed backup… An alert
    of kind PASSWORD_RESET is also shown to its user, the owner of the account."""

    PASSWORD_RESET = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    is_resolved: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[Optional[User]] = relationship()
