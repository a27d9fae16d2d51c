"""The administrator on an office screen (1366×768) enters the bells of the 1st shift from the
administration's index, saves them, and sees them in the table of bells (ADM-1)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import BellSchedule
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

OFFICE = (1366, 768)
FIRST_SHIFT = [("08:30", "09:15"), ("09:25", "10:10"), ("10:30", "11:15"), ("11:35", "12:20")]


@pytest.fixture
def school(small_school):
    s = small_school()
    db.session.close()  # the live server writes (SQLite lock)
    return s


def test_the_administrator_enters_the_bells_of_the_first_shift(live_server, new_page, screenshot, school):
    from playwright.sync_api import expect

    page = new_page(*OFFICE)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Логин").fill("admin")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="Звонки").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Расписание звонков")
    # a new set: the 1st shift, all grades, the normal day (the form's defaults)
    page.get_by_role("button", name="Открыть для заполнения").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 смена · все классы · обычный день")
    for number, (starts, ends) in enumerate(FIRST_SHIFT[:3], start=1):
        page.get_by_label(f"Начало урока {number}", exact=True).fill(starts)
        page.get_by_label(f"Окончание урока {number}", exact=True).fill(ends)
    screenshot(page, "bells-edit-office")
    page.get_by_role("button", name="Сохранить звонки").click()
    expect(page.locator(".flash-success")).to_contain_text("Звонки сохранены")
    # a fourth lesson on the new blank line
    page.get_by_label("Начало урока 4", exact=True).fill(FIRST_SHIFT[3][0])
    page.get_by_label("Окончание урока 4", exact=True).fill(FIRST_SHIFT[3][1])
    page.get_by_role("button", name="Сохранить звонки").click()
    expect(page.locator(".flash-success")).to_contain_text("Звонки сохранены")

    page.get_by_role("link", name="К списку звонков").click()
    table = page.locator(".bell-set").first.locator("table")
    for number, (starts, ends) in enumerate(FIRST_SHIFT, start=1):
        expect(table.locator("tbody tr").nth(number - 1)).to_have_text(f"{number}{starts}{ends}")
    assert page.evaluate("document.documentElement.scrollWidth") <= OFFICE[0]
    screenshot(page, "bells-office")
    assert page.console_errors == []
    rows = db.session.execute(select(BellSchedule.lesson_number, BellSchedule.starts, BellSchedule.ends)
                              .order_by(BellSchedule.lesson_number)).all()
    assert [tuple(r) for r in rows] == [(n, a, b) for n, (a, b) in enumerate(FIRST_SHIFT, start=1)]
