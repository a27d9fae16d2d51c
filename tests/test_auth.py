"""Accounts: personal credentials, hashing, switch user, change of password, report of a
compromise (ADM-7). Sessions: test_auth_sessions.py; throttling: test_auth_throttling.py."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import AdminAlert, LoginEvent, User
from tests.conftest import PASSWORD, isolated_client


def test_login_page_speaks_russian(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "Вход в электронный журнал" in response.get_data(as_text=True)


def test_password_is_stored_as_scrypt_hash_not_plain_text(app, small_school):
    s = small_school()
    s.admin.set_password("Секрет-12345")
    db.session.commit()
    assert s.admin.password_hash.startswith("scrypt:")
    assert "Секрет-12345" not in s.admin.password_hash
    assert s.admin.check_password("Секрет-12345")
    assert not s.admin.check_password("секрет-12345")


def test_good_login_opens_dashboard_and_is_logged(client, auth, small_school):
    s = small_school()
    response = auth.login(s.deputy)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    events = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == s.deputy.id)).all()
    assert [e.event for e in events] == ["success"]


def test_wrong_password_is_refused_with_russian_message_and_logged(client, auth, small_school):
    s = small_school()
    response = auth.login(s.deputy, "wrong")
    assert response.status_code == 401
    assert "Неверный логин или пароль" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert db.session.scalar(select(LoginEvent.event).where(LoginEvent.login == "deputy")) == "failure"


def test_login_is_throttled_per_address(app, make_app, small_school):
    small_school()
    client = isolated_client(make_app, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    codes = [client.post("/auth/login", data={"login": "nobody", "password": "x"}).status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_throttled_response_is_russian(app, make_app):
    client = isolated_client(make_app, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    client.post("/auth/login", data={"login": "a", "password": "b"})
    response = client.post("/auth/login", data={"login": "a", "password": "b"})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)


def test_open_redirect_through_next_is_refused(client, auth, small_school):
    s = small_school()
    response = client.post(
        "/auth/login?next=https://evil.example/x", data={"login": s.deputy.login, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/"
    client.post("/auth/switch")
    response = client.post("/auth/login?next=/profile", data={"login": s.deputy.login, "password": PASSWORD})
    assert response.location == "/profile"


def test_switch_user_is_one_post_and_ends_the_session(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    response = client.post("/auth/switch")
    assert response.status_code == 302 and response.location.endswith("/auth/login")
    assert client.get("/").status_code == 302


def test_change_password_requires_current_password(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    data = {"current_password": "wrong", "new_password": "NovyiParol-1", "confirm": "NovyiParol-1"}
    response = client.post("/auth/password", data=data)
    assert response.status_code == 400
    assert "Текущий пароль введён неверно" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, s.deputy.id).check_password(PASSWORD)


def test_change_password_works_and_old_password_no_longer_does(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    data = {"current_password": PASSWORD, "new_password": "NovyiParol-1", "confirm": "NovyiParol-1"}
    assert client.post("/auth/password", data=data).status_code == 302
    assert client.get("/").status_code == 200  # the session that changed it stays
    client.post("/auth/switch")
    assert auth.login(s.deputy, PASSWORD).status_code == 401
    assert auth.login(s.deputy, "NovyiParol-1").status_code == 302


def test_short_password_is_refused(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    data = {"current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    response = client.post("/auth/password", data=data)
    assert response.status_code == 400
    assert "не короче 8" in response.get_data(as_text=True)


def test_must_change_password_redirects_every_page(client, auth, small_school):
    s = small_school()
    s.deputy.must_change_password = True
    db.session.commit()
    auth.login(s.deputy)
    response = client.get("/journal/")
    assert response.status_code == 302 and response.location.endswith("/auth/password")


def test_reporting_a_compromise_blocks_the_account_and_alerts_the_administrator(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    response = client.post("/auth/compromised", data={"details": "пароль видели ученики"})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # logged out
    db.session.expire_all()
    user = db.session.get(User, s.maths_teacher.id)
    assert user.is_blocked
    alert = db.session.scalar(select(AdminAlert).where(AdminAlert.user_id == user.id))
    assert alert is not None and "пароль видели ученики" in alert.message
    response = auth.login(s.maths_teacher)  # the right password: now it may say why
    assert response.status_code == 401
    assert "заблокирована" in response.get_data(as_text=True)
    auth.login(s.admin)
    assert "сообщил о компрометации" in client.get("/").get_data(as_text=True)


def test_other_sessions_end_when_account_is_blocked(app, make_app, small_school):
    s = small_school()
    tablet, phone = isolated_client(make_app), isolated_client(make_app)
    for c in (tablet, phone):
        c.post("/auth/login", data={"login": s.maths_teacher.login, "password": PASSWORD})
    assert phone.get("/").status_code == 200
    tablet.post("/auth/compromised", data={"details": ""})
    assert phone.get("/").status_code == 302


def test_csrf_token_is_required_for_forms(app, make_app, small_school):
    s = small_school()
    client = isolated_client(make_app, WTF_CSRF_ENABLED=True)
    response = client.post("/auth/login", data={"login": s.deputy.login, "password": PASSWORD})
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)
    assert db.session.scalar(select(LoginEvent).where(LoginEvent.login == "deputy")) is None


def test_csrf_token_in_header_is_accepted(app, make_app, small_school):
    s = small_school()
    client = isolated_client(make_app, WTF_CSRF_ENABLED=True)
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/auth/login", data={"login": s.deputy.login, "password": PASSWORD}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 302


def test_security_headers_and_strict_csp(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(client, auth, small_school):
    s = small_school()
    response = auth.login(s.deputy)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_healthz_reports_database(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_without_database(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "missing" / "no.db"))
    assert app.test_client().get("/healthz").status_code == 503


def test_account_without_issued_password_cannot_log_in(client, auth, small_school):
    s = small_school()
    s.deputy.set_unusable_password()
    db.session.commit()
    assert not s.deputy.check_password("")
    assert auth.login(s.deputy, "").status_code in (400, 401)
    assert auth.login(s.deputy, s.deputy.password_hash).status_code == 401


def test_production_passwords_use_full_cost_scrypt(make_app):
    from config import Config

    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    app = make_app(PASSWORD_HASH_METHOD=Config.PASSWORD_HASH_METHOD)
    with app.app_context():
        from models import User

        user = User(login="x", last_name="x", first_name="x")
        user.set_password("Пароль-надёжный-1")
        assert user.password_hash.startswith("scrypt:32768:8:1$")


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("12345678", "слишком распространён"),
        ("password", "слишком распространён"),
        ("aaaaaaaa", "слишком распространён"),
        ("deputy1!", "не должен содержать ваш логин"),
        ("Завучева-2026", "не должен содержать ваши фамилию, имя или отчество"),
    ],
)
def test_weak_new_password_is_refused_in_russian(client, auth, small_school, new_password, message):
    s = small_school()
    auth.login(s.deputy)
    data = {"current_password": PASSWORD, "new_password": new_password, "confirm": new_password}
    response = client.post("/auth/password", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, s.deputy.id).check_password(PASSWORD)
