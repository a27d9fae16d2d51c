"""Sessions kept on the server (issue 8, item 2): a session cookie captured before logout,
«Сменить пользователя», a password change, a block, a reported compromise or idle time opens
nothing afterwards, and does not keep itself alive (001:2.5.11-2.5.13, 002:3.6)."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from extensions import db
from models import LoginEvent, User, UserSession
from models.base import utcnow
from tests.conftest import PASSWORD, isolated_client


def _log_in(make_app, user, **overrides):
    client = isolated_client(make_app, **overrides)
    response = client.post("/auth/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def _captured(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(make_app, cookie: str, path: str = "/", **overrides):
    """The captured cookie in a fresh browser: another person at the tablet, or a thief."""
    thief = isolated_client(make_app, **overrides)
    thief.set_cookie("session", cookie)
    return thief.get(path)


def _refused(response) -> bool:
    return response.status_code in (302, 401) and (
        response.status_code == 401 or "/auth/login" in response.location
    )


def test_the_cookie_is_only_a_reference_to_a_session_kept_on_the_server(app, make_app, small_school):
    s = small_school()
    client = _log_in(make_app, s.maths_teacher)
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == s.maths_teacher.id))
    assert record is not None and record.ended_at is None
    # The token is stored only as a digest.
    assert record.token_hash not in _captured(client)
    assert _replay(make_app, _captured(client)).status_code == 200  # the same cookie works while open


def test_cookie_replayed_after_logout_opens_neither_grid_nor_diary(app, make_app, small_school):
    s = small_school()
    teacher = _log_in(make_app, s.maths_teacher)
    parent = _log_in(make_app, s.parent_a)
    grid = f"/journal/assignments/{s.maths_5a.id}"
    assert teacher.get(grid).status_code == 200 and parent.get("/diary/").status_code in (200, 302)
    teacher_cookie, parent_cookie = _captured(teacher), _captured(parent)
    teacher.post("/auth/logout")
    parent.post("/auth/logout")
    assert _refused(_replay(make_app, teacher_cookie, grid))
    assert _refused(_replay(make_app, parent_cookie, "/diary/"))
    db.session.expire_all()
    ended = db.session.scalars(select(UserSession.end_reason)).all()
    assert ended == ["logout", "logout"]


def test_cookie_replayed_after_switch_user_is_refused(app, make_app, small_school):
    s = small_school()
    tablet = _log_in(make_app, s.maths_teacher)
    cookie = _captured(tablet)
    tablet.post("/auth/switch")
    assert _refused(_replay(make_app, cookie, f"/journal/assignments/{s.maths_5a.id}"))


def test_htmx_request_with_an_ended_session_is_refused(app, make_app, small_school):
    s = small_school()
    tablet = _log_in(make_app, s.maths_teacher)
    cookie = _captured(tablet)
    tablet.post("/auth/switch")
    thief = isolated_client(make_app)
    thief.set_cookie("session", cookie)
    response = thief.get(f"/journal/assignments/{s.maths_5a.id}", headers={"HX-Request": "true"})
    assert response.status_code in (302, 401)


def test_password_change_ends_the_other_sessions_and_renews_its_own(app, make_app, small_school):
    s = small_school()
    tablet = _log_in(make_app, s.deputy)
    phone = _log_in(make_app, s.deputy)
    before = _captured(tablet)
    data = {"current_password": PASSWORD, "new_password": "Zvezda-Polyarnaya-7", "confirm": "Zvezda-Polyarnaya-7"}
    assert tablet.post("/auth/password", data=data).status_code == 302
    assert tablet.get("/").status_code == 200  # the person who changed it stays in
    assert _captured(tablet) != before  # under a new session id
    assert _refused(phone.get("/"))
    assert _refused(_replay(make_app, before))
    db.session.expire_all()
    reasons = sorted(r for r in db.session.scalars(select(UserSession.end_reason)) if r)
    assert reasons == ["password_change", "password_change"]


def test_block_by_administrator_ends_every_session(app, make_app, small_school):
    s = small_school()
    teacher = _log_in(make_app, s.maths_teacher)
    cookie = _captured(teacher)
    admin = _log_in(make_app, s.admin)
    response = admin.post(f"/admin/people/users/{s.maths_teacher.id}/block", data={"reason": "уволена"})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.get(User, s.maths_teacher.id).is_blocked
    assert _refused(teacher.get("/"))
    assert _refused(_replay(make_app, cookie))


def test_a_change_of_roles_ends_every_session(app, make_app, small_school):
    """New rights take effect only through a new login: the old sessions carry the old ones."""
    s = small_school()
    teacher = _log_in(make_app, s.russian_teacher)
    cookie = _captured(teacher)
    director = _log_in(make_app, s.director)
    response = director.post(f"/admin/people/users/{s.russian_teacher.id}/roles", data={"roles": ["teacher", "deputy"]})
    assert response.status_code == 302
    assert _refused(teacher.get("/"))
    assert _refused(_replay(make_app, cookie))


def test_reported_compromise_ends_every_session(app, make_app, small_school):
    s = small_school()
    tablet = _log_in(make_app, s.maths_teacher)
    phone = _log_in(make_app, s.maths_teacher)
    cookies = [_captured(tablet), _captured(phone)]
    tablet.post("/auth/compromised", data={"details": ""})
    for cookie in cookies:
        assert _refused(_replay(make_app, cookie))
    # Unblocking does not bring the old sessions back.
    db.session.get(User, s.maths_teacher.id).is_blocked = False
    db.session.commit()
    for cookie in cookies:
        assert _refused(_replay(make_app, cookie))


def test_idle_timeout_is_measured_by_the_server_not_the_cookie(app, make_app, small_school):
    s = small_school()
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        tablet = _log_in(make_app, s.maths_teacher, STAFF_IDLE_MINUTES=15)
        cookie = _captured(tablet)
        clock.shift(timedelta(minutes=14))
        assert tablet.get("/").status_code == 200  # 14 minutes idle: still in, and seen again
        clock.shift(timedelta(minutes=14))
        assert tablet.get("/").status_code == 200
        clock.shift(timedelta(minutes=16))
        response = tablet.get("/")
        assert _refused(response)
        assert _refused(_replay(make_app, cookie, STAFF_IDLE_MINUTES=15))
        # Even a clock «rewound» in the cookie cannot bring it back: the record is ended.
        clock.shift(timedelta(minutes=-30))
        assert _refused(_replay(make_app, cookie, STAFF_IDLE_MINUTES=15))
    db.session.expire_all()
    record = db.session.scalar(select(UserSession))
    assert record.end_reason == "idle"
    assert db.session.scalar(select(LoginEvent.event).where(LoginEvent.event == "idle")) == "idle"


def test_idle_session_tells_the_user_why(app, make_app, small_school):
    s = small_school()
    with time_machine.travel(utcnow(), tick=False) as clock:
        tablet = _log_in(make_app, s.maths_teacher, STAFF_IDLE_MINUTES=15)
        clock.shift(timedelta(minutes=16))
        response = tablet.get("/", follow_redirects=True)
    assert "Сеанс завершён из-за бездействия" in response.get_data(as_text=True)


def test_idle_timeout_for_families_is_longer(app, make_app, small_school):
    s = small_school()
    with time_machine.travel(utcnow(), tick=False) as clock:
        parent = _log_in(make_app, s.parent_a, STAFF_IDLE_MINUTES=15, FAMILY_IDLE_MINUTES=60)
        clock.shift(timedelta(minutes=30))
        assert parent.get("/").status_code == 200
        clock.shift(timedelta(minutes=61))
        assert _refused(parent.get("/"))


def test_pages_write_last_seen_at_most_once_a_minute(app, make_app, small_school):
    s = small_school()
    with time_machine.travel(utcnow(), tick=False) as clock:
        tablet = _log_in(make_app, s.maths_teacher)
        first = db.session.scalar(select(UserSession.last_seen_at))
        clock.shift(timedelta(seconds=30))
        tablet.get("/")
        db.session.expire_all()
        assert db.session.scalar(select(UserSession.last_seen_at)) == first
        clock.shift(timedelta(seconds=40))
        tablet.get("/")
        db.session.expire_all()
        assert db.session.scalar(select(UserSession.last_seen_at)) > first


def test_profile_lists_open_sessions_and_ends_another_one(app, make_app, small_school):
    s = small_school()
    tablet = _log_in(make_app, s.maths_teacher)
    phone = _log_in(make_app, s.maths_teacher)
    forgotten = _captured(tablet)
    page = phone.get("/profile").get_data(as_text=True)
    assert "Открытые сеансы" in page and page.count('action="/auth/sessions/') == 2
    tablet_record = db.session.scalar(select(UserSession).order_by(UserSession.id))
    response = phone.post(f"/auth/sessions/{tablet_record.id}/end")
    assert response.status_code == 302
    assert _refused(_replay(make_app, forgotten))
    assert phone.get("/").status_code == 200  # the phone's own session goes on
    db.session.expire_all()
    assert db.session.get(UserSession, tablet_record.id).end_reason == "ended"


def test_nobody_ends_another_persons_session(app, make_app, small_school):
    s = small_school()
    teacher = _log_in(make_app, s.maths_teacher)
    record = db.session.scalar(select(UserSession))
    other = _log_in(make_app, s.russian_teacher)
    assert other.post(f"/auth/sessions/{record.id}/end").status_code == 403
    assert teacher.get("/").status_code == 200


def test_ending_this_session_from_the_profile_logs_out(app, make_app, small_school):
    s = small_school()
    tablet = _log_in(make_app, s.maths_teacher)
    cookie = _captured(tablet)
    record = db.session.scalar(select(UserSession))
    response = tablet.post(f"/auth/sessions/{record.id}/end")
    assert "/auth/login" in response.location
    assert _refused(_replay(make_app, cookie))


def test_even_an_active_session_ends_after_its_lifetime(app, make_app, small_school):
    s = small_school()
    with time_machine.travel(utcnow(), tick=False) as clock:
        tablet = _log_in(make_app, s.maths_teacher, PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
        cookie = _captured(tablet)
        for _ in range(12 * 6 + 2):  # busy all day and on: a page every ten minutes
            clock.shift(timedelta(minutes=10))
            response = tablet.get("/")
            if response.status_code != 200:
                break
        assert _refused(response)
        assert _refused(_replay(make_app, cookie, PERMANENT_SESSION_LIFETIME=timedelta(hours=12)))
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.end_reason)) == "expired"
