"""Access rules for the core routes: login, dashboard, profile, journal and diary entry pages."""
import secrets

from extensions import db
from models import UserSession
from tests.access import EVERYONE, FAMILY, OFFICE, PUBLIC, TEACHERS, Rule


def _open_session_of(user) -> int:
    """Another open session (another tablet) of `user`: only its owner may end it."""
    record = UserSession(token_hash=secrets.token_hex(32), user_id=user.id)
    db.session.add(record)
    db.session.flush()
    return record.id


RULES = [
    Rule("GET", "/healthz", PUBLIC, lambda s: "/healthz"),
    Rule("GET", "/auth/login", PUBLIC, lambda s: "/auth/login"),
    Rule("POST", "/auth/login", PUBLIC, lambda s: "/auth/login", lambda s: {"login": "x", "password": "y"}),
    Rule("GET", "/", EVERYONE, lambda s: "/"),
    Rule("GET", "/profile", EVERYONE, lambda s: "/profile"),
    Rule("GET", "/auth/password", EVERYONE, lambda s: "/auth/password"),
    Rule("POST", "/auth/password", EVERYONE, lambda s: "/auth/password", lambda s: {}),
    Rule("GET", "/auth/compromised", EVERYONE, lambda s: "/auth/compromised"),
    Rule("POST", "/auth/compromised", EVERYONE, lambda s: "/auth/compromised", note="allowed users are blocked: checked in test_auth"),
    Rule("POST", "/auth/logout", EVERYONE, lambda s: "/auth/logout"),
    Rule("POST", "/auth/switch", EVERYONE, lambda s: "/auth/switch"),
    Rule("POST", "/auth/sessions/<int:session_id>/end", frozenset({"maths_teacher"}),
         lambda s: f"/auth/sessions/{_open_session_of(s.maths_teacher)}/end"),
    Rule("GET", "/journal/", TEACHERS | OFFICE, lambda s: "/journal/"),
    Rule("GET", "/diary/", FAMILY, lambda s: "/diary/"),
]
