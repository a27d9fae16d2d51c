"""Browsers where an account logged in before (OWASP's «device cookie»): a signed cookie with a
keyed digest of each login that succeeded there. Beyond the per-account ceiling of failures,
such a browser is still let in to try, so that guessing from elsewhere does not keep the owner
out of their own tablet or phone, and its own failures are counted apart from the address's
(a school's pupils share one NAT address with their teachers)."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "known_device"
MAX_LOGINS = 30  # a shared classroom tablet sees a few teachers
MAX_AGE = 180 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _digest(login: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, login.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def _cookie() -> dict:
    value = request.cookies.get(COOKIE)
    if not value:
        return {}
    try:
        data = _serializer().loads(value)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def _known() -> list[str]:
    logins = _cookie().get("logins")
    return [d for d in logins if isinstance(d, str)] if isinstance(logins, list) else []


def device_id() -> str:
    """This browser's random id ("" before its first login): failures from it are counted apart."""
    value = _cookie().get("id")
    return value if isinstance(value, str) else ""


def is_known(login: str) -> bool:
    return _digest(login) in _known()


def remember(response: Response, login: str) -> None:
    digest = _digest(login)
    known = [digest] + [d for d in _known() if d != digest]
    data = {"id": device_id() or secrets.token_hex(16), "logins": known[:MAX_LOGINS]}
    response.set_cookie(
        COOKIE,
        _serializer().dumps(data),
        max_age=MAX_AGE,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
        path="/auth/",
    )
