"""The administrator opens the next academic year from the current one in a real browser, with
CSRF protection on as in production: the preview, the confirmation, the new year's page
(ADM-1, issue 10 item 5)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import AcademicYear, ClassGroup
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def school(small_school):
    s = small_school(fixed_calendar=True)
    ids = {"year": s.year.id, "admin": s.admin.login}
    db.session.commit()
    # Release the test's connection: the live server writes (SQLite lock).
    db.session.close()
    return ids


def test_administrator_previews_and_opens_the_next_year(live_server, new_page, screenshot, school):
    from playwright.sync_api import expect

    page = new_page(1280, 900)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Логин").fill(school["admin"])
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/admin/years/{school['year']}")
    page.get_by_role("link", name="Открыть новый учебный год на основе текущего").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Открыть новый учебный год на основе текущего")
    expect(page.locator("#new-classes")).to_contain_text("6А")
    screenshot(page, "admin-new-year-preview")
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation of the form
    page.get_by_label("Подтверждаю: будет открыт год 2027/2028").check()
    page.get_by_role("button", name="Открыть учебный год 2027/2028").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Учебный год 2027/2028")
    expect(page.locator(".flash-success")).to_contain_text("открыт на основе")
    screenshot(page, "admin-new-year-opened")
    assert page.console_errors == []

    new = db.session.scalar(select(AcademicYear).where(AcademicYear.name == "2027/2028"))
    names = set(db.session.scalars(select(ClassGroup.name).where(ClassGroup.year_id == new.id)))
    assert names == {"2А", "6А", "6Б"}
    db.session.close()
