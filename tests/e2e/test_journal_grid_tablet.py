"""The journal grid where the teacher looks (issue 9, items 2, 3 and 8), on a tablet in both
orientations and on a phone: the date row below the sticky top bar, today's column in view, the
reason of a refused value at its cell, and the palette's «История» for the right student."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import Student, WorkKind
from tests.e2e.test_journal_grid import _column_inputs, _log_in, _wait_for_saves, classroom  # noqa: F401

pytestmark = pytest.mark.e2e

SIZES = [(1024, 768), (768, 1024), (390, 844)]
SIZE_IDS = ["landscape", "portrait", "phone"]


@pytest.fixture
def long_quarter(classroom):  # noqa: F811
    """Thirty lessons before today's: the grid is much wider than the screen."""
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    assignment = db.session.merge(classroom.maths_5a)
    teacher = db.session.merge(classroom.maths_teacher)
    from models import Lesson

    today_lesson = db.session.get(Lesson, classroom.lesson_id)
    made, back = 0, 2
    while made < 30:
        day = today_lesson.date - timedelta(days=back)
        back += 1
        if day.isoweekday() == 7:
            continue
        for number in (3, 4):
            operations.create_lesson(assignment, teacher, day, number, "", [oral])
            made += 1
    db.session.commit()
    db.session.close()
    return classroom


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def _assert_column_in_view(page, lesson_id):
    """The column's date cell is below the top bar and inside the grid's visible part."""
    topbar = _box(page, ".topbar")
    header = _box(page, f"#lesson-{lesson_id}")
    wrap = _box(page, "#grid-wrap")
    names = _box(page, "#grid-wrap thead .name-col")
    viewport = page.viewport_size
    assert header["y"] >= topbar["y"] + topbar["height"] - 1, (header, topbar)
    assert header["y"] + header["height"] <= viewport["height"]
    assert header["x"] >= names["x"] + names["width"] - 1, (header, names)
    assert header["x"] + header["width"] <= min(wrap["x"] + wrap["width"], viewport["width"]) + 1, (header, wrap)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_back_to_the_journal_shows_the_date_row_and_todays_column(live_server, new_page, screenshot, long_quarter, size):
    from playwright.sync_api import expect

    page = new_page(*size, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/lessons/{long_quarter.lesson_id}")
    page.get_by_role("link", name="К журналу").click()
    page.wait_for_load_state("load")
    expect(page.locator("#grid-wrap")).to_be_visible()
    page.wait_for_timeout(200)
    screenshot(page, f"grid-anchor-{size[0]}x{size[1]}")
    _assert_column_in_view(page, long_quarter.lesson_id)
    today_button = _box(page, "#grid-today")  # the way to today is in view too
    assert today_button["y"] >= _box(page, ".topbar")["height"] - 1

    # Opened without an anchor, the grid is scrolled sideways to today's column.
    page.goto(f"{live_server}/journal/assignments/{long_quarter.assignment_id}")
    page.wait_for_load_state("load")
    assert page.locator("#grid-wrap").evaluate("el => el.scrollLeft") > 0
    page.locator("#grid-wrap").evaluate("el => { el.scrollLeft = 0; }")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.get_by_role("button", name="Сегодня").click()
    _assert_column_in_view(page, long_quarter.lesson_id)

    # «Все присутствуют» from the column menu comes back to the same view.
    page.locator(f"#lesson-{long_quarter.lesson_id} .colmenu summary").click()
    menu = _box(page, f"#lesson-{long_quarter.lesson_id} .colmenu summary")
    assert menu["width"] >= 44 and menu["height"] >= 44
    page.locator(f"#lesson-{long_quarter.lesson_id} .colmenu-body").get_by_role("button", name="Все присутствуют").click()
    page.wait_for_load_state("load")
    expect(page.locator(".flash-success").first).to_be_visible()
    page.wait_for_timeout(200)
    _assert_column_in_view(page, long_quarter.lesson_id)
    assert page.console_errors == []


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_a_refused_value_says_why_at_its_cell_and_stays_until_cancelled(live_server, new_page, screenshot, classroom, size):  # noqa: F811
    from playwright.sync_api import expect

    page = new_page(*size, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/assignments/{classroom.assignment_id}")
    cells = _column_inputs(page, classroom.lesson_id)
    cells.nth(3).click()
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    bubble = page.locator("#cell-bubble")
    expect(bubble).to_be_visible()
    expect(bubble).not_to_be_empty()
    _wait_for_saves(page)
    screenshot(page, f"grid-refused-{size[0]}x{size[1]}")
    assert cells.nth(3).input_value() == "7"  # the typed text stays
    cell = cells.nth(3).bounding_box()
    box = bubble.bounding_box()
    viewport = page.viewport_size
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]
    # Next to the cell: touching it or within a few pixels, on any side.
    gap_x = max(box["x"] - (cell["x"] + cell["width"]), cell["x"] - (box["x"] + box["width"]), 0)
    gap_y = max(box["y"] - (cell["y"] + cell["height"]), cell["y"] - (box["y"] + box["height"]), 0)
    assert gap_x <= 12 and gap_y <= 12, (box, cell)
    # Esc restores the stored (empty) value and the message goes.
    cells.nth(3).click()
    page.keyboard.press("Escape")
    assert cells.nth(3).input_value() == ""
    expect(bubble).to_be_hidden()
    assert [e for e in page.console_errors if "400" not in e] == []


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_palette_history_is_of_the_cell_just_marked_and_two_marks_need_no_tap_back(
    live_server, new_page, screenshot, classroom, size  # noqa: F811
):
    from playwright.sync_api import expect

    page = new_page(*size, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/assignments/{classroom.assignment_id}")
    cells = _column_inputs(page, classroom.lesson_id)
    cells.nth(1).tap()
    palette = page.locator("#palette")
    expect(palette).to_be_visible()
    palette.locator("button[data-value='5']").tap()
    _wait_for_saves(page)
    screenshot(page, f"grid-palette-{size[0]}x{size[1]}")
    # The palette does not cover the cell the cursor moved to.
    focused = cells.nth(2).bounding_box()
    pal = palette.bounding_box()
    overlap_y = min(pal["y"] + pal["height"], focused["y"] + focused["height"]) - max(pal["y"], focused["y"])
    overlap_x = min(pal["x"] + pal["width"], focused["x"] + focused["width"]) - max(pal["x"], focused["x"])
    assert overlap_x <= 0 or overlap_y <= 0, (pal, focused)
    palette.locator("button[data-action='history']").tap()
    dialog = page.locator("#history-dialog")
    expect(dialog).to_be_visible()
    student_id = int(page.locator(f"td[id^='c-{classroom.lesson_id}-']").nth(1).get_attribute("id").split("-")[2])
    full_name = db.session.get(Student, student_id).full_name
    db.session.close()
    expect(dialog.locator("#history-body")).to_contain_text(full_name)
    dialog.get_by_role("button", name="Закрыть").click()

    # Two marks per student (a lesson with a test and an oral answer): «+ ещё отметка» stays on,
    # two taps per student, the cursor moves down after the second.
    palette.locator("button[data-action='add']").tap()
    for value in ["4", "5", "3", "4"]:
        palette.locator(f"button[data-value='{value}']").tap()
    _wait_for_saves(page)
    page.reload()
    cells = _column_inputs(page, classroom.lesson_id)
    assert [cells.nth(i).input_value() for i in range(1, 5)] == ["5", "4/5", "3/4", ""]
    assert page.console_errors == []
