"""A new academic year opened from the current one (ADM-1, issue 10 item 5): the preview stores
nothing; the commit opens the year with its periods a year on, the classes one grade up with
their students, subgroups, curriculum and the confirmed assignments, and graduates the eleventh
grade by the director's order; a student kept down stays in the same grade. All or nothing;
a year is closed only after its last day."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import (
    AcademicYear,
    AuditEntry,
    ClassGroup,
    ClassMembership,
    CurriculumItem,
    EnrolmentEvent,
    Student,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
)
from tests.test_demo import DEMO_PASSWORD

ORDER = "№ 95-о от 31.05.2027"


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot() -> dict[str, int]:
    return {
        m.__name__: count(m)
        for m in (AcademicYear, StudyPeriod, ClassGroup, ClassMembership, EnrolmentEvent, Subgroup,
                  SubgroupMember, CurriculumItem, TeachingAssignment)
    } | {"withdrawn": count(Student, Student.is_withdrawn.is_(True))}


def year_named(name: str) -> AcademicYear | None:
    return db.session.scalar(select(AcademicYear).where(AcademicYear.name == name))


def class_in(year: AcademicYear, name: str) -> ClassGroup:
    return db.session.scalar(select(ClassGroup).where(ClassGroup.year_id == year.id, ClassGroup.name == name))


def students_of(group: ClassGroup) -> list[Student]:
    return list(db.session.scalars(
        select(Student).where(Student.current_class_id == group.id).order_by(Student.last_name, Student.id)
    ))


def open_form(year: AcademicYear, **extra) -> dict:
    """What the preview's form posts with everything left as proposed."""
    assignments = db.session.scalars(
        select(TeachingAssignment.id)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(TeachingAssignment.year_id == year.id, TeachingAssignment.is_active.is_(True),
               (ClassGroup.grade < 11) | (ClassGroup.kind == "extra"))
    ).all()
    classes = db.session.scalars(select(ClassGroup).where(ClassGroup.year_id == year.id)).all()
    data = {
        "start_date": f"{year.start_date.year + 1}-09-01",
        "end_date": f"{year.start_date.year + 2}-05-31",
        "order_number": ORDER,
        "confirm": "y",
        "assignment": [str(a) for a in assignments],
    }
    data |= {f"teacher_{c.id}": str(c.class_teacher_id or "") for c in classes}
    return data | extra


@pytest.fixture
def demo_admin(client, auth, runner):
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    assert auth.login("admin", DEMO_PASSWORD).status_code == 302
    client.year = year_named("2026/2027")
    return client


@pytest.fixture
def admin_client(client, auth, small_school):
    s = small_school(fixed_calendar=True)
    auth.login(s.admin)
    client.school = s
    return client


# The acceptance point: the demo school in its next year -----------------------------------------


