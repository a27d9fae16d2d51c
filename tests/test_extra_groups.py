"""Additional-education groups take students of any class (issue 10, item 7): a student in a
club stays in their class — the class lists, the journal grid and the diary are unchanged — the
club lists members of several classes, and leaving a club ends the stay with a date, the
history kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.admin.structure import club_operations as club_ops
from blueprints.admin.structure import operations as structure
from blueprints.diary import queries as diary_queries
from blueprints.journal import classes_operations, queries
from domain.messages import Refusal
from extensions import db
from models import (
    AcademicYear,
    AuditEntry,
    ClassGroup,
    ClassMembership,
    ClubMembership,
    Student,
    Subject,
    TeachingAssignment,
)
from tests.clock import TODAY, school_date


@pytest.fixture
def club(app, small_school):
    s = small_school()
    s.robotics = ClassGroup(school=s.school, year=s.year, name="Робототехника", grade=5, kind="extra",
                            period_scheme="year", attendance_only=True, class_teacher=s.extra_teacher)
    subject = Subject(school=s.school, name="Робототехника", short_name="Робот")
    db.session.add_all([s.robotics, subject])
    db.session.flush()
    s.robotics_assignment = TeachingAssignment(school=s.school, year=s.year, teacher=s.extra_teacher,
                                               class_group=s.robotics, subject=subject, scale=s.none_scale)
    db.session.add(s.robotics_assignment)
    db.session.commit()
    return s


def _add(client, s, from_class, students, since=None):
    return client.post(
        f"/admin/clubs/{s.robotics.id}/members",
        data={"from_class": str(from_class.id), "students": [str(p.id) for p in students],
              "since": (since or s.year.start_date).isoformat()},
    )


def _members(s) -> list[tuple[int, object, object]]:
    db.session.expire_all()
    return [(m.student_id, m.since, m.until) for m in db.session.scalars(
        select(ClubMembership).where(ClubMembership.group_id == s.robotics.id).order_by(ClubMembership.id))]


def _class_state(s):
    """What "the students of a class" means everywhere: the class field, the stays in classes."""
    db.session.expire_all()
    return (
        [(p.id, p.current_class_id) for p in db.session.scalars(select(Student).order_by(Student.id))],
        [(m.student_id, m.class_id, m.since, m.until)
         for m in db.session.scalars(select(ClassMembership).order_by(ClassMembership.id))],
    )


def test_club_takes_students_of_several_classes_who_stay_in_their_class(client, auth, club):
    s = club
    auth.login(s.admin)
    before = _class_state(s)
    page = client.get(f"/admin/clubs/{s.robotics.id}?from_class={s.class_5a.id}").get_data(as_text=True)
    assert "Петров Пётр" in page and "Сидоров Семён" not in page  # the picked class's pupils
    assert _add(client, s, s.class_5a, [s.pupils_5a[0], s.pupils_5a[2]]).status_code == 302
    assert _add(client, s, s.class_5b, [s.pupils_5b[0]]).status_code == 302
    assert sorted(m[0] for m in _members(s)) == sorted([s.pupils_5a[0].id, s.pupils_5a[2].id, s.pupils_5b[0].id])
    assert _class_state(s) == before  # nobody changed class
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "club_membership"))
    assert entries == 3

    page = client.get(f"/admin/clubs/{s.robotics.id}").get_data(as_text=True)
    members = page.split('id="members"')[1].split("</section>")[0]
    for name, class_name in (("Петров Пётр", "5А"), ("Борисов Борис", "5А"), ("Сидоров Семён", "5Б")):
        assert f"{name}" in members and f"<td>{class_name}</td>" in members
    # The group's own page lists its members too.
    class_page = client.get(f"/admin/classes/{s.robotics.id}").get_data(as_text=True)
    assert "Сидоров Семён" in class_page and f"/admin/clubs/{s.robotics.id}" in class_page
    # Already a member of this class's pupils: the picker offers only the others.
    page = client.get(f"/admin/clubs/{s.robotics.id}?from_class={s.class_5a.id}").get_data(as_text=True)
    picker = page.split('id="add"')[1]
    assert "Алексеева Анна" in picker and "Петров Пётр" not in picker
    # the list of classes counts the club's three members; a club has no subgroups to offer
    classes = client.get("/admin/classes").get_data(as_text=True)
    row = classes.split(f'href="/admin/classes/{s.robotics.id}"')[1].split("</tr>")[0]
    assert "<td>3</td>" in row
    assert "Новая подгруппа" not in class_page and 'id="subgroups"' not in class_page


def test_class_lists_journal_grid_and_diary_are_unchanged_by_a_club(client, auth, club):
    s = club
    start, end = s.year.start_date, s.year.end_date
    roster_5a = [p.id for p in classes_operations.class_roster(s.class_5a, start, end)]
    grid_5b = [p.id for p in db.session.scalars(queries.roster_query(s.maths_5b, start, end))]
    monday = TODAY - timedelta(days=TODAY.weekday())
    week_class = diary_queries.class_of_week(s.pupils_5b[0], monday)
    auth.login(s.admin)
    assert _add(client, s, s.class_5a, s.pupils_5a).status_code == 302
    assert _add(client, s, s.class_5b, s.pupils_5b).status_code == 302

    assert [p.id for p in classes_operations.class_roster(s.class_5a, start, end)] == roster_5a
    assert [p.id for p in db.session.scalars(queries.roster_query(s.maths_5b, start, end))] == grid_5b
    assert diary_queries.class_of_week(s.pupils_5b[0], monday).id == week_class.id == s.class_5b.id
    assert classes_operations.class_roster(s.robotics, start, end) == []  # a club is not anyone's class
    assert [p.id for p in structure.class_students(s.class_5b)] == [s.pupils_5b[1].id, s.pupils_5b[0].id]

    admin_5a = client.get(f"/admin/classes/{s.class_5a.id}").get_data(as_text=True)
    assert admin_5a.count("/admin/people/students/") == 4
    auth.logout()
    auth.login(s.russian_teacher)
    grid = client.get(f"/journal/assignments/{s.maths_5b.id}").get_data(as_text=True)
    assert "Сидоров" in grid and "Петров" not in grid  # 5Б's grid: only 5Б, though both are in the club
    auth.logout()
    auth.login(s.parent_b)
    diary = client.get(f"/diary/students/{s.pupils_5b[0].id}/week")
    assert diary.status_code == 200 and "5Б" in diary.get_data(as_text=True)


def test_the_clubs_assignment_page_opens(client, auth, club):
    """The club's journal comes with a later issue; its page must not fail meanwhile."""
    s = club
    auth.login(s.admin)
    _add(client, s, s.class_5a, [s.pupils_5a[0]])
    auth.logout()
    auth.login(s.extra_teacher)
    assert client.get(f"/journal/assignments/{s.robotics_assignment.id}").status_code == 200
    auth.logout()
    auth.login(s.admin)
    assert client.get(f"/admin/classes/{s.robotics.id}").status_code == 200


