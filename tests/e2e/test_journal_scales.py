"""A 10-point subject as a teacher and a parent see it (ADM-2, DIA-2): the grid's forecast, the
legend and the diary's forecast speak of that scale's marks, not of fives."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import MarkingScale, StudyPeriod, Subject, WorkKind
from tests.clock import school_date
from tests.conftest import PASSWORD
from tests.e2e.test_journal_grid import _log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def physics(small_school):
    """Physics in 5А on the 10-point scale and informatics on the 100-point one, three marks each
    for Петров Пётр in the second quarter."""
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    quarter2 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))
    subjects = {}
    for number, (code, scale_name, name, values) in enumerate([
        ("ten", "Десятибалльная", "Физика", [["9", "9", "8"], ["3", "4", "3"], ["7", "6", "7"], ["10", "10", "9"]]),
        ("hundred", "Стобалльная", "Информатика", [["73", "74", "80"], ["35", "41", "39"], ["90", "95", "88"],
                                                   ["60", "61", "59"]]),
    ], start=1):
        scale = MarkingScale(school=s.school, code=code, name=scale_name)
        subject = Subject(school=s.school, name=name, short_name=name[:3])
        db.session.add_all([scale, subject])
        assignment = s.assign(s.maths_teacher, s.class_5a, subject, scale=scale)
        db.session.flush()
        lessons = [operations.create_lesson(assignment, s.maths_teacher, school_date(2026, 11, 9 + n), number, "Урок",
                                            [oral]) for n in range(3)]
        for pupil, marks in zip(s.pupils_5a, values, strict=True):  # Петров Пётр first
            for lesson, value in zip(lessons, marks, strict=True):
                operations.save_cell(lesson, pupil, s.maths_teacher, value, key="", base=None)
        subjects[code] = assignment.id
    db.session.commit()
    s.grid_url = f"/journal/assignments/{subjects['ten']}?period={quarter2.id}"
    s.marks_url = f"/diary/students/{s.pupils_5a[0].id}/marks?period={quarter2.id}"
    s.parent_login = s.parent_a.login
    db.session.close()  # the live server writes: release the test's connection
    return s


def test_ten_point_journal_and_diary_speak_of_the_scales_own_marks(live_server, new_page, screenshot, physics):
    from playwright.sync_api import expect

    page = new_page(1280, 800)
    _log_in(page, live_server, "maths")
    page.goto(live_server + physics.grid_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Физика · 5А")
    expect(page.locator(".journal-meta")).to_contain_text("шкала: десятибалльная")
    expect(page.locator(".legend-list")).to_contain_text("10/9")
    expect(page.locator("td.forecast .badge-danger")).to_have_text(["3"])  # 3.33: below the pass point 4
    expect(page.locator("td.cell.mark-low")).to_have_count(2)  # the two «3» of Алексеева
    screenshot(page, "scales-ten-point-grid")
    assert page.console_errors == []

    parent = new_page(390, 844, has_touch=True)
    parent.goto(f"{live_server}/auth/login")
    parent.get_by_label("Логин").fill(physics.parent_login)
    parent.get_by_label("Пароль").fill(PASSWORD)
    parent.get_by_role("button", name="Войти").click()
    parent.goto(live_server + physics.marks_url)
    expect(parent.locator(".forecast").filter(has_text="Выходит «9»")).to_have_text(
        "Выходит «9»; до «10» — ещё 5 отметок «10»")
    expect(parent.locator(".forecast").filter(has_text="Выходит «76»")).to_have_text(
        "Выходит «76»; до «77» — ещё 1 отметка «100»")
    screenshot(parent, "scales-diary-marks-phone")
    assert parent.console_errors == []