def test_demo_school_opened_into_the_next_year_moves_classes_up_and_graduates_11a(demo_admin, count_queries):
    old = demo_admin.year
    before = snapshot()
    with count_queries() as preview_queries:
        page = demo_admin.get(f"/admin/years/{old.id}/next")
    assert page.status_code == 200
    body = text(page)
    assert "2027/2028" in body and "выпуск" in body and "6Б" in body
    assert "Первые классы нового набора не создаются" in body
    assert preview_queries.count <= 25, preview_queries.statements  # not one query per class or student
    assert snapshot() == before  # the preview stores nothing

    old_5a, old_11a, old_1a = class_in(old, "5А"), class_in(old, "11А"), class_in(old, "1А")
    pupils_5a, graduates = students_of(old_5a), students_of(old_11a)
    old_curriculum = {(i.subject_id, i.hours_per_week)
                      for i in db.session.scalars(select(CurriculumItem).where(CurriculumItem.class_id == old_5a.id))}
    old_assignments = {
        (a.teacher_id, a.subject_id, a.subgroup.name if a.subgroup else None, a.scale_id)
        for a in db.session.scalars(select(TeachingAssignment).where(TeachingAssignment.class_id == old_5a.id))
    }
    old_groups = {g.name: {m.student_id for m in g.members} for g in old_5a.subgroups}

    response = demo_admin.post(f"/admin/years/{old.id}/next", data=open_form(old))
    assert response.status_code == 302, text(response)
    new = year_named("2027/2028")
    assert response.location.endswith(f"/admin/years/{new.id}")
    assert (new.start_date, new.end_date, new.is_current, new.is_closed) == (date(2027, 9, 1), date(2028, 5, 31), False, False)

    # Classes one grade up; 11А graduates; no first grade; the club copied.
    names = set(db.session.scalars(select(ClassGroup.name).where(ClassGroup.year_id == new.id, ClassGroup.kind == "class")))
    assert names == {"2А", "3А", "4А", "5А", "6А", "6Б", "7А", "8А", "9А", "10А", "11А"}
    new_6a, new_2a = class_in(new, "6А"), class_in(new, "2А")
    assert (new_6a.grade, new_6a.letter, new_6a.period_scheme, new_6a.class_teacher_id) == (6, "А", "quarter", old_5a.class_teacher_id)
    assert class_in(new, "11А").period_scheme == "half_year"  # from 10А
    assert new_2a.attendance_only is False and old_1a.attendance_only is True
    robotics = class_in(new, "Робототехника")
    assert robotics.kind == "extra" and robotics.grade == 5
    assert count(ClassMembership, ClassMembership.class_id == robotics.id) == 0

    # Periods a year on, the first from the new start, the last to the new end; no holidays.
    quarters = db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id == new.id, StudyPeriod.scheme == "quarter").order_by(StudyPeriod.number)
    ).all()
    assert [(q.start_date, q.end_date) for q in quarters] == [
        (date(2027, 9, 1), date(2027, 10, 24)), (date(2027, 11, 5), date(2027, 12, 28)),
        (date(2028, 1, 12), date(2028, 3, 21)), (date(2028, 3, 31), date(2028, 5, 31)),
    ]
    assert count(StudyPeriod, StudyPeriod.year_id == new.id) == count(StudyPeriod, StudyPeriod.year_id == old.id)
    assert not new.holidays

    # Students of 5А: the old stay ends with the old year, the new one starts with the new year.
    for pupil in pupils_5a:
        stays = {(m.class_id, m.since, m.until) for m in db.session.scalars(
            select(ClassMembership).where(ClassMembership.student_id == pupil.id))}
        assert stays == {(old_5a.id, old.start_date, old.end_date), (new_6a.id, new.start_date, None)}
        assert pupil.current_class_id == old_5a.id  # until the new year becomes current
    new_groups = {g.name: {m.student_id for m in g.members} for g in new_6a.subgroups}
    assert new_groups == old_groups and all(old_groups.values())

    # Graduates: an event by the order, no class in the new year.
    assert graduates
    for pupil in graduates:
        events = db.session.scalars(select(EnrolmentEvent).where(
            EnrolmentEvent.student_id == pupil.id, EnrolmentEvent.kind == "graduate")).all()
        assert [(e.date, e.order_number, e.from_class_id) for e in events] == [(old.end_date, ORDER, old_11a.id)]
        assert db.session.scalar(select(ClassMembership.until).where(
            ClassMembership.student_id == pupil.id, ClassMembership.class_id == old_11a.id)) == old.end_date
        assert count(ClassMembership, ClassMembership.student_id == pupil.id) == 1

    # Curriculum and assignments copied to the class one grade up.
    assert {(i.subject_id, i.hours_per_week) for i in db.session.scalars(
        select(CurriculumItem).where(CurriculumItem.class_id == new_6a.id))} == old_curriculum
    new_assignments = db.session.scalars(select(TeachingAssignment).where(TeachingAssignment.class_id == new_6a.id)).all()
    assert {(a.teacher_id, a.subject_id, a.subgroup.name if a.subgroup else None, a.scale_id)
            for a in new_assignments} == old_assignments
    assert all(a.year_id == new.id and (a.subgroup is None or a.subgroup.class_id == new_6a.id) for a in new_assignments)
    assert count(TeachingAssignment, TeachingAssignment.class_id == robotics.id) == 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "open_from")) is not None

    # The new year becomes current: the students follow, the graduates leave the school.
    assert demo_admin.post(f"/admin/years/{new.id}/current").status_code == 302
    db.session.expire_all()
    assert {s.current_class_id for s in db.session.scalars(select(Student).where(
        Student.id.in_([p.id for p in pupils_5a])))} == {new_6a.id}
    for pupil in db.session.scalars(select(Student).where(Student.id.in_([p.id for p in graduates]))):
        assert pupil.is_withdrawn and pupil.current_class_id is None
    assert count(Student, Student.is_withdrawn.is_(False), Student.current_class_id.is_not(None),
                 Student.current_class_id.not_in(select(ClassGroup.id).where(ClassGroup.year_id == new.id))) == 0


