"""A teacher on a classroom tablet and a parent on a phone log in, see the dashboard and hand
the device over with «Сменить пользователя» (ADM-7: shared tablets, quick switch of user)."""
from __future__ import annotations

import pytest

from extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

TABLET = (1024, 768)
PHONE = (390, 844)


@pytest.fixture
def school(small_school):
    small_school()
    # Release the test's connection: the live server writes the login events (SQLite lock).
    db.session.close()


def _log_in(page, base_url: str, login: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/auth/login")
    expect(page.get_by_role("heading", name="Вход в электронный журнал")).to_be_visible()
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/")


@pytest.mark.parametrize(
    ("device", "size", "login", "section"),
    [
        ("tablet", TABLET, "maths", "Журнал"),  # the maths teacher, class teacher of 5А
        ("phone", PHONE, "parent_a", "Дневник"),  # a parent of two children
    ],
    ids=["tablet", "phone"],
)
def test_login_opens_the_dashboard_with_the_sections(live_server, new_page, screenshot, school,
                                                     device, size, login, section):
    from playwright.sync_api import expect

    page = new_page(*size)
    page.goto(f"{live_server}/auth/login")
    screenshot(page, f"login-{device}")
    _log_in(page, live_server, login)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Здравствуйте")
    nav = page.get_by_role("navigation", name="Разделы")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name=section)).to_be_visible()
    expect(page.get_by_role("button", name="Сменить пользователя")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone or a tablet.
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    screenshot(page, f"dashboard-{device}")
    # The strict CSP must not block any script or style the page needs.
    assert page.console_errors == []


def test_switch_user_returns_to_the_login_page_and_ends_the_session(live_server, new_page, screenshot, school):
    from playwright.sync_api import expect

    page = new_page(*TABLET)
    _log_in(page, live_server, "maths")
    page.get_by_role("button", name="Сменить пользователя").click()
    page.wait_for_url(f"{live_server}/auth/login")
    expect(page.get_by_role("heading", name="Вход в электронный журнал")).to_be_visible()
    screenshot(page, "after-switch-user-tablet")
    page.goto(f"{live_server}/")
    assert "/auth/login" in page.url  # the previous user's session is gone
    assert page.console_errors == []
