"""The school settings page in the browser (issue 10, item 2): a threshold saved from the form,
a bad time refused next to its field, and a section's reset that asks first: dismissed, nothing
changes; accepted, the defaults return. On a desktop, a tablet and a phone."""
from __future__ import annotations

import pytest

from extensions import db
from models import School
from tests.e2e.test_journal_grid import _log_in

pytestmark = pytest.mark.e2e


def _stored(school_id: int) -> dict:
    db.session.expire_all()
    value = db.session.get(School, school_id).settings or {}
    db.session.close()
    return value


@pytest.mark.parametrize("width,height", [(1280, 900), (768, 1024), (390, 844)])
def test_settings_are_saved_refused_and_reset_with_a_confirmation(live_server, new_page, screenshot, small_school,
                                                                   width, height):
    from playwright.sync_api import expect

    s = small_school()
    school_id = s.school.id
    db.session.close()  # the live server writes: release the test's connection
    page = new_page(width, height)
    _log_in(page, live_server, "admin")
    page.goto(live_server + "/admin/settings")

    grading = page.locator("#section-grading")
    grading.get_by_label("Отметка «5» от среднего балла").fill("4,5")
    grading.get_by_role("button", name="Сохранить раздел").click()
    expect(page.get_by_text("Раздел «Округление отметок за период» сохранён")).to_be_visible()
    assert _stored(school_id) == {"rounding_thresholds": {"5": 4.5}}

    deadlines = page.locator("#section-deadlines")
    deadlines.get_by_label("Текущие отметки урока: до (ЧЧ:ММ) дня урока").fill("25:00")
    deadlines.get_by_role("button", name="Сохранить раздел").click()
    error = page.locator("#section-deadlines .field-error")
    expect(error).to_have_text("Время в виде ЧЧ:ММ, например 18:00.")
    expect(page.locator("#set-current_marks_by")).to_be_focused()
    expect(page.locator("#set-current_marks_by")).to_be_in_viewport()
    screenshot(page, f"admin-settings-refused-{width}x{height}")
    assert _stored(school_id) == {"rounding_thresholds": {"5": 4.5}}

    page.goto(live_server + "/admin/settings")
    reset = page.locator("#section-grading").get_by_role("button", name="Сбросить раздел к значениям по умолчанию")
    page.once("dialog", lambda dialog: dialog.dismiss())
    reset.click()
    assert _stored(school_id) == {"rounding_thresholds": {"5": 4.5}}
    page.once("dialog", lambda dialog: dialog.accept())
    reset.click()
    expect(page.get_by_text("восстановлены значения по умолчанию")).to_be_visible()
    assert _stored(school_id) == {}
    expect(page.locator("#history tbody tr")).to_have_count(2)
    screenshot(page, f"admin-settings-{width}x{height}")
    assert [e for e in page.console_errors if not e.startswith("400 ")] == []
