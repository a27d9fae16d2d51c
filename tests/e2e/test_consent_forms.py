"""Issue 9 item 1 in the browser: an empty «Записать» on the consent sheet changes nothing and
the valid sheet stays current, on a tablet both ways and on a phone."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models.personal_data import ConsentRecord
from tests.e2e.test_journal_grid import _log_in
from tests.weekly_fixtures import give_consent

pytestmark = pytest.mark.e2e


@pytest.fixture
def valid_consent(small_school):
    s = small_school()
    s.pupil = s.pupils_5a[0]  # Петров Пётр, mother parent_a, class teacher maths_teacher
    give_consent(s, s.pupil, s.parent_a, ["4.3", "6.1", "6.9"])
    s.url = f"/personal-data/students/{s.pupil.id}/consent"
    db.session.close()  # the live server writes: release the test's connection
    return s


@pytest.mark.parametrize("width,height", [(1024, 768), (768, 1024), (390, 844)])
def test_an_empty_consent_submit_changes_nothing(live_server, new_page, screenshot, valid_consent, width, height):
    from playwright.sync_api import expect

    page = new_page(width, height, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(live_server + valid_consent.url)
    page.get_by_role("button", name="Записать", exact=True).click()
    refusal = page.get_by_text("пустой лист не записывается")
    expect(refusal).to_be_visible()
    expect(refusal).to_be_in_viewport()
    history = page.locator("table.table tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("действует")
    expect(history.first).to_contain_text("3 /")
    screenshot(page, f"consent-empty-submit-{width}x{height}")
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 1
    # The refused POST answers 400 by design; nothing else may fail.
    assert [e for e in page.console_errors if not e.startswith("400 ") or "/consent" not in e] == []
