"""`flask demo`: the demo school a fresh clone shows (README, «Demo logins»)."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from demo import DEMO_LOGINS
from demo.names import GRANDFATHERS, MEN, PATRONYMICS, feminine_surname
from extensions import db
from models import (
    ClassGroup,
    ClassMembership,
    ClubMembership,
    ParentLink,
    ScheduleSlot,
    School,
    Student,
    TeachingAssignment,
    User,
)

DEMO_PASSWORD = "demo2026"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    return result


def test_demo_command_prints_the_logins_and_the_password(demo):
    for login, _description in DEMO_LOGINS:
        assert login in demo.output
    assert DEMO_PASSWORD in demo.output


def test_demo_school_has_classes_students_and_families(demo):
    assert db.session.scalar(select(func.count(School.id))) == 1
    classes = db.session.scalars(select(ClassGroup).where(ClassGroup.kind == "class")).all()
    assert 10 <= len(classes) <= 13
    assert {c.grade for c in classes} == set(range(1, 12))
    assert all(c.attendance_only == (c.grade == 1) for c in classes)
    assert all(c.period_scheme == ("half_year" if c.grade >= 10 else "quarter") for c in classes)
    students = db.session.scalars(select(Student)).all()
    assert 200 <= len(students) <= 300
    with_parent = set(db.session.scalars(select(ParentLink.student_id)))
    assert all(s.id in with_parent for s in students)
    assert all(s.current_class_id is not None and s.events for s in students)
    assert len({s.book_number for s in students}) == len(students)


def test_every_class_has_teaching_assignments_for_its_curriculum(demo):
    classes = db.session.scalars(select(ClassGroup)).all()
    for group in classes:
        assignments = db.session.scalars(
            select(TeachingAssignment).where(TeachingAssignment.class_id == group.id)
        ).all()
        assert assignments, f"{group.name} has no teaching assignments"
    fifth = db.session.scalar(select(ClassGroup).where(ClassGroup.name == "5А"))
    split = db.session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.class_id == fifth.id, TeachingAssignment.subgroup_id.is_not(None))
    ).all()
    assert {a.subject.name for a in split} == {"Английский язык", "Информатика"}
    assert db.session.scalar(select(func.count(ClassGroup.id)).where(ClassGroup.kind == "extra")) == 1


def test_timetable_has_no_clash_in_a_class_or_for_a_teacher(demo):
    rows = db.session.execute(
        select(ScheduleSlot.weekday, ScheduleSlot.lesson_number, TeachingAssignment.class_id,
               TeachingAssignment.subgroup_id, TeachingAssignment.subject_id, TeachingAssignment.teacher_id)
        .join(TeachingAssignment, ScheduleSlot.assignment_id == TeachingAssignment.id)
    ).all()
    assert rows
    by_class: dict[tuple, list] = {}
    for weekday, number, class_id, subgroup_id, subject_id, _teacher in rows:
        assert 1 <= weekday <= 5
        by_class.setdefault((class_id, weekday, number), []).append((subgroup_id, subject_id))
    for key, lessons in by_class.items():
        # Only the subgroups of one split subject may meet at the same time, each once.
        if len(lessons) > 1:
            assert len({subject for _g, subject in lessons}) == 1, key
            assert None not in {g for g, _s in lessons} and len({g for g, _s in lessons}) == len(lessons), key
    teachers = Counter((teacher, weekday, number) for weekday, number, _c, _g, _s, teacher in rows)
    assert max(teachers.values()) == 1


def test_documented_accounts_have_the_documented_roles_and_links(demo):
    users = {u.login: u for u in db.session.scalars(select(User).where(User.login.in_([x for x, _ in DEMO_LOGINS])))}
    assert set(users) == {login for login, _ in DEMO_LOGINS}
    assert users["admin"].roles == {"journal_admin", "tech_admin"}
    teacher = users["teacher"]
    assert teacher.roles == {"teacher", "class_teacher"}
    maths = db.session.scalars(select(TeachingAssignment).where(TeachingAssignment.teacher_id == teacher.id)).all()
    assert {"5А", "5Б"} <= {a.class_group.name for a in maths if a.subject.name == "Математика"}
    assert db.session.scalar(select(ClassGroup.name).where(ClassGroup.class_teacher_id == teacher.id)) == "5А"
    children = db.session.scalars(
        select(Student).join(ParentLink).where(ParentLink.parent_id == users["parent"].id)
    ).all()
    assert sorted(c.current_class.name for c in children) == ["2А", "5А"]
    student = db.session.scalar(select(Student).where(Student.user_id == users["student"].id))
    assert student.current_class.name == "5А" and student in children


def test_some_families_have_children_in_two_classes(demo):
    rows = db.session.execute(select(ParentLink.parent_id, Student.current_class_id).join(Student)).all()
    classes_per_parent = Counter(parent for parent, _c in set(rows))
    assert sum(1 for n in classes_per_parent.values() if n >= 2) >= 5


def test_names_agree_in_gender(demo):
    daughters = {f for _m, f in PATRONYMICS.values()}
    sons = {m for m, _f in PATRONYMICS.values()}
    for s in db.session.scalars(select(Student)):
        assert s.middle_name in (daughters if s.gender == "f" else sons), s.full_name
        if s.gender == "f" and s.last_name.endswith("а"):
            assert not s.last_name.endswith(("ов", "ев", "ин"))
    assert feminine_surname("Иванов") == "Иванова"
    assert feminine_surname("Вишневский") == "Вишневская"
    assert feminine_surname("Шевченко") == "Шевченко"
    assert set(MEN) | set(GRANDFATHERS) <= set(PATRONYMICS)


def test_robotics_group_has_its_teacher_and_timetable(demo):
    robotics = db.session.scalar(select(ClassGroup).where(ClassGroup.kind == "extra"))
    assignment = db.session.scalar(select(TeachingAssignment).where(TeachingAssignment.class_id == robotics.id))
    assert assignment.teacher.roles == {"extra_teacher"}
    assert robotics.class_teacher_id == assignment.teacher_id
    slots = db.session.scalar(select(func.count(ScheduleSlot.id)).where(ScheduleSlot.assignment_id == assignment.id))
    assert slots == 2
    # One open ClassMembership per student: extra groups must not add a second one.
    open_rows = db.session.execute(
        select(ClassMembership.student_id, func.count()).where(ClassMembership.until.is_(None))
        .group_by(ClassMembership.student_id)
    ).all()
    assert {n for _s, n in open_rows} == {1}


def test_robotics_group_has_members_of_several_classes_who_stay_in_their_class(demo):
    robotics = db.session.scalar(select(ClassGroup).where(ClassGroup.kind == "extra"))
    members = db.session.scalars(
        select(ClubMembership).where(ClubMembership.group_id == robotics.id, ClubMembership.until.is_(None))
    ).all()
    assert len(members) >= 8
    classes = {m.student.current_class.name for m in members}
    assert len(classes) >= 3 and all(m.student.current_class.kind == "class" for m in members)
    assert not db.session.scalar(
        select(func.count()).select_from(ClassMembership).where(ClassMembership.class_id == robotics.id)
    )


def test_if_empty_does_nothing_when_a_school_exists_and_a_plain_run_refuses(demo, runner):
    students = db.session.scalar(select(func.count(Student.id)))
    result = runner.invoke(args=["demo", "--if-empty", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "already" in result.output
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(Student.id))) == students
    assert db.session.scalar(select(func.count(School.id))) == 1


def test_without_password_one_random_password_is_printed_and_works(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[-1]
    assert len(password) >= 10
    assert client.post("/auth/login", data={"login": "director", "password": password}).status_code == 302


def test_documented_logins_log_in_with_the_demo_password(demo, app):
    for login, _description in DEMO_LOGINS:
        client = app.test_client()  # a fresh cookie jar for each account
        response = client.post("/auth/login", data={"login": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (login, response.get_data(as_text=True)[:300])
        assert client.get("/").status_code == 200, login


def test_demo_journal_has_the_current_quarter_recorded(demo):
    from models import Attendance, Lesson, Mark

    assert db.session.scalar(select(func.count()).select_from(Lesson)) > 100
    assert db.session.scalar(select(func.count()).select_from(Mark)) > 1000
    assert db.session.scalar(select(func.count()).select_from(Attendance)) > 50
    # no mark for a student absent without illness (001:3.5)
    clash = db.session.scalar(
        select(func.count()).select_from(Mark).join(
            Attendance, (Attendance.lesson_id == Mark.lesson_id) & (Attendance.student_id == Mark.student_id)
        ).where(Attendance.code.in_(["absent", "excused", "unexcused"]))
    )
    assert clash == 0


def test_demo_families_chose_diary_paper_or_email_with_and_without_consent(demo):
    from blueprints.personal_data.operations import report_delivery
    from models import Student, User
    from models.personal_data import ParentApplication

    choices = {a.delivery for a in db.session.scalars(select(ParentApplication))}
    assert choices == {"electronic", "print", "email"}
    outcomes = set()
    for application in db.session.scalars(select(ParentApplication).where(ParentApplication.delivery == "email")):
        parent = db.session.get(User, application.parent_id)
        student = db.session.get(Student, application.student_id)
        outcomes.add(report_delivery(parent, student, date(2026, 11, 28)))
    assert outcomes == {"email", "print_no_consent"}
