"""The deputy on an office screen finds the results of study from the header: «Сводные
ведомости», «Статистика» with its «Печать (PDF)», and «Проверка документа» from the home page's sections (issue 12, C2)."""
from __future__ import annotations

import pytest

from extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_the_header_leads_to_the_sheets_the_statistics_pdf_and_verify(live_server, new_page, screenshot, small_school):
    small_school()
    db.session.close()  # the live server reads (SQLite lock)
    page = new_page(1366, 768)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Логин").fill("deputy")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server}/")
    nav = page.get_by_role("navigation", name="Разделы")
    nav.get_by_role("link", name="Статистика").click()
    page.wait_for_url(f"{live_server}/reports/statistics")
    pdf_link = page.get_by_role("link", name="Печать (PDF)")
    assert "/reports/statistics.pdf?period=" in pdf_link.get_attribute("href")
    screenshot(page, "statistics-with-print-link")
    nav.get_by_role("link", name="Сводные ведомости").click()
    page.wait_for_url(f"{live_server}/reports/summary")
    nav.get_by_role("link", name="Главная").click()
    page.wait_for_url(f"{live_server}/")
    page.locator(".home-sections").get_by_role("link", name="Проверка документа").click()
    page.wait_for_url(f"{live_server}/verify")
    assert page.get_by_label("Код проверки с распечатки").is_visible()
    assert page.console_errors == []
