"""Use cases of accounts: log in, change a password, report a compromise (ADM-7).

Logging in answers the same for a missing login, a wrong password and a blocked account, and
takes the same time (one scrypt check either way); whether the account is blocked is told only
after the right password. Guessing is slowed down without a lock that anyone could set off for
someone else's account (ASVS 2.2.1): growing delays per login and client address, and a ceiling
per login across all addresses that browsers where the account logged in before are exempt
from. The counters are the login log in the database, so several app hosts share them."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from blueprints.auth import sessions
from domain.login_throttle import seconds_to_wait
from extensions import db
from models import AdminAlert, LoginEvent, User
from models.base import as_utc, utcnow
from models.people import UNUSABLE_PASSWORD_PREFIX, password_hash_method
from utils import audit
from utils.audit import client_ip

THROTTLE_WINDOW = timedelta(hours=1)
OWNER_NOTICE_WINDOW = timedelta(days=30)
_DUMMY_HASHES: dict[str, str] = {}


@dataclass
class LoginResult:
    user: User | None
    error: str = ""
    status: int = 401
    failures_since_last_login: int = 0


def log_login_event(login: str, event: str, user: User | None = None, device: str = "") -> None:
    db.session.add(
        LoginEvent(
            login=login[:60],
            event=event,
            user_id=user.id if user else None,
            ip=client_ip()[:64],
            device=device[:32],
            user_agent=request.user_agent.string[:300],
        )
    )


def _dummy_hash() -> str:
    """A hash of the same method and cost as real ones, checked for a missing login so that it
    takes as long as a wrong password for an existing one."""
    method = password_hash_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


def _password_matches(user: User | None, password: str) -> bool:
    if user is None or user.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


def _where(query, login: str, event: str, address: str | None, device: str | None):
    query = query.where(LoginEvent.login == login, LoginEvent.event == event)
    if address is not None:
        query = query.where(LoginEvent.ip == address)
    if device is not None:
        query = query.where(LoginEvent.device == device)
    return query


def _failures(login: str, since: datetime, address: str | None = None,
              device: str | None = None) -> tuple[int, datetime | None, datetime | None]:
    """Failures of a login (from one address or browser, or from all) since a time: count,
    first, last."""
    query = select(func.count(), func.min(LoginEvent.at), func.max(LoginEvent.at)).where(LoginEvent.at > since)
    count, first, last = db.session.execute(_where(query, login, "failure", address, device)).one()
    return count, as_utc(first), as_utc(last)


def _last_success(login: str, address: str | None = None, device: str | None = None) -> datetime | None:
    query = _where(select(func.max(LoginEvent.at)), login, "success", address, device)
    return as_utc(db.session.scalar(query))


def seconds_before_next_attempt(login: str, address: str, known_device: str | None, now: datetime) -> int:
    """0 when the attempt may be checked now, else the seconds to wait (the same for existing
    and missing logins: both are counted in the login log by the login typed).

    From a browser where this login succeeded before (`known_device`, its id), the delays count
    only that browser's failures, and the ceiling per account does not apply: pupils guessing
    behind the school's one NAT address do not keep the teacher out of their own tablet."""
    config = current_app.config
    window_start = now - THROTTLE_WINDOW
    address_key = None if known_device else address
    since = max(filter(None, (window_start, _last_success(login, address_key, known_device))))
    count, _first, last = _failures(login, since, address_key, known_device)
    wait = seconds_to_wait(count, last, now, config["LOGIN_FREE_FAILURES"], config["LOGIN_MAX_DELAY_SECONDS"])
    if wait or known_device:
        return wait
    count, first, _last = _failures(login, window_start)
    if count >= config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"]:
        return max(1, int((first + THROTTLE_WINDOW - now).total_seconds() + 0.999))
    return 0


def _alert_if_guessed(user: User | None, login: str, now: datetime) -> None:
    """From LOGIN_ALERT_FAILURES failures within an hour the administrators get an alert (one
    while it is open); the owner sees the failures at the next login and on the profile page."""
    count, _first, _last = _failures(login, now - THROTTLE_WINDOW)
    if count < current_app.config["LOGIN_ALERT_FAILURES"]:
        return
    # Looked up for missing logins too: the answer takes as long either way.
    open_alert = db.session.scalar(
        select(AdminAlert.id).where(
            AdminAlert.user_id == (user.id if user else None),
            AdminAlert.kind == "guessing",
            AdminAlert.is_resolved.is_(False),
        )
    )
    if user is not None and open_alert is None:
        db.session.add(
            AdminAlert(
                school_id=user.school_id,
                kind="guessing",
                user_id=user.id,
                message=_(
                    "Подбор пароля: %(count)s неудачных попыток входа под логином %(login)s (%(name)s) "
                    "за час, последняя с адреса %(ip)s. Попытки замедляются; при необходимости "
                    "выдайте новый пароль.",
                    count=count,
                    login=user.login,
                    name=user.full_name,
                    ip=client_ip(),
                ),
            )
        )


def attempt_login(login: str, password: str, device: str = "", known_device: bool = False,
                  now: datetime | None = None) -> LoginResult:
    """Check a login and password. `device` is the browser's id (blueprints/auth/devices.py),
    `known_device` whether this login succeeded in it before. Throttled attempts are refused
    without checking the password."""
    now = now or utcnow()
    login = login.strip().lower()
    generic = _("Неверный логин или пароль.")
    user = db.session.scalar(select(User).where(func.lower(User.login) == login))
    wait = seconds_before_next_attempt(login, client_ip(), device if known_device and device else None, now)
    if wait:
        log_login_event(login, "throttled", user, device)
        return LoginResult(None, _("Слишком много попыток, повторите через %(n)s с.", n=wait), status=429)
    if not _password_matches(user, password):
        log_login_event(login, "failure", user, device)
        _alert_if_guessed(user, login, now)
        return LoginResult(None, generic)
    # The right password: only now may the answer say what is wrong with the account.
    if user.is_blocked:
        log_login_event(login, "blocked", user, device)
        return LoginResult(None, _("Учётная запись заблокирована. Обратитесь к администратору школы."))
    if not user.is_active_account:
        log_login_event(login, "inactive", user, device)
        return LoginResult(None, _("Учётная запись отключена. Обратитесь к администратору школы."))
    # Told to the owner: the failures since their previous login (or the last month, if none).
    failures = _failures(login, _last_success(login) or now - OWNER_NOTICE_WINDOW)[0]
    log_login_event(login, "success", user, device)
    return LoginResult(user, status=200, failures_since_last_login=failures)


def change_password(user: User, new_password: str) -> None:
    """Every session of the account ends; the view opens a new one for the person who changed it."""
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    sessions.end_sessions(user, "password_change")
    audit.record("user", user.id, "password_change", school_id=user.school_id, user_id=user.id)


def report_compromise(user: User, details: str) -> None:
    """The owner reports a compromised account: it is blocked at once, every session of it ends
    and the administrator is told (001:2.5.13, 004:2.13)."""
    user.is_blocked = True
    user.blocked_reason = _("Пользователь сообщил о компрометации учётной записи")
    sessions.end_sessions(user, "compromise")
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
