"""Sessions kept on the server (models/sessions.py): opened at login, looked up by the user
loader on every request, ended for good at logout, switch, password change, block, reset and
compromise, and after idle time measured from the server's record, never from the cookie."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, g, request
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from database import SAFE_METHODS, immediate_transactions
from extensions import db
from models import User, UserSession
from models.base import as_utc, utcnow
from models.sessions import token_digest
from utils.audit import client_ip


def idle_limit(user: User) -> timedelta:
    """Shared classroom tablets: staff sessions end sooner than families' (001:2.5.11, 002:3.6)."""
    minutes = current_app.config["STAFF_IDLE_MINUTES" if user.is_staff else "FAMILY_IDLE_MINUTES"]
    return timedelta(minutes=minutes)


def open_session(user: User) -> UserSession:
    """A new session record; its token goes into the signed cookie through user.get_id()."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=token_digest(token),
        user=user,
        ip=client_ip(),
        user_agent=request.user_agent.string[:300],
    )
    db.session.add(record)
    user.session_token = token
    g.user_session = record
    return record


def load(token: str | None) -> User | None:
    """The user of an open, not idle session; None otherwise (the request is anonymous).
    One statement: the session with its user and the user's roles."""
    if not token:
        return None
    record = db.session.execute(
        select(UserSession)
        .join(UserSession.user)
        .options(contains_eager(UserSession.user).joinedload(User.role_rows))
        .where(UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None))
    ).unique().scalar_one_or_none()
    if record is None or not record.user.is_active:
        return None
    now = utcnow()
    if now - as_utc(record.created_at) > current_app.permanent_session_lifetime:
        g.expired_session = (record, "expired")  # however active: a working day at most
        return None
    if now - as_utc(record.last_seen_at) > idle_limit(record.user):
        g.expired_session = (record, "idle")  # ended by the before-request hook, which says why
        return None
    record.user.session_token = token
    g.user_session = record
    return record.user


def current() -> UserSession | None:
    return g.get("user_session")


def end(record: UserSession, reason: str, now: datetime | None = None) -> None:
    if record.ended_at is None:
        record.ended_at = now or utcnow()
        record.end_reason = reason


def end_sessions(user: User, reason: str, keep: UserSession | None = None) -> None:
    """End every open session of the user (but `keep`): on password change, block, reset, a
    change of roles and a reported compromise."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if keep is not None and keep.id is not None:
        statement = statement.where(UserSession.id != keep.id)
    db.session.execute(statement)


def write_now(change) -> None:
    """Apply `change()` and commit at once, from a request that may be a GET: SQLite then needs
    the write lock taken at BEGIN (database.py), so the read transaction ends first."""
    if request.method in SAFE_METHODS:
        db.session.commit()
        with immediate_transactions():
            change()
            db.session.commit()
    else:
        change()
        db.session.commit()


def touch(record: UserSession, now: datetime) -> None:
    """Record activity at most once every SESSION_TOUCH_SECONDS, so that pages do not write on
    every request; the idle limit is therefore measured to within that much."""
    if (now - as_utc(record.last_seen_at)).total_seconds() < current_app.config["SESSION_TOUCH_SECONDS"]:
        return

    def change():
        record.last_seen_at = now

    write_now(change)


def open_sessions(user: User) -> list[UserSession]:
    """The user's sessions still open (not ended, not idle), the most recent first."""
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    now, limit = utcnow(), idle_limit(user)
    return [r for r in records if now - as_utc(r.last_seen_at) <= limit]
