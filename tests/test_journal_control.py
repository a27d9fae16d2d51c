"""Deadlines (JRN-6) and journal-keeping control (REP-3): what the timetable expected and was
not recorded, lessons without topic or homework, late entries; bounded queries."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from blueprints.journal import control, control_queries, operations
from extensions import db
from models import Holiday, Homework, ScheduleChange, ScheduleSlot, TeachingAssignment
from tests.clock import school_date, school_moment
from tests.test_journal_grid import journal  # noqa: F401  (the shared fixture)

NOW = school_moment(2026, 11, 20, 15, 0)  # Friday 18:00 in Moscow, second quarter


def at(day: int, hour: int = 8) -> datetime:
    return school_moment(2026, 11, day, hour, 0)


@pytest.fixture
def timetable(journal, monkeypatch):  # noqa: F811
    """Maths 5А: Monday 2nd and Thursday 1st lessons all year, Tuesday 4th from 10 November.
    5 November is a holiday, 19 November's lesson was cancelled."""
    j = journal
    monkeypatch.setattr(control, "utcnow", lambda: NOW)
    start = j.year.start_date
    db.session.add_all([
        ScheduleSlot(school=j.school, assignment=j.maths_5a, weekday=1, lesson_number=2, valid_from=start),
        ScheduleSlot(school=j.school, assignment=j.maths_5a, weekday=4, lesson_number=1, valid_from=start),
        ScheduleSlot(school=j.school, assignment=j.maths_5a, weekday=2, lesson_number=4, valid_from=school_date(2026, 11, 10)),
        Holiday(year_id=j.year.id, name="День народного единства", start_date=school_date(2026, 11, 4), end_date=school_date(2026, 11, 5)),
        ScheduleChange(school_id=j.school.id, date=school_date(2026, 11, 19), assignment_id=j.maths_5a.id, kind="cancelled", lesson_number=1),
    ])
    oral = [j.kinds["oral"]]
    j.on_time = operations.create_lesson(j.maths_5a, j.maths_teacher, school_date(2026, 11, 9), 2, "Дроби", oral, now=at(10))
    db.session.flush()
    db.session.add(Homework(lesson_id=j.on_time.id, text="№ 5"))
    j.no_topic = operations.create_lesson(j.maths_5a, j.maths_teacher, school_date(2026, 11, 12), 1, "", oral, now=at(12))
    j.unnumbered = operations.create_lesson(j.maths_5a, j.maths_teacher, school_date(2026, 11, 16), 0, "Сравнение дробей", oral, now=at(16))
    j.lesson.entered_late = False  # the fixture's lesson of today, recorded on time
    operations.save_cell(j.on_time, j.pupils_5a[0], j.maths_teacher, "5", key="", base=None, now=at(17, 12))  # mark 8 days later
    operations.save_cell(j.no_topic, j.pupils_5a[1], j.maths_teacher, "н", key="", base=None, now=at(13))  # absence next day
    db.session.commit()
    return j


def test_overdue_items_come_from_the_timetable_topics_and_homework(timetable):
    j = timetable
    report = control_queries.journal_deadlines(j.school, NOW, teacher_id=j.maths_teacher.id)[j.maths_teacher.id]
    assert [(i.day, i.lesson_number) for i in report.missing] == [(school_date(2026, 11, 10), 4), (school_date(2026, 11, 17), 4)]
    assert [i.lesson_id for i in report.no_topic] == [j.no_topic.id]
    assert sorted(i.lesson_id for i in report.no_homework) == sorted([j.no_topic.id, j.unnumbered.id])
    assert (report.late.lessons, report.late.attendance, report.late.marks, report.late.homework) == (1, 1, 1, 0)


def test_today_is_not_overdue_before_its_end(timetable):
    j = timetable
    report = control_queries.journal_deadlines(j.school, NOW, teacher_id=j.maths_teacher.id)[j.maths_teacher.id]
    assert all(item.day < school_date(2026, 11, 20) for item in report.items)


def test_attendance_only_classes_need_no_homework(timetable):
    j = timetable
    report = control_queries.journal_deadlines(j.school, school_moment(2026, 11, 22),
                                                teacher_id=j.primary_teacher.id)[j.primary_teacher.id]
    assert report.no_homework == []


