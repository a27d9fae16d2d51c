"""Use cases of accounts: log in, change a password, report a compromise (ADM-7)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from models import AdminAlert, LoginEvent, User
from models.base import as_utc, utcnow
from utils import audit


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def log_login_event(login: str, event: str, user: User | None = None) -> None:
    db.session.add(
        LoginEvent(
            login=login[:60],
            event=event,
            user_id=user.id if user else None,
            ip=request.remote_addr or "",
            user_agent=request.user_agent.string[:300],
        )
    )


def attempt_login(login: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a login and password; count failures and lock the account after too many
    (the lock defeats slow guessing that the per-address rate limit lets through)."""
    now = now or utcnow()
    login = login.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.login) == login))
    generic = _("Неверный логин или пароль.")
    if user is None:
        log_login_event(login, "failure")
        return LoginResult(None, generic)
    if user.is_blocked:
        log_login_event(login, "blocked", user)
        return LoginResult(None, _("Учётная запись заблокирована. Обратитесь к администратору школы."))
    if not user.is_active_account:
        log_login_event(login, "inactive", user)
        return LoginResult(None, _("Учётная запись отключена. Обратитесь к администратору школы."))
    locked_until = as_utc(user.locked_until)
    if locked_until and locked_until > now:
        log_login_event(login, "locked", user)
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        return LoginResult(
            None,
            _("Слишком много неудачных попыток. Вход временно заблокирован (%(n)s мин.).", n=minutes),
        )
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            log_login_event(login, "lock", user)
            return LoginResult(
                None,
                _(
                    "Слишком много неудачных попыток. Вход временно заблокирован (%(n)s мин.).",
                    n=current_app.config["LOGIN_LOCK_MINUTES"],
                ),
            )
        log_login_event(login, "failure", user)
        return LoginResult(None, generic)
    user.failed_logins = 0
    user.locked_until = None
    log_login_event(login, "success", user)
    return LoginResult(user)


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    user.session_version += 1  # every other session of this account ends
    audit.record("user", user.id, "password_change", school_id=user.school_id, user_id=user.id)


def report_compromise(user: User, details: str) -> None:
    """The owner reports a compromised account: it is blocked at once and the administrator
    is told (001:2.5.13, 004:2.13)."""
    user.is_blocked = True
    user.blocked_reason = _("Пользователь сообщил о компрометации учётной записи")
    user.session_version += 1
    db.session.add(
        AdminAlert(
            school_id=user.school_id,
            kind="compromise",
            user_id=user.id,
            message=_(
                "%(name)s (логин %(login)s) сообщил о компрометации учётной записи. Учётная запись "
                "заблокирована; выдайте новый пароль. %(details)s",
                name=user.full_name,
                login=user.login,
                details=details.strip(),
            ),
        )
    )
    audit.record("user", user.id, "block", reason=details.strip(), school_id=user.school_id, user_id=user.id)
    log_login_event(user.login, "compromise", user)
