"""A change after its deadline asks why (JRN-6, JRN-8): the server answers 428, the grid opens
«Укажите причину изменения после срока», sends the same value again with the reason, and the
reason is in the cell's history; cancelling leaves the cell as it was stored."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import JournalChange, Mark, WorkKind
from tests.e2e.test_journal_grid import _column_inputs, _log_in, _wait_for_saves
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e


@pytest.fixture
def last_week_lesson(small_school):
    """A lesson of last week: its marks are days past their deadline."""
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    day = school_today(s.school.timezone) - timedelta(days=7)
    if day.isoweekday() == 7:
        day -= timedelta(days=1)
    lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day, 2, "Дроби", [oral])
    db.session.commit()
    ids = {"lesson": lesson.id, "assignment": s.maths_5a.id}
    db.session.close()
    return ids


def test_a_late_mark_asks_for_the_reason_and_keeps_it(live_server, new_page, screenshot, last_week_lesson):
    from playwright.sync_api import expect

    page = new_page(1024, 768)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/assignments/{last_week_lesson['assignment']}")
    cells = _column_inputs(page, last_week_lesson["lesson"])
    dialog = page.locator("#reason-dialog")

    # Cancelled: nothing is stored, the cell shows what is stored (empty).
    cells.nth(0).click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Укажите причину изменения после срока")
    dialog.get_by_role("button", name="Отменить изменение").click()
    expect(dialog).to_be_hidden()
    expect(cells.nth(0)).to_have_value("")
    assert db.session.scalar(select(Mark).where(Mark.lesson_id == last_week_lesson["lesson"])) is None
    db.session.close()

    # With a reason: the same value is sent again and stored, the reason in the history.
    cells.nth(0).click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.locator("#reason-text").fill("Ответ у доски, не внесён из-за сбоя сети")
    screenshot(page, "grid-reason-dialog")
    dialog.get_by_role("button", name="Сохранить с причиной").click()
    expect(dialog).to_be_hidden()
    _wait_for_saves(page)
    expect(_column_inputs(page, last_week_lesson["lesson"]).nth(0)).to_have_value("5")
    mark = db.session.scalar(select(Mark).where(Mark.lesson_id == last_week_lesson["lesson"]))
    assert mark.value == "5" and mark.entered_late
    change = db.session.scalar(select(JournalChange).where(JournalChange.entity == "mark"))
    assert change.reason == "Ответ у доски, не внесён из-за сбоя сети"
    db.session.close()
    # Only the two 428 answers that asked for the reason; no script error.
    assert all(e.startswith("428 ") for e in page.console_errors), page.console_errors
    page.reload()
    assert _column_inputs(page, last_week_lesson["lesson"]).nth(0).input_value() == "5"
