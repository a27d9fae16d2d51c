"""The deputy on an office screen opens the statistics and a parent the diary's «Динамика»: the
SVG charts display under the app's strict CSP (an image, no script), with no CSP violation in
the console, and their numbers are in the table beside them (REP-2, issue 12)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import Mark, WorkKind
from tests.clock import school_date
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

OFFICE = (1366, 768)


@pytest.fixture
def school(small_school):
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    for n in range(3):
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 9) + timedelta(days=n * 3),
                                          2, f"Тема {n}", [oral])
        db.session.flush()
        for i, pupil in enumerate(s.pupils_5a):
            db.session.add(Mark(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                work_kind_id=oral.id, value=str(3 + (i + n) % 3)))
    db.session.commit()
    s.pupil_id = s.pupils_5a[0].id
    db.session.close()  # the live server reads (SQLite lock)
    return s


def _login(page, live_server, login):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server}/")


def _chart_shown(page) -> int:
    return page.evaluate("document.querySelector('.stat-chart img').naturalWidth")


@pytest.mark.parametrize("who", ["deputy", "parent_a"])
def test_the_chart_displays_under_the_csp(live_server, new_page, school, who):
    page = new_page(*OFFICE)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server, who)
    if who == "deputy":
        page.goto(f"{live_server}/reports/statistics")
    else:
        page.goto(f"{live_server}/diary/students/{school.pupil_id}/dynamics")
    page.wait_for_load_state("networkidle")
    assert _chart_shown(page) > 0
    assert page.locator(".stat-chart-table td").count() > 0
    assert not [e for e in errors if "Content Security Policy" in e], errors
