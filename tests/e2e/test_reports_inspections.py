"""Inspections of journal keeping in the browser (REP-3): the deputy records an inspection with
two remarks on the form; the teacher opens the journal, sees both above the grid and marks one
corrected; the deputy sees it waiting for confirmation and confirms it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import InspectionRemark
from tests.e2e.test_journal_grid import _log_in

pytestmark = pytest.mark.e2e


def test_teacher_marks_a_remark_corrected_and_the_deputy_confirms(live_server, new_page, screenshot, small_school):
    from playwright.sync_api import expect

    s = small_school()
    assignment_id = s.maths_5a.id
    db.session.close()

    deputy = new_page(1280, 900)
    _log_in(deputy, live_server, "deputy")
    deputy.goto(f"{live_server}/reports/inspections/new?assignment_id={assignment_id}")
    deputy.get_by_label("Что проверялось").fill("Темы уроков и домашние задания за ноябрь")
    deputy.get_by_label("Срок устранения замечаний").fill("2099-12-01")
    deputy.get_by_label("Пункт 1").fill("Темы уроков")
    deputy.get_by_label("Замечание 1").fill("Не записана тема урока 20.11")
    deputy.get_by_label("Пункт 2").fill("Домашние задания")
    deputy.get_by_label("Замечание 2").fill("Нет домашнего задания к уроку 17.11")
    screenshot(deputy, "inspection-form")
    deputy.get_by_role("button", name="Записать проверку").click()
    expect(deputy.locator(".flash-success")).to_contain_text("Проверка журнала записана")
    screenshot(deputy, "inspection-recorded")

    teacher = new_page(1024, 768)
    _log_in(teacher, live_server, "maths")
    teacher.goto(f"{live_server}/journal/assignments/{assignment_id}")
    panel = teacher.locator("#inspection-remarks")
    expect(panel).to_contain_text("Не записана тема урока 20.11")
    expect(panel).to_contain_text("Нет домашнего задания к уроку 17.11")
    screenshot(teacher, "grid-with-remarks")
    panel.locator("li.remark").first.get_by_role("button", name="Исправлено").click()
    expect(teacher.locator(".flash-success")).to_contain_text("Замечание отмечено исправленным")
    expect(teacher.locator("#inspection-remarks li.remark").first).to_contain_text("исправлено, ждёт подтверждения")
    screenshot(teacher, "grid-remark-corrected")

    deputy.reload()
    deputy.get_by_role("button", name="Подтвердить").click()
    expect(deputy.locator(".flash-success")).to_contain_text("Исправление подтверждено")
    statuses = [r.status for r in db.session.scalars(select(InspectionRemark).order_by(InspectionRemark.position))]
    db.session.close()
    assert statuses == ["confirmed", "open"]
    assert not deputy.console_errors and not teacher.console_errors, deputy.console_errors + teacher.console_errors
