"""The home page says what to do today (issue 12, item 5): the teacher's lessons of today and
what waits for them, the class teacher's class today, the school's figures for the academic
office and the director; families keep their diary; constant statements as the school grows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from blueprints.main import home_queries
from extensions import db
from models import ScheduleSlot, WorkKind
from models.base import utcnow
from models.diary import AbsenceNote
from tests.access_rules_reports_inspections import inspection_of_maths_5a
from tests.clock import TODAY
from tests.test_query_budgets import _count, _grow


@pytest.fixture
def world(app, small_school):
    """5А's maths today (lesson 1, recorded, Алексеева ill), a maths lesson a week ago without
    topic or homework, an absence note waiting for the class teacher, an open inspection remark."""
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=TODAY.isoweekday(),
                                lesson_number=1, valid_from=TODAY, valid_to=TODAY))
    s.today_lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, TODAY, 1, "Дроби", [s.kinds["oral"]])
    s.old_lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, TODAY - timedelta(days=7), 2, "", [s.kinds["oral"]],
                                            now=utcnow() - timedelta(days=7))
    db.session.flush()
    operations.save_cell(s.today_lesson, s.pupils_5a[1], s.maths_teacher, "Б", key="", base=None)
    db.session.add(AbsenceNote(school_id=s.school.id, student_id=s.pupils_5a[0].id, parent_id=s.parent_a.id,
                               date_from=TODAY - timedelta(days=3), date_to=TODAY - timedelta(days=2), reason="ill"))
    db.session.commit()
    s.inspection = inspection_of_maths_5a(s)
    return s


def test_teacher_home_counts(world):
    s = world
    home = home_queries.teacher_home(s.maths_teacher, TODAY, utcnow())
    assert [(row.item.group_name, row.lesson.id if row.lesson else None) for row in home.lessons] == [("5А", s.today_lesson.id)]
    assert (home.no_topic, home.no_homework, home.missing) == (1, 1, 0)
    assert home.remarks_open == 1 and home.remark_assignment_id == s.maths_5a.id
    [own] = home.classes
    assert (own.class_group.name, own.students, own.absent, own.notes_waiting) == ("5А", 4, 1, 1)


def test_office_home_figures(world):
    s = world
    home = home_queries.office_home(s.deputy, TODAY, utcnow())
    assert home.period.name == "2 четверть"
    assert (home.absent_today, home.students) == (1, 7)
    assert home.control and home.inspections_due == 6  # every journal waits for the methodist's week
    assert home.overdue_teachers == 1 and home.overdue_items == 2
    assert home.topic_share == 50  # of maths 5А's two lessons, one with a topic


def _links(page: str) -> list[str]:
    import re

    return sorted({href for href in re.findall(r'href="(/[^"]*)"', page) if not href.startswith("/static")})


def _all_links_open(client, page: str) -> None:
    for href in _links(page):
        if href.startswith("/logout"):
            continue
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, (href, response.status_code)


def test_class_teacher_sees_lessons_waiting_and_class(client, auth, world):
    s = world
    auth.login(s.maths_teacher)
    page = client.get("/").get_data(as_text=True)
    assert "Мои уроки сегодня" in page and f"/journal/lessons/{s.today_lesson.id}" in page
    assert "уроков без темы" in page and "уроков без домашнего задания" in page
    assert f"/diary/classes/{s.class_5a.id}/absence-notes" in page and "объяснительных ждут решения, 5А" in page
    assert "замечаний проверки исправить" in page and f"/journal/assignments/{s.maths_5a.id}" in page
    assert "Класс 5А сегодня" in page and "из 4 учеников отсутствуют сегодня" in page
    assert "Школа сегодня" not in page
    assert page.index("Мои уроки сегодня") < page.index("Ждёт вас") < page.index("<h2>Разделы")
    _all_links_open(client, page)


def test_subject_teacher_has_no_class_section(client, auth, world):
    s = world
    auth.login(s.russian_teacher)
    page = client.get("/").get_data(as_text=True)
    assert "Сегодня у вас нет уроков по расписанию." in page and "Всё записано в срок" in page
    assert "сегодня</h2>" not in page.replace("Мои уроки сегодня", "") and "Школа сегодня" not in page


@pytest.mark.parametrize("who", ["director", "deputy", "methodist"])
def test_office_sees_school_figures_with_links(client, auth, world, who):
    s = world
    auth.login(getattr(s, who))
    page = client.get("/").get_data(as_text=True)
    assert "Школа сегодня · 2 четверть" in page and "Успеваемость" in page and "Качество" in page
    assert "Отсутствуют сегодня" in page and "журналов ждут проверки" in page
    for href in ("/reports/statistics", "/reports/summary", "/reports/inspections/overdue", "/journal/control"):
        assert f'href="{href}"' in page
    assert "Мои уроки сегодня" not in page
    _all_links_open(client, page)


def test_parent_sees_no_staff_sections(client, auth, world):
    s = world
    auth.login(s.parent_a)
    page = client.get("/").get_data(as_text=True)
    assert "Мои дети" in page and "/diary/" in page
    for staff in ("Мои уроки сегодня", "Ждёт вас", "Школа сегодня", "замечаний"):
        assert staff not in page


@pytest.mark.parametrize("who", ["maths_teacher", "deputy", "director"])
def test_home_queries_do_not_grow(client, auth, world, create_student, count_queries, who):
    s = world
    auth.login(getattr(s, who))
    _count(client, count_queries, "GET", "/")  # warm-up
    small = _count(client, count_queries, "GET", "/")
    _grow(s, create_student, students=20, lessons=20)
    big = _count(client, count_queries, "GET", "/")
    assert big == small, f"home of {who}: {small} statements, {big} after the school grew"