def test_a_student_kept_down_stays_in_the_same_grade(demo_admin):
    old = demo_admin.year
    old_5a = class_in(old, "5А")
    kept = students_of(old_5a)[0]
    response = demo_admin.post(f"/admin/years/{old.id}/next", data=open_form(old, repeat=[str(kept.id)]))
    assert response.status_code == 302, text(response)
    new = year_named("2027/2028")
    new_5a, new_6a = class_in(new, "5А"), class_in(new, "6А")  # new 5А is the old 4А
    assert db.session.scalar(select(ClassMembership.class_id).where(
        ClassMembership.student_id == kept.id, ClassMembership.since == new.start_date)) == new_5a.id
    assert count(ClassMembership, ClassMembership.student_id == kept.id, ClassMembership.class_id == new_6a.id) == 0
    assert count(SubgroupMember, SubgroupMember.student_id == kept.id,
                 SubgroupMember.subgroup_id.in_(select(Subgroup.id).where(Subgroup.class_id == new_6a.id))) == 0
    assert count(ClassMembership, ClassMembership.class_id == new_6a.id) == len(students_of(old_5a)) - 1


def test_keeping_down_a_first_grader_is_refused_when_the_new_year_has_no_first_grade(demo_admin):
    old = demo_admin.year
    first_grader = students_of(class_in(old, "1А"))[0]
    before = snapshot()
    response = demo_admin.post(f"/admin/years/{old.id}/next", data=open_form(old, repeat=[str(first_grader.id)]))
    assert response.status_code == 400
    assert "нет классов 1-й параллели" in text(response)
    assert snapshot() == before and year_named("2027/2028") is None


# Refusals: nothing stored --------------------------------------------------------------------


def test_a_second_run_for_the_same_year_is_refused(admin_client):
    s = admin_client.school
    assert admin_client.post(f"/admin/years/{s.year.id}/next", data=open_form(s.year)).status_code == 302
    before = snapshot()
    again = admin_client.post(f"/admin/years/{s.year.id}/next", data=open_form(s.year))
    assert again.status_code == 409 and "уже открыт" in text(again)
    preview = admin_client.get(f"/admin/years/{s.year.id}/next")
    assert preview.status_code == 409 and "повторно перевести классы нельзя" in text(preview)
    assert snapshot() == before
    # the year's page no longer offers the opening: it leads to the year already opened
    page = text(admin_client.get(f"/admin/years/{s.year.id}"))
    assert f"/admin/years/{s.year.id}/next" not in page
    from blueprints.admin.structure.new_year_operations import next_year_name

    assert f'href="/admin/years/{year_named(next_year_name(s.year)).id}"' in page and "уже открыт" in page


def test_opening_from_a_year_that_is_not_current_is_refused(admin_client):
    s = admin_client.school
    assert admin_client.post("/admin/years", data={"name": "2025/2026", "start_date": "2025-09-01",
                                                   "end_date": "2026-05-29"}).status_code == 302
    past = year_named("2025/2026")
    before = snapshot()
    response = admin_client.post(f"/admin/years/{past.id}/next", data=open_form(past))
    assert response.status_code == 400 and "не текущий" in text(response)
    assert admin_client.get(f"/admin/years/{past.id}/next").status_code == 400
    assert snapshot() == before
    assert "/next" not in text(admin_client.get(f"/admin/years/{past.id}"))
    assert f"/admin/years/{s.year.id}/next" in text(admin_client.get(f"/admin/years/{s.year.id}"))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"order_number": ""}, "номер приказа о выпуске"),  # small_school has no 11th grade ...
        ({"confirm": ""}, "Отметьте подтверждение"),
        ({"start_date": "2027-09-01", "end_date": "2027-08-01"}, "раньше даты окончания"),
        ({"start_date": "2027-05-01"}, "после окончания текущего"),
        ({"start_date": "01.09.2027"}, "в формате"),
        ({"start_date": ""}, "Укажите даты"),
        ({"assignment": ["999999"]}, "не найдена"),
        ({"repeat": ["abc"]}, "Неверные данные"),
        ({"repeat": ["999999"]}, "которого нет в классах"),
    ],
)
def test_bad_input_is_refused_in_russian_and_nothing_is_stored(admin_client, change, message):
    s = admin_client.school
    if "order_number" in change:  # ... so one of its pupils is moved into an 11th grade for this case
        s.class_5b.grade, s.class_5b.name = 11, "11Б"
    before = snapshot()
    response = admin_client.post(f"/admin/years/{s.year.id}/next", data=open_form(s.year) | change)
    assert response.status_code == 400, text(response)
    assert message in text(response)
    assert snapshot() == before and count(AcademicYear) == 1


