"""Logins that do not leak and cannot be locked by anyone (issue 8, item 4; ASVS 2.2.1, 2.2.2):
a missing login, a wrong password and a blocked account answer alike and check one hash of the
same cost; guessing is slowed down per login and address with growing delays, and capped per
account, without keeping the owner out; the owner and the administrators are told."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

import models.people
from blueprints.auth import operations
from extensions import db
from models import AdminAlert, LoginEvent
from models.base import utcnow
from tests.conftest import PASSWORD, isolated_client

GENERIC = "Неверный логин или пароль."


def _try(client, login: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/auth/login", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": ip})


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash checked during a login: the method and cost part of the hash."""
    checked: list[str] = []

    def wrap(original):
        def check(pwhash, password):
            checked.append(pwhash.split("$")[0])
            return original(pwhash, password)

        return check

    monkeypatch.setattr(operations, "check_password_hash", wrap(operations.check_password_hash))
    monkeypatch.setattr(models.people, "check_password_hash", wrap(models.people.check_password_hash))
    return checked


def test_missing_login_checks_one_hash_of_the_same_method_and_cost(client, small_school, hash_checks):
    s = small_school()
    _try(client, s.deputy.login, "wrong-password")
    existing = list(hash_checks)
    hash_checks.clear()
    _try(client, "no.such.login", "wrong-password")
    assert existing == hash_checks == [s.deputy.password_hash.split("$")[0]]


def test_account_without_issued_password_takes_as_long_as_the_others(client, small_school, hash_checks):
    s = small_school()
    s.deputy.set_unusable_password()
    db.session.commit()
    assert _try(client, s.deputy.login, "anything").status_code == 401
    assert len(hash_checks) == 1 and hash_checks[0].startswith("scrypt:")


def test_missing_login_wrong_password_and_blocked_account_answer_alike(client, small_school):
    s = small_school()
    s.methodist.is_blocked = True
    s.director.is_active_account = False
    db.session.commit()
    answers = []
    for login in ("no.such.login", s.deputy.login, s.methodist.login, s.director.login):
        response = _try(client, login, "wrong-password")
        page = response.get_data(as_text=True)
        answers.append((response.status_code, GENERIC in page, "заблокирован" in page, "отключен" in page))
    assert answers == [(401, True, False, False)] * 4


def test_blocked_account_is_told_only_after_the_right_password(client, small_school):
    s = small_school()
    s.methodist.is_blocked = True
    db.session.commit()
    response = _try(client, s.methodist.login, PASSWORD)
    assert response.status_code == 401
    assert "Учётная запись заблокирована" in response.get_data(as_text=True)


def test_anonymous_failures_do_not_lock_the_account_for_its_owner_elsewhere(client, small_school):
    """The old lock: five anonymous failures kept the teacher out for 15 minutes."""
    s = small_school()
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(12):
            _try(client, s.maths_teacher.login, "guess", ip="198.51.100.7")
            clock.shift(timedelta(seconds=1))
        assert _try(client, s.maths_teacher.login, PASSWORD, ip="10.1.2.3").status_code == 302


def test_delays_grow_for_the_same_login_and_address(client, small_school, hash_checks):
    s = small_school()
    waits = []
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(3):  # typos are free
            assert _try(client, s.deputy.login, "typo").status_code == 401
        for _ in range(4):
            response = _try(client, s.deputy.login, "guess")
            assert response.status_code == 429
            page = response.get_data(as_text=True)
            wait = int(page.split("повторите через ")[1].split(" с")[0])
            waits.append(wait)
            clock.shift(timedelta(seconds=wait))
            assert _try(client, s.deputy.login, "guess").status_code == 401
        checks_before = len(hash_checks)
        # While a delay runs even the right password is refused without checking it.
        response = _try(client, s.deputy.login, PASSWORD)
        assert response.status_code == 429 and "Слишком много попыток, повторите через" in response.get_data(as_text=True)
        assert len(hash_checks) == checks_before
    assert waits == [1, 2, 4, 8]


