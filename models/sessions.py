"""Sessions kept on the server (ASVS 3.3): the signed cookie only names a record here, so a
session ends for good at logout, «Сменить пользователя», a password change, a block or a
reported compromise, and after idle time measured by the server (001:2.5.11, 002:3.6)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import User

END_REASONS = ("logout", "switch", "idle", "expired", "password_change", "block", "compromise", "roles", "reset", "ended")


def token_digest(token: str) -> str:
    """Only a digest of the token is stored: a copy of the table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


class UserSession(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Updated at most once a minute (SESSION_TOUCH_SECONDS), so pages do not write on every request.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str] = mapped_column(String(20), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()
