"""COM-1 on a phone (390 × 844): a parent writes to the class teacher, the teacher answers, and
the parent's open conversation shows the answer without a reload (htmx polling; the test
configuration polls every second)."""
from __future__ import annotations

import pytest

from extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = (390, 844)


def _log_in(page, base_url: str, login: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/")


def test_parent_sees_the_class_teachers_answer_without_reloading(live_server, new_page, screenshot, small_school):
    from playwright.sync_api import expect

    s = small_school()
    teacher_id = s.maths_teacher.id
    db.session.close()  # the live server writes (SQLite lock)

    parent = new_page(*PHONE)
    _log_in(parent, live_server, "parent_a")
    parent.get_by_role("link", name="Сообщения").first.click()
    parent.get_by_role("link", name="Написать").click()
    parent.get_by_label("Кому").select_option(f"user-{teacher_id}")
    parent.get_by_label("Тема").fill("Контрольная")
    parent.get_by_label("Сообщение").fill("Когда будет контрольная? <b>спасибо</b>")
    parent.get_by_role("button", name="Отправить").click()
    expect(parent.locator("#feed")).to_contain_text("Когда будет контрольная? <b>спасибо</b>")
    conversation_url = parent.url
    parent.evaluate("window.notReloaded = true")
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    screenshot(parent, "messages-parent-phone")

    teacher = new_page(*PHONE)
    _log_in(teacher, live_server, "maths")
    expect(teacher.locator(".messages-link .badge")).to_have_text("1")
    teacher.get_by_role("link", name="Сообщения").first.click()
    teacher.get_by_role("link", name="Контрольная").click()
    teacher.get_by_label("Ответ").fill("В пятницу, подробности: https://school.example/plan")
    teacher.get_by_role("button", name="Отправить").click()
    expect(teacher.locator("#feed")).to_contain_text("В пятницу")
    expect(teacher.get_by_label("Ответ")).to_have_value("")  # a fresh form came with the feed

    # The parent's page, untouched, shows the answer and its safe link.
    expect(parent.locator("#feed")).to_contain_text("В пятницу", timeout=8_000)
    link = parent.locator("#feed a[href='https://school.example/plan']")
    expect(link).to_have_attribute("rel", "noopener nofollow")
    assert parent.evaluate("window.notReloaded") is True and parent.url == conversation_url
    screenshot(parent, "messages-parent-answer-phone")
    assert parent.console_errors == [] and teacher.console_errors == []
