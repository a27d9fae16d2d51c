"""The pass/fail scale on a tablet (JRN-3): the palette's «незач» is saved as the fail mark, and
the palette adds a notation to it or replaces it without reading it as «н» + «езач»."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import Attendance, Mark, MarkingScale, Subject, TeachingAssignment, WorkKind
from tests.e2e.test_journal_grid import _column_inputs, _log_in, _wait_for_saves
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e


@pytest.fixture
def pe_lesson(small_school):
    """Physical education in 5А on the pass/fail scale, taught by the maths teacher; today's
    lesson (marks after the lesson's deadline ask why: tests/e2e/test_journal_reason.py), with
    one kind of work."""
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    scale = MarkingScale(school=s.school, code="pass_fail", name="Зачёт/незачёт")
    pe = Subject(school=s.school, name="Физическая культура", short_name="Физ")
    assignment = TeachingAssignment(school=s.school, year=s.year, teacher=s.maths_teacher, class_group=s.class_5a,
                                    subject=pe, scale=scale)
    db.session.add_all([scale, pe, assignment])
    db.session.flush()
    lesson = operations.create_lesson(assignment, s.maths_teacher, school_today(s.school.timezone), 1, "Бег", [oral])
    db.session.commit()
    s.url = f"/journal/assignments/{assignment.id}?period={s.quarters[1].id}"
    s.lesson_id = lesson.id
    db.session.close()  # the live server writes: release the test's connection
    return s


def test_teacher_taps_the_fail_mark_on_a_pass_fail_journal_and_it_is_saved(live_server, new_page, screenshot, pe_lesson):
    from playwright.sync_api import expect

    page = new_page(1024, 768, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(live_server + pe_lesson.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Физическая культура · 5А")
    cells = _column_inputs(page, pe_lesson.lesson_id)
    expect(cells).to_have_count(4)
    palette = page.locator("#palette")

    cells.nth(0).tap()
    expect(palette).to_be_visible()
    for value in ["незач", "зач", "незач"]:  # each tap saves and moves down
        palette.locator(f"button[data-value='{value}']").tap()
    _wait_for_saves(page)
    expect(cells.nth(0)).to_have_value("незач")

    # Back to the first student: «Б» is added to the fail mark (ill but assessed, 001:3.5), then
    # on the second student «незач» replaces «зач».
    cells.nth(0).tap()
    palette.locator("button[data-att='Б']").tap()
    palette.locator("button[data-value='незач']").tap()
    _wait_for_saves(page)
    assert page.console_errors == []
    screenshot(page, "grid-pass-fail")

    page.reload()
    cells = _column_inputs(page, pe_lesson.lesson_id)
    assert [cells.nth(i).input_value() for i in range(4)] == ["Б незач", "незач", "незач", ""]
    marks = db.session.scalars(select(Mark.value).where(Mark.lesson_id == pe_lesson.lesson_id,
                                                        Mark.is_deleted.is_(False))).all()
    absences = db.session.scalars(select(Attendance.code).where(Attendance.lesson_id == pe_lesson.lesson_id,
                                                                Attendance.is_deleted.is_(False))).all()
    assert sorted(marks) == ["незач", "незач", "незач"]
    assert absences == ["ill"]
    db.session.close()