def test_leaving_a_club_ends_the_stay_with_a_date_and_keeps_the_history(client, auth, club):
    s = club
    auth.login(s.admin)
    _add(client, s, s.class_5a, [s.pupils_5a[0], s.pupils_5a[1]])
    membership = db.session.scalar(select(ClubMembership).where(ClubMembership.student_id == s.pupils_5a[0].id))
    page = client.get(f"/admin/clubs/{s.robotics.id}").get_data(as_text=True)
    assert f'action="/admin/club-members/{membership.id}/end"' in page
    assert 'data-confirm="Исключить Петров Пётр из объединения «Робототехника»?' in page
    last_day = TODAY - timedelta(days=1)
    response = client.post(f"/admin/club-members/{membership.id}/end", data={"until": last_day.isoformat()})
    assert response.status_code == 302
    assert (s.pupils_5a[0].id, s.year.start_date, last_day) in _members(s)  # ended, not deleted
    page = client.get(f"/admin/clubs/{s.robotics.id}").get_data(as_text=True)
    now, earlier = page.split('id="members"')[1].split("</section>")[0], page.split('id="history"')[1]
    assert "Петров Пётр" not in now and "Алексеева Анна" in now
    assert "Петров Пётр" in earlier and last_day.strftime("%d.%m.%Y") in earlier
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "club_membership",
                                                       AuditEntry.action == "end"))
    assert entry.entity_id == membership.id and entry.after["until"] == last_day.isoformat()
    # Back again later: a new stay, the old one kept.
    assert _add(client, s, s.class_5a, [s.pupils_5a[0]], since=TODAY).status_code == 302
    assert [m for m in _members(s) if m[0] == s.pupils_5a[0].id] == [
        (s.pupils_5a[0].id, s.year.start_date, last_day), (s.pupils_5a[0].id, TODAY, None)]


