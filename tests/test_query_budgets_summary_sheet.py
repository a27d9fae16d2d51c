"""Query budget of the summary sheet (issue 12, acceptance): the statements of its page, its
XLSX and its PDF do not grow with the students of the class, their period marks and absences."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import PeriodMark, StudyPeriod
from tests.test_query_budgets import _add_year_period, _count, _grow, school  # noqa: F401 (fixture)

SHEET_BUDGET = 20


def _paths(s) -> list[str]:
    base = f"/reports/classes/{s.class_5a.id}/summary"
    return [f"{base}?period={s.quarters[0].id}", f"{base}?period={s.quarters[1].id}", f"{base}?period=year",
            f"{base}.xlsx?period={s.quarters[0].id}", f"{base}.xlsx?period=year"]


def _measure(client, count_queries, s) -> list[int]:
    return [_count(client, count_queries, "GET", path) for path in _paths(s)]


@pytest.mark.parametrize("who", ["maths_teacher", "deputy"])
def test_summary_sheet_statements_do_not_grow(client, auth, school, create_student, count_queries, who):  # noqa: F811
    _add_year_period(school)
    auth.login(getattr(school, who))
    _measure(client, count_queries, school)  # warm-up
    small = _measure(client, count_queries, school)
    pupils = _grow(school, create_student)
    year = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "year"))
    for pupil in pupils:
        for subject, assignment in ((school.russian, school.russian_5a), (school.maths, school.maths_5a)):
            db.session.add(PeriodMark(school_id=school.school.id, student_id=pupil.id, subject_id=subject.id,
                                      period_id=year.id, assignment_id=assignment.id, value="5"))
    db.session.commit()
    big = _measure(client, count_queries, school)
    assert big == small, f"summary sheet: {small} statements for 4 students, {big} for 30"
    assert max(big) <= SHEET_BUDGET, big


def test_summary_sheet_pdf_statements_do_not_grow(client, auth, school, create_student, count_queries):  # noqa: F811
    auth.login(school.deputy)
    path = f"/reports/classes/{school.class_5a.id}/summary.pdf?period={school.quarters[0].id}"
    _count(client, count_queries, "GET", path)
    small = _count(client, count_queries, "GET", path)
    _grow(school, create_student, students=10, lessons=5)
    assert _count(client, count_queries, "GET", path) == small