def test_a_teacher_of_another_school_cannot_become_class_teacher(admin_client, create_user):
    s = admin_client.school
    from models import School

    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    stranger = create_user(other, "teacher", login="stranger")
    before = snapshot()
    response = admin_client.post(f"/admin/years/{s.year.id}/next",
                                 data=open_form(s.year, **{f"teacher_{s.class_5a.id}": str(stranger.id)}))
    assert response.status_code == 400 and "учителя своей школы" in text(response)
    assert snapshot() == before


def test_unchecked_assignments_stay_behind_and_the_class_teacher_can_change(admin_client):
    s = admin_client.school
    form = open_form(s.year)
    form["assignment"] = [a for a in form["assignment"] if a != str(s.maths_5a.id)]
    form[f"teacher_{s.class_5a.id}"] = str(s.russian_teacher.id)
    form[f"teacher_{s.class_1a.id}"] = ""
    assert admin_client.post(f"/admin/years/{s.year.id}/next", data=form).status_code == 302
    new = year_named(f"{s.year.start_date.year + 1}/{s.year.start_date.year + 2}")
    new_6a = class_in(new, "6А")
    subjects = set(db.session.scalars(select(TeachingAssignment.subject_id).where(TeachingAssignment.class_id == new_6a.id)))
    assert s.maths.id not in subjects and subjects
    assert new_6a.class_teacher_id == s.russian_teacher.id
    assert class_in(new, "2А").class_teacher_id is None


def test_preview_shows_shifted_periods_for_other_dates_and_stores_nothing(admin_client):
    s = admin_client.school
    before = snapshot()
    page = admin_client.get(f"/admin/years/{s.year.id}/next?start_date=2027-09-02&end_date=2028-05-26")
    assert page.status_code == 200
    body = text(page)
    assert "02.09.2027" in body and "26.05.2028" in body and "05.11.2027" in body
    assert re.search(r'name="start_date" value="2027-09-02"', body)
    bad = admin_client.get(f"/admin/years/{s.year.id}/next?start_date=2027-09-02&end_date=2027-09-01")
    assert bad.status_code == 400 and "раньше даты окончания" in text(bad)
    assert snapshot() == before


# Closing a year ------------------------------------------------------------------------------


def test_a_year_cannot_be_closed_before_its_end(client, auth, small_school):
    s = small_school()  # today is inside the year, whatever the clock
    auth.login(s.director)  # only the director closes a year (ARC-1)
    response = client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"})
    assert response.status_code == 400
    assert "ещё идёт" in text(response)
    # the page says so instead of offering a button that is refused
    page = text(client.get(f"/admin/years/{s.year.id}"))
    assert 'id="year-not-closable"' in page and f"/admin/years/{s.year.id}/close" not in page
    db.session.expire_all()
    assert not db.session.get(AcademicYear, s.year.id).is_closed
    assert count(StudyPeriod, StudyPeriod.is_closed.is_(True)) == 0


def test_pages_for_other_users_and_schools_are_refused(client, auth, small_school, create_user):
    s = small_school(fixed_calendar=True)
    auth.login(s.maths_teacher)
    assert client.get(f"/admin/years/{s.year.id}/next").status_code in {403, 404}
    auth.logout()
    from models import School

    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    their_admin = create_user(other, "journal_admin", login="admin_other")
    before = snapshot()
    auth.login(their_admin)
    assert client.get(f"/admin/years/{s.year.id}/next").status_code in {403, 404}
    assert client.post(f"/admin/years/{s.year.id}/next", data=open_form(s.year)).status_code in {403, 404}
    assert snapshot() == before


def test_the_usual_dates_of_the_next_year(app):
    from blueprints.admin.structure.new_year_operations import default_dates

    def year_from(first: int) -> AcademicYear:
        return AcademicYear(name=f"{first}/{first + 1}", start_date=date(first, 9, 1), end_date=date(first + 1, 5, 31))

    assert default_dates(year_from(2026)) == (date(2027, 9, 1), date(2028, 5, 31))  # Wed, Wed
    assert default_dates(year_from(2028)) == (date(2029, 9, 1), date(2030, 5, 31))  # Sat, Fri
    start, end = default_dates(year_from(2029))  # 1.09.2030 is a Sunday, 31.05.2031 a Saturday
    assert (start, end) == (date(2030, 9, 2), date(2031, 5, 30))
    assert start - timedelta(days=1) == date(2030, 9, 1)

