"""Figures of journal-keeping control (REP-3, 002:4.2-4.3): per journal the shares of lessons
with a topic, with homework and recorded on the day, marks per student against the minimum and
late entries; per class the families whose parent opened the diary in the period; the control
page's statements do not grow with the journal."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from blueprints.journal import control_queries, operations
from domain import journal_control as rules
from extensions import db
from models import Homework, LoginEvent, Mark, WorkKind
from tests.clock import school_date, school_moment

NOW = school_moment(2026, 11, 20, 15, 0)  # Friday 18:00 in Moscow, the second quarter


def _journal(s):
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    on_day = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 16), 2, "Дроби", [oral],
                                       now=school_moment(2026, 11, 16, 9))
    next_day = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 17), 2, "", [oral],
                                         now=school_moment(2026, 11, 18, 9))
    third = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 18), 2, "Сложение дробей", [oral],
                                     now=school_moment(2026, 11, 18, 10))
    db.session.flush()
    db.session.add(Homework(lesson_id=on_day.id, text="№ 12"))
    for lesson in (on_day, next_day, third):  # three marks for the first pupil, one for the second
        db.session.add(Mark(school_id=s.school.id, lesson_id=lesson.id, student_id=s.pupils_5a[0].id,
                            work_kind_id=oral.id, value="5"))
    db.session.add(Mark(school_id=s.school.id, lesson_id=third.id, student_id=s.pupils_5a[1].id,
                        work_kind_id=oral.id, value="4", entered_late=True))
    # parent_a (5А and 1А) signed in this week; parent_b (5Б) last in the first quarter
    db.session.add_all([
        LoginEvent(user_id=s.parent_a.id, login=s.parent_a.login, event="success", at=NOW - timedelta(days=2)),
        LoginEvent(user_id=s.parent_b.id, login=s.parent_b.login, event="success",
                   at=datetime.combine(school_date(2026, 10, 1), datetime.min.time(), timezone.utc)),
        LoginEvent(user_id=s.parent_b.id, login=s.parent_b.login, event="failure", at=NOW - timedelta(days=1)),
    ])
    db.session.commit()


def test_figures_per_journal_and_families_per_class(small_school):
    s = small_school()
    _journal(s)
    figures, families = control_queries.journal_figures(s.school, NOW)
    maths = next(f for f in figures if f.assignment.id == s.maths_5a.id)
    assert (maths.lessons, maths.with_topic, maths.with_homework, maths.on_day) == (3, 2, 1, 2)
    assert (maths.topic_share, maths.homework_share, maths.on_day_share) == (67, 33, 67)
    assert (maths.students, maths.marks, maths.minimum, maths.below_minimum) == (4, 4, 3, 3)
    assert maths.marks_per_student == 1.0
    assert maths.late.marks == 1 and maths.late.lessons == 1  # the lesson of the 17th entered on the 18th
    first_grade = next(f for f in figures if f.assignment.id == s.russian_1a.id)
    assert first_grade.homework_share is None and first_grade.marks_per_student is None
    by_class = {p.class_group.name: (p.students, p.families, p.active, p.active_share) for p in families}
    assert by_class == {"5А": (4, 1, 1, 100), "5Б": (2, 1, 0, 0), "1А": (1, 1, 1, 100)}


def test_control_page_shows_the_figures_in_constant_statements(client, auth, small_school, create_student,
                                                               count_queries, monkeypatch):
    from blueprints.journal import control

    monkeypatch.setattr(control, "utcnow", lambda: NOW)
    s = small_school()
    auth.login(s.deputy)

    def page() -> tuple[int, str]:
        db.session.commit()
        with count_queries() as counter:
            response = client.get("/journal/control")
        assert response.status_code == 200
        return counter.count, response.get_data(as_text=True)

    page()
    small, _html = page()
    for i in range(12):
        create_student(s.school, s.class_5a, f"Новиков{i}", "Никита", parents=[s.parent_b])
    _journal(s)
    big, html = page()
    assert big == small, f"control page: {small} statements, then {big}"
    row = html.split(f'id="figures-{s.maths_5a.id}"')[1].split("</tr>")[0]
    assert "67%" in row and "33%" in row
    assert "Участие родителей" in html


def test_share_and_the_day_of_entry():
    assert rules.share(2, 3) == 67 and rules.share(1, 3) == 33 and rules.share(1, 2) == 50
    assert rules.share(0, 0) is None
    evening = datetime(2026, 11, 16, 20, 30, tzinfo=timezone.utc)  # 23:30 in Moscow, the same day
    assert rules.recorded_on_day(evening, evening.date(), "Europe/Moscow")
    assert not rules.recorded_on_day(evening + timedelta(hours=1), evening.date(), "Europe/Moscow")
    assert rules.below_minimum(2, 3) and not rules.below_minimum(3, 3)