@pytest.mark.parametrize("case", ["before_since", "outside_year", "no_date", "already_ended"])
def test_a_bad_end_of_a_stay_is_refused_and_changes_nothing(client, auth, club, case):
    s = club
    auth.login(s.admin)
    _add(client, s, s.class_5a, [s.pupils_5a[0]], since=school_date(2026, 10, 1))
    membership = db.session.scalar(select(ClubMembership))
    until = {"before_since": school_date(2026, 9, 20).isoformat(),
             "outside_year": (s.year.end_date + timedelta(days=1)).isoformat(),
             "no_date": "", "already_ended": TODAY.isoformat()}[case]
    if case == "already_ended":
        assert client.post(f"/admin/club-members/{membership.id}/end", data={"until": until}).status_code == 302
    before = _members(s)
    response = client.post(f"/admin/club-members/{membership.id}/end", data={"until": until})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert any(m in text for m in ("раньше даты записи", "внутри учебного года", "Укажите последний день",
                                   "уже не занимается"))
    assert _members(s) == before


def test_adding_refuses_duplicates_foreign_pupils_and_plain_classes(client, auth, club):
    s = club
    auth.login(s.admin)
    _add(client, s, s.class_5a, [s.pupils_5a[0]])
    before = _members(s)
    # Already in the club: no longer offered, so the choice is refused; nothing is added.
    response = _add(client, s, s.class_5a, [s.pupils_5a[0], s.pupils_5a[1]])
    assert response.status_code == 400 and _members(s) == before
    # A pupil of 5Б posted as if from 5А is not a valid choice.
    assert _add(client, s, s.class_5a, [s.pupils_5b[0]]).status_code == 400
    # Nobody ticked, a date outside the year.
    assert _add(client, s, s.class_5a, []).status_code == 400
    response = _add(client, s, s.class_5a, [s.pupils_5a[1]], since=s.year.end_date + timedelta(days=1))
    assert response.status_code == 400 and "внутри учебного года" in response.get_data(as_text=True)
    assert _members(s) == before
    # A class is no club: its members page does not exist.
    assert client.get(f"/admin/clubs/{s.class_5a.id}").status_code == 404
    assert client.post(f"/admin/clubs/{s.class_5a.id}/members",
                       data={"from_class": str(s.class_5b.id), "students": [str(s.pupils_5b[0].id)],
                             "since": s.year.start_date.isoformat()}).status_code == 404
    assert _members(s) == before


def test_the_operation_refuses_a_member_already_in_the_club(app, club):
    s = club
    club_ops.add_members(s.robotics, [s.pupils_5a[0]], s.year.start_date)
    db.session.commit()
    with pytest.raises(Refusal) as refused:
        club_ops.add_members(s.robotics, [s.pupils_5a[1], s.pupils_5a[0]], TODAY)
    db.session.rollback()
    assert "уже занимается" in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(ClubMembership)) == 1


