"""The reads the admin sub-areas and the dashboard share (blueprints/admin/queries.py): one answer
to «who are the school's teachers», «which year is current», «which marking scales are missing»,
so that a picker, the timetable and the index never disagree."""
from __future__ import annotations

from types import SimpleNamespace

from blueprints.admin import queries
from extensions import db
from models import School
from models.school import SCALE_CODES


def test_missing_scales_are_the_codes_the_school_has_not_got_in_the_rule_s_order():
    assert queries.missing_scale_codes([]) == list(SCALE_CODES)
    have = [SimpleNamespace(code=code) for code in SCALE_CODES[1:]]
    assert queries.missing_scale_codes(have) == [SCALE_CODES[0]]
    assert queries.missing_scale_codes([SimpleNamespace(code=c) for c in SCALE_CODES]) == []


def test_the_school_s_teachers_are_those_with_a_teaching_role_and_a_working_account(small_school, create_user):
    s = small_school()
    create_user(s.school, "teacher", login="gone", last_name="Ушедшая", is_active_account=False)
    other = School(name="Другая школа", short_name="СОШ № 2", director_name="Петрова")
    db.session.add(other)
    stranger = create_user(other, "teacher", login="stranger", last_name="Чужая")
    names = [t.last_name for t in queries.teachers(s.school.id)]
    assert names == sorted(names)
    assert "Ушедшая" not in names and s.admin.last_name not in names
    assert {s.maths_teacher.id, s.extra_teacher.id} <= {t.id for t in queries.teachers(s.school.id)}
    assert stranger.id not in {t.id for t in queries.teachers(s.school.id)}
    assert [t.id for t in queries.teachers(other.id)] == [stranger.id]


def test_the_current_year_is_the_one_marked_current_and_the_pickers_fall_back_to_the_latest(small_school):
    s = small_school()
    assert queries.current_year(s.school.id) == s.year == queries.latest_year(s.school.id)
    s.year.is_current = False
    db.session.flush()
    assert queries.current_year(s.school.id) is None
    assert queries.latest_year(s.school.id) == s.year


def test_a_page_s_relationships_are_read_with_its_object_and_the_template_then_runs_no_query(small_school):
    from sqlalchemy import event
    from sqlalchemy.orm import selectinload

    from models import Student

    s = small_school()
    student_id = s.pupils_5a[0].id
    db.session.expunge_all()
    student = db.session.get(Student, student_id)
    assert queries.load_shown_with(student, selectinload(Student.current_class), selectinload(Student.user)) is student
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert student.current_class is not None and student.current_class.name
        _ = student.user.roles if student.user is not None else None
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []
