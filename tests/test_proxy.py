"""Behind a reverse proxy (issue 8, item 7): only TRUSTED_PROXIES hops of X-Forwarded-For are
believed, so the rate limits and the logs see the client's address, and a client cannot forge
another address by sending the header itself."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import LoginEvent, UserSession
from tests.conftest import PASSWORD, isolated_client

PROXY = "10.0.0.2"


def _login(client, login, password, forwarded_for=None, remote=PROXY):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/auth/login", data={"login": login, "password": password}, headers=headers,
        environ_base={"REMOTE_ADDR": remote},
    )


def _logged_ips(login):
    db.session.expire_all()
    return db.session.scalars(select(LoginEvent.ip).where(LoginEvent.login == login).order_by(LoginEvent.id)).all()


def test_without_trusted_proxies_a_forwarded_header_is_ignored(app, make_app, small_school):
    s = small_school()
    client = isolated_client(make_app, TRUSTED_PROXIES=0)
    _login(client, s.deputy.login, "wrong", forwarded_for="203.0.113.9", remote="198.51.100.4")
    assert _logged_ips(s.deputy.login) == ["198.51.100.4"]


def test_with_one_proxy_the_last_hop_is_the_client_not_a_forged_earlier_one(app, make_app, small_school):
    s = small_school()
    client = isolated_client(make_app, TRUSTED_PROXIES=1)
    # The client forged "6.6.6.6"; the proxy appended the address it really saw.
    _login(client, s.deputy.login, "wrong", forwarded_for="6.6.6.6, 203.0.113.5")
    assert _login(client, s.deputy.login, PASSWORD, forwarded_for="203.0.113.5").status_code == 302
    assert _logged_ips(s.deputy.login) == ["203.0.113.5", "203.0.113.5"]
    assert db.session.scalar(select(UserSession.ip)) == "203.0.113.5"


def test_rate_limit_counts_each_client_behind_the_proxy(app, make_app, small_school):
    small_school()
    client = isolated_client(make_app, TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    first = [_login(client, "nobody", "x", forwarded_for="203.0.113.1").status_code for _ in range(3)]
    second = [_login(client, "nobody2", "x", forwarded_for="203.0.113.2").status_code for _ in range(2)]
    assert first == [401, 401, 429]
    assert second == [401, 401]  # another pupil's tablet behind the same proxy is not limited


def test_forged_header_does_not_evade_the_rate_limit_without_proxies(app, make_app, small_school):
    small_school()
    client = isolated_client(make_app, TRUSTED_PROXIES=0, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    codes = [
        _login(client, f"nobody{n}", "x", forwarded_for=f"203.0.113.{n}", remote="198.51.100.4").status_code
        for n in range(3)
    ]
    assert codes == [401, 401, 429]


def test_trusted_proxies_come_from_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    try:
        assert importlib.reload(config).Config.TRUSTED_PROXIES == 2
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        importlib.reload(config)
