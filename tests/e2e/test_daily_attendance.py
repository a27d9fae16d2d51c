"""The class teacher marks a child ill for the whole day on a tablet and a phone (issue 9 item 4):
the day's lessons come from the timetable before any is opened, and the mark is kept for them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import PlannedAbsence, ScheduleSlot
from tests.e2e.test_journal_grid import _log_in
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e


@pytest.fixture
def morning(small_school):
    s = small_school()
    today = school_today(s.school.timezone)
    for assignment, number in ((s.maths_5a, 2), (s.russian_5a, 3), (s.english_5a_g1, 4)):
        db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=assignment.id, weekday=today.isoweekday(),
                                    lesson_number=number, valid_from=s.year.start_date))
    db.session.commit()
    s.url = f"/journal/classes/{s.class_5a.id}/attendance?date={today.isoformat()}"
    s.pupil_id, s.pupil_name, s.today = s.pupils_5a[1].id, s.pupils_5a[1].short_name, today
    db.session.close()  # the live server writes: release the test's connection
    return s


@pytest.mark.parametrize("width, height", [(1024, 768), (768, 1024), (390, 844)])
def test_class_teacher_marks_a_whole_day_ill_before_any_lesson_is_opened(live_server, new_page, screenshot, morning,
                                                                         width, height):
    from playwright.sync_api import expect

    page = new_page(width, height, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(live_server + morning.url)
    header = page.locator("table.day-table thead")
    expect(header).to_contain_text("Мат")
    expect(header).to_contain_text("Рус")
    expect(header).to_contain_text("не открыт")
    choice = page.get_by_label(f"Посещаемость: {morning.pupil_name}")
    choice.scroll_into_view_if_needed()
    expect(choice).to_be_in_viewport()
    box = choice.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= width
    choice.select_option("ill")
    save = page.get_by_role("button", name="Сохранить")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    save.click()
    expect(page.locator(".flash-success")).to_contain_text("Посещаемость за")
    row = page.locator(f'tr[data-student="{morning.pupil_id}"]')
    expect(row.locator(".sw.planned")).to_have_count(2)  # maths and Russian; not the other English group
    expect(page.get_by_label(f"Посещаемость: {morning.pupil_name}")).to_have_value("ill")
    # the page itself never scrolls sideways: only the table does, inside its box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.console_errors == []
    screenshot(page, f"daily-attendance-{width}x{height}")
    plans = db.session.scalars(select(PlannedAbsence).where(PlannedAbsence.is_deleted.is_(False))).all()
    assert [(p.student_id, p.date_from, p.date_to, p.code) for p in plans] == [
        (morning.pupil_id, morning.today, morning.today, "ill")]
    db.session.close()