def test_missing_login_is_throttled_like_an_existing_one(client, small_school):
    small_school()
    with time_machine.travel(utcnow(), tick=False):
        codes = [_try(client, "no.such.login", "guess").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_delay_is_per_address(client, small_school):
    s = small_school()
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(5):
            _try(client, s.deputy.login, "guess", ip="198.51.100.7")
        assert _try(client, s.deputy.login, "guess", ip="198.51.100.7").status_code == 429
        assert _try(client, s.deputy.login, PASSWORD, ip="10.1.2.3").status_code == 302


def test_success_clears_the_delay_of_its_address(client, small_school):
    s = small_school()
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(3):
            _try(client, s.deputy.login, "typo")
        clock.shift(timedelta(seconds=2))
        assert _try(client, s.deputy.login, PASSWORD).status_code == 302
        client.post("/auth/switch")
        assert _try(client, s.deputy.login, "typo").status_code == 401  # counting starts again


def test_account_ceiling_spares_the_browser_where_the_owner_logged_in_before(app, make_app, small_school):
    s = small_school()
    settings = {"LOGIN_ACCOUNT_FAILURES_PER_HOUR": 6, "LOGIN_ALERT_FAILURES": 100}
    owner = isolated_client(make_app, **settings)
    stranger = isolated_client(make_app, **settings)
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert _try(owner, s.maths_teacher.login, PASSWORD, ip="10.1.2.3").status_code == 302
        owner.post("/auth/switch")
        for n in range(6):  # a botnet: one guess from each address
            assert _try(stranger, s.maths_teacher.login, "guess", ip=f"203.0.113.{n}").status_code == 401
        clock.shift(timedelta(minutes=1))
        # Beyond the ceiling a new browser is refused even with the right password…
        response = _try(stranger, s.maths_teacher.login, PASSWORD, ip="203.0.113.200")
        assert response.status_code == 429
        # …but the owner's own tablet is still let in.
        assert _try(owner, s.maths_teacher.login, PASSWORD, ip="10.1.2.3").status_code == 302
        clock.shift(timedelta(hours=1))
        assert _try(stranger, s.maths_teacher.login, "guess", ip="203.0.113.200").status_code == 401


def test_forged_device_cookie_is_ignored(app, make_app, small_school):
    s = small_school()
    stranger = isolated_client(make_app, LOGIN_ACCOUNT_FAILURES_PER_HOUR=2)
    with time_machine.travel(utcnow(), tick=False):
        for n in range(2):
            _try(stranger, s.maths_teacher.login, "guess", ip=f"203.0.113.{n}")
        stranger.set_cookie("known_device", "forged.value", path="/auth/")
        assert _try(stranger, s.maths_teacher.login, PASSWORD, ip="203.0.113.9").status_code == 429


def test_guessing_alerts_the_administrators_once_and_the_owner_at_the_next_login(app, make_app, small_school):
    s = small_school()
    client = isolated_client(make_app, LOGIN_ALERT_FAILURES=3)
    with time_machine.travel(utcnow(), tick=False) as clock:
        for n in range(5):
            _try(client, s.maths_teacher.login, "guess", ip=f"203.0.113.{n}")
            _try(client, "no.such.login", "guess", ip=f"203.0.113.{n}")
        alerts = db.session.scalars(select(AdminAlert).where(AdminAlert.kind == "guessing")).all()
        assert len(alerts) == 1 and alerts[0].user_id == s.maths_teacher.id
        assert s.maths_teacher.login in alerts[0].message
        clock.shift(timedelta(seconds=5))
        response = _try(client, s.maths_teacher.login, PASSWORD, ip="10.1.2.3")
        assert response.status_code == 302
        page = client.get("/").get_data(as_text=True)
    assert "неудачных попыток войти под вашим логином: 5" in page
    admin = isolated_client(make_app)
    _try(admin, s.admin.login, PASSWORD, ip="10.9.9.9")
    assert "Подбор пароля" in admin.get("/admin/people/alerts").get_data(as_text=True)


def test_failures_are_recorded_with_the_account_for_the_owners_profile(client, small_school):
    s = small_school()
    _try(client, s.deputy.login, "guess", ip="203.0.113.5")
    event = db.session.scalar(select(LoginEvent).where(LoginEvent.user_id == s.deputy.id))
    assert (event.event, event.ip) == ("failure", "203.0.113.5")


def test_pupils_behind_the_schools_address_do_not_keep_the_teacher_out_of_her_tablet(app, make_app, small_school):
    s = small_school()
    school_nat = "192.0.2.10"
    tablet = isolated_client(make_app)
    pupil = isolated_client(make_app)
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert _try(tablet, s.maths_teacher.login, PASSWORD, ip=school_nat).status_code == 302
        tablet.post("/auth/switch")
        for _ in range(8):
            _try(pupil, s.maths_teacher.login, "guess", ip=school_nat)
            clock.shift(timedelta(seconds=1))
        assert _try(pupil, s.maths_teacher.login, PASSWORD, ip=school_nat).status_code == 429
        assert _try(tablet, s.maths_teacher.login, PASSWORD, ip=school_nat).status_code == 302


def test_a_known_browser_is_still_slowed_down_by_its_own_failures(app, make_app, small_school):
    s = small_school()
    tablet = isolated_client(make_app)
    with time_machine.travel(utcnow(), tick=False):
        assert _try(tablet, s.maths_teacher.login, PASSWORD).status_code == 302
        tablet.post("/auth/switch")
        codes = [_try(tablet, s.maths_teacher.login, "guess").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