def test_a_closed_year_club_cannot_change(client, auth, club):
    s = club
    auth.login(s.admin)
    _add(client, s, s.class_5a, [s.pupils_5a[0]])
    membership = db.session.scalar(select(ClubMembership))
    db.session.get(AcademicYear, s.year.id).is_closed = True
    db.session.commit()
    before = _members(s)
    # a closed year's data: refused by its guard (models/year_closing.py), 409
    assert _add(client, s, s.class_5a, [s.pupils_5a[1]]).status_code == 409
    assert client.post(f"/admin/club-members/{membership.id}/end", data={"until": TODAY.isoformat()}).status_code == 409
    assert _members(s) == before


def test_students_are_neither_enrolled_nor_transferred_into_a_club_as_their_class(client, auth, club):
    s = club
    auth.login(s.admin)
    before = _class_state(s)
    response = client.post(f"/admin/classes/{s.class_5a.id}/transfer", data={
        "student_id": str(s.pupils_5a[0].id), "to_class_id": str(s.robotics.id),
        "date": TODAY.isoformat(), "order_number": "15-у"})
    assert response.status_code == 400
    with pytest.raises(structure.StructureError):
        structure.transfer_student(s.pupils_5a[0], s.robotics, TODAY, "15-у", s.admin)
    db.session.rollback()
    response = client.post(f"/admin/classes/{s.robotics.id}/enrol", data={
        "last_name": "Новиков", "first_name": "Нил", "book_number": "9999",
        "date": TODAY.isoformat(), "order_number": "16-у"})
    assert response.status_code == 400 and "объединение доп. образования" in response.get_data(as_text=True)
    assert _class_state(s) == before
    page = client.get(f"/admin/classes/{s.robotics.id}").get_data(as_text=True)
    assert 'id="enrol"' not in page


def test_withdrawal_from_school_ends_the_club_stays(client, auth, club):
    s = club
    auth.login(s.admin)
    _add(client, s, s.class_5b, [s.pupils_5b[1]])
    response = client.post(f"/admin/classes/{s.class_5b.id}/withdraw", data={
        "student_id": str(s.pupils_5b[1].id), "date": TODAY.isoformat(), "order_number": "20-у",
        "reason": "переезд"})
    assert response.status_code == 302
    assert _members(s) == [(s.pupils_5b[1].id, s.year.start_date, TODAY - timedelta(days=1))]


def test_the_club_page_runs_a_bounded_number_of_queries(client, auth, club, count_queries):
    """The same statements for a club of two and of seven, with one and two former members."""
    s = club
    auth.login(s.admin)

    def leave(pupil):
        membership = db.session.scalar(select(ClubMembership).where(ClubMembership.student_id == pupil.id))
        client.post(f"/admin/club-members/{membership.id}/end", data={"until": (TODAY - timedelta(days=1)).isoformat()})

    url = f"/admin/clubs/{s.robotics.id}?from_class={s.class_5b.id}"
    _add(client, s, s.class_5a, s.pupils_5a[:3])
    leave(s.pupils_5a[0])
    client.get(url)  # warm up
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _add(client, s, s.class_5a, s.pupils_5a[3:])
    _add(client, s, s.class_5b, s.pupils_5b)
    db.session.add(ClubMembership(group=s.robotics, student=s.pupil_1a, since=s.year.start_date))
    db.session.commit()
    leave(s.pupils_5a[1])
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count <= 20


def test_the_club_s_page_names_it_a_club_with_a_leader_not_a_class_with_a_class_teacher(client, auth, club):
    s = club
    auth.login(s.admin)
    page = client.get(f"/admin/classes/{s.robotics.id}").get_data(as_text=True)
    assert "Объединение «Робототехника»" in page and "Класс Робототехника" not in page
    assert "Классный руководитель" not in page and "Руководитель" in page
    class_page = client.get(f"/admin/classes/{s.class_5a.id}").get_data(as_text=True)
    assert "Класс 5А" in class_page and "Классный руководитель" in class_page