def test_teacher_sees_their_overdue_list_with_links_to_fix_each(client, auth, timetable):
    j = timetable
    auth.login(j.maths_teacher)
    page = client.get("/journal/overdue").get_data(as_text=True)
    assert "урок не записан" in page and "нет темы" in page and "нет домашнего задания" in page
    assert f"/journal/assignments/{j.maths_5a.id}?date={school_date(2026, 11, 10)}&amp;n=4#new-lesson" in page
    assert f"/journal/assignments/{j.maths_5a.id}#lesson-{j.no_topic.id}" in page
    grid = client.get(f"/journal/assignments/{j.maths_5a.id}?date={school_date(2026, 11, 10)}&n=4").get_data(as_text=True)
    assert f'value="{school_date(2026, 11, 10)}"' in grid and 'id="new-lesson" open' in grid


def test_the_lesson_form_ignores_a_malformed_prefill(client, auth, timetable):
    auth.login(timetable.maths_teacher)
    grid = client.get(f"/journal/assignments/{timetable.maths_5a.id}?date=<b>x</b>&n=abc").get_data(as_text=True)
    assert "<b>x</b>" not in grid and 'value="abc"' not in grid


def test_a_teacher_with_nothing_overdue_is_told_so(client, auth, timetable):
    auth.login(timetable.english_teacher)
    page = client.get("/journal/overdue").get_data(as_text=True)
    assert "Всё записано вовремя" in page


@pytest.mark.parametrize("who", ["deputy", "methodist", "director"])
def test_academic_office_sees_counts_per_teacher_with_links(client, auth, timetable, who):
    j = timetable
    auth.login(getattr(j, who))
    response = client.get("/journal/control")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = page.split(f'id="teacher-{j.maths_teacher.id}"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<", 1)[0].strip() for c in row.split('<td class="num')[1:]]
    assert cells == ["2", "1", "2", "3"]
    assert f'href="/journal/assignments/{j.maths_5a.id}"' in row
    assert "Словарёва Ольга" in page


@pytest.mark.parametrize("who", ["maths_teacher", "parent_a", "tech_admin"])
def test_control_page_is_refused_to_others(client, auth, timetable, who):
    auth.login(getattr(timetable, who))
    assert client.get("/journal/control").status_code == 403


def test_overdue_page_is_for_teachers(client, auth, timetable):
    auth.login(timetable.parent_a)
    assert client.get("/journal/overdue").status_code == 403


def test_control_page_queries_do_not_grow_with_teachers_and_lessons(client, auth, timetable, count_queries):
    j = timetable
    auth.login(j.deputy)
    client.get("/journal/control")
    with count_queries() as small:
        assert client.get("/journal/control").status_code == 200
    for assignment in db.session.scalars(select(TeachingAssignment)):
        for weekday in (1, 2, 3, 4, 5):
            db.session.add(ScheduleSlot(school=j.school, assignment=assignment, weekday=weekday, lesson_number=5 + weekday % 3,
                                        valid_from=j.year.start_date))
        for day in (6, 9, 10, 11):
            operations.create_lesson(assignment, assignment.teacher, school_date(2026, 11, day), 6, "", [j.kinds["oral"]], now=at(day + 1))
    db.session.commit()
    with count_queries() as big:
        assert client.get("/journal/control").status_code == 200
    assert big.count == small.count, f"{small.count} queries for a few lessons, {big.count} for many"
    # the deadlines, then the figures of journal keeping and the families' participation (REP-3,
    # control_queries.journal_figures: 7 statements of their own)
    # + the suspension banner of personal data (PD-5): one query per page for staff; + the header's unread
    # messages badge (COM-1)
    assert big.count <= 24


def test_the_assignments_in_force_are_the_active_ones_of_the_current_year(small_school):
    """One question for the control page's deadlines and the schedule's change form."""
    from blueprints.journal import queries

    s = small_school()
    in_force = list(db.session.scalars(queries.assignments_in_force(s.school.id)))
    assert in_force and all(a.is_active and a.year_id == s.year.id for a in in_force)
    first = in_force[0]
    first.is_active = False
    db.session.flush()
    assert first not in db.session.scalars(queries.assignments_in_force(s.school.id)).all()
    s.year.is_current = False
    db.session.flush()
    assert db.session.scalars(queries.assignments_in_force(s.school.id)).all() == []
