"""Administration of the school's structure: academic years, periods and holidays, classes and
subgroups, subjects and curriculum, kinds of work, scales, teaching assignments, and the
movement of students by the director's order (ADM-1, ADM-2, ADM-5, ADM-8)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from blueprints.admin.structure import operations
from extensions import db
from models import (
    AcademicYear,
    AuditEntry,
    ClassGroup,
    ClassMembership,
    CurriculumItem,
    EnrolmentEvent,
    Holiday,
    MarkingScale,
    School,
    Student,
    StudyPeriod,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    WorkKind,
)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin_client(client, auth, small_school):
    # The year's structure, enrolments and transfers are checked against the year, not the
    # clock: the dates stay as written.
    s = small_school(fixed_calendar=True)
    auth.login(s.admin)
    client.school = s
    return client


# Who may open the pages ------------------------------------------------------------------------


def test_every_structure_page_opens_for_the_administrator(admin_client):
    s = admin_client.school
    pages = [
        "/admin/",
        "/admin/years",
        f"/admin/years/{s.year.id}",
        f"/admin/periods/{s.quarters[0].id}/edit",
        "/admin/classes",
        f"/admin/classes?year_id={s.year.id}",
        "/admin/classes/new",
        f"/admin/classes/{s.class_5a.id}",
        f"/admin/classes/{s.class_1a.id}",
        f"/admin/classes/{s.class_5a.id}/edit",
        f"/admin/subgroups/{s.group_1.id}",
        "/admin/subjects",
        f"/admin/subjects/{s.maths.id}/edit",
        "/admin/work-kinds",
        "/admin/scales",
        "/admin/assignments",
        f"/admin/assignments?class_id={s.class_5a.id}",
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "admin.css" in text(response), url
        assert "style=" not in text(response) and "<script>" not in text(response), url
        ids = re.findall(r'\sid="([^"]+)"', text(response))
        assert len(ids) == len(set(ids)), f"{url}: HTML ids repeat"


def test_director_opens_the_structure_pages(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    assert client.get(f"/admin/classes/{s.class_5a.id}").status_code == 200


@pytest.mark.parametrize("who", ["maths_teacher", "deputy", "parent_a", "methodist"])
def test_non_administrators_are_refused_and_change_nothing(client, auth, small_school, who):
    s = small_school()
    auth.login(getattr(s, who))
    assert client.get("/admin/years").status_code == 403
    assert client.get(f"/admin/classes/{s.class_5a.id}").status_code == 403
    response = client.post(
        "/admin/years", data={"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-31"}
    )
    assert response.status_code == 403
    response = client.post(
        f"/admin/classes/{s.class_5a.id}/withdraw",
        data={"student_id": s.pupils_5a[0].id, "date": "2026-10-01", "order_number": "1", "reason": "x"},
    )
    assert response.status_code == 403
    assert count(AcademicYear) == 1
    assert count(EnrolmentEvent) == 0


def test_administrator_of_another_school_cannot_reach_its_objects(
    client, auth, small_school, create_user, create_student
):
    ours = small_school(fixed_calendar=True)
    school = School(name="МБОУ «Школа № 2»", short_name="Школа № 2")
    year = AcademicYear(
        school=school, name="2026/2027", start_date=date(2026, 9, 1), end_date=date(2027, 5, 31), is_current=True
    )
    their_class = ClassGroup(school=school, year=year, name="5А", grade=5, letter="А")
    db.session.add_all([school, year, their_class])
    their_admin = create_user(school, "journal_admin", login="admin2")
    their_pupil = create_student(school, their_class, "Чужов", "Иван", with_login=False)
    db.session.commit()
    auth.login(their_admin)
    for url in [
        f"/admin/years/{ours.year.id}",
        f"/admin/periods/{ours.quarters[0].id}/edit",
        f"/admin/classes/{ours.class_5a.id}",
        f"/admin/classes/{ours.class_5a.id}/edit",
        f"/admin/subgroups/{ours.group_1.id}",
        f"/admin/subjects/{ours.maths.id}/edit",
    ]:
        assert client.get(url).status_code in {403, 404}, url
    posts = [
        (f"/admin/years/{ours.year.id}/close", {"confirm": "y"}),
        (f"/admin/subjects/{ours.maths.id}/deactivate", {}),
        (f"/admin/assignments/{ours.maths_5a.id}/deactivate", {}),
        (
            f"/admin/classes/{ours.class_5a.id}/enrol",
            {"last_name": "Чужой", "first_name": "Ч", "book_number": "X1", "date": "2026-10-01", "order_number": "1"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code in {403, 404}, url
    # Nor through ids slipped into a form of their own class.
    response = client.post(
        f"/admin/classes/{their_class.id}/transfer",
        data={"student_id": their_pupil.id, "to_class_id": ours.class_5b.id, "date": "2026-10-01", "order_number": "1"},
    )
    assert response.status_code in {400, 403, 404}
    assert not db.session.get(AcademicYear, ours.year.id).is_closed
    assert db.session.get(Subject, ours.maths.id).is_active
    assert db.session.get(TeachingAssignment, ours.maths_5a.id).is_active
    assert count(Student, Student.current_class_id == ours.class_5b.id) == 2


# Academic years --------------------------------------------------------------------------------


def test_open_a_new_year(admin_client):
    response = admin_client.post(
        "/admin/years", data={"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-31"}
    )
    assert response.status_code == 302
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.name == "2027/2028"))
    assert year is not None and not year.is_current and not year.is_closed
    assert count(AuditEntry, AuditEntry.entity == "academic_year", AuditEntry.action == "create") == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "2027-2028", "start_date": "2027-09-01", "end_date": "2028-05-31"}, "2026/2027"),
        ({"name": "2027/2029", "start_date": "2027-09-01", "end_date": "2029-05-31"}, "два года подряд"),
        ({"name": "2027/2028", "start_date": "2028-05-31", "end_date": "2027-09-01"}, "раньше даты окончания"),
        ({"name": "2027/2028", "start_date": "2026-09-01", "end_date": "2028-05-31"}, "должны лежать в годах"),
        ({"name": "2026/2027", "start_date": "2026-09-01", "end_date": "2027-05-31"}, "уже есть"),
        ({"name": "2027/2028", "start_date": "", "end_date": "2028-05-31"}, "Укажите дату начала"),
    ],
)
def test_bad_year_is_refused_in_russian_and_nothing_is_created(admin_client, data, message):
    response = admin_client.post("/admin/years", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert count(AcademicYear) == 1


def test_make_current_moves_the_flag(admin_client):
    s = admin_client.school
    admin_client.post("/admin/years", data={"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-31"})
    new = db.session.scalar(select(AcademicYear).where(AcademicYear.name == "2027/2028"))
    assert admin_client.post(f"/admin/years/{new.id}/current").status_code == 302
    db.session.expire_all()
    assert db.session.get(AcademicYear, new.id).is_current
    assert not db.session.get(AcademicYear, s.year.id).is_current


def test_closing_a_year_needs_confirmation_and_closes_its_periods(admin_client, auth):
    from tests.test_year_closing import make_closable

    s = admin_client.school
    make_closable(s)  # the checklist: tests/test_year_closing.py
    # Only after its last day (tests/test_admin_new_year.py has the refusal before it), and only
    # by the director (ARC-1).
    with time_machine.travel(datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc), tick=False):
        auth.login(s.director)
        assert f"/admin/years/{s.year.id}/close" in text(admin_client.get(f"/admin/years/{s.year.id}"))
        page = text(admin_client.get(f"/admin/years/{s.year.id}/close"))
        assert "data-confirm" in page
        response = admin_client.post(f"/admin/years/{s.year.id}/close", data={})
        assert response.status_code == 400
        assert "Отметьте подтверждение" in text(response)
        assert not db.session.get(AcademicYear, s.year.id).is_closed

        assert admin_client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"}).status_code == 302
        db.session.expire_all()
        assert db.session.get(AcademicYear, s.year.id).is_closed
        assert count(StudyPeriod, StudyPeriod.is_closed.is_(False)) == 0
        # A closed year takes no new periods, classes or enrolments (409: models/year_closing.py).
        auth.login(s.admin)
        response = admin_client.post(
            f"/admin/years/{s.year.id}/periods",
            data={"scheme": "half_year", "number": 1, "start_date": "2026-09-01", "end_date": "2026-12-28"},
        )
        assert response.status_code == 409 and "закрыт" in text(response)
    assert count(StudyPeriod) == 4


# Periods and holidays --------------------------------------------------------------------------


def test_add_a_half_year_alongside_the_quarters(admin_client):
    s = admin_client.school
    response = admin_client.post(
        f"/admin/years/{s.year.id}/periods",
        data={"scheme": "half_year", "number": 1, "name": "", "start_date": "2026-09-01", "end_date": "2026-12-28"},
    )
    assert response.status_code == 302
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "half_year"))
    assert period.name == "1 полугодие"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"scheme": "quarter", "number": 4, "start_date": "2027-05-01", "end_date": "2027-05-30"}, "уже есть"),
        (
            {"scheme": "trimester", "number": 1, "start_date": "2026-08-20", "end_date": "2026-11-30"},
            "внутри учебного года",
        ),
        (
            {"scheme": "trimester", "number": 1, "start_date": "2026-11-30", "end_date": "2026-09-01"},
            "не может быть позже",
        ),
        ({"scheme": "trimester", "number": 4, "start_date": "2026-09-01", "end_date": "2026-11-30"}, "от 1 до 3"),
    ],
)
def test_bad_period_is_refused(admin_client, data, message):
    s = admin_client.school
    response = admin_client.post(f"/admin/years/{s.year.id}/periods", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert count(StudyPeriod) == 4


def test_periods_of_one_scheme_may_not_overlap(admin_client):
    s = admin_client.school
    response = admin_client.post(
        f"/admin/periods/{s.quarters[1].id}/edit",
        data={"number": 2, "name": "2 четверть", "start_date": "2026-10-20", "end_date": "2026-12-28"},
    )
    assert response.status_code == 400
    assert "пересекаются с периодом «1 четверть»" in text(response)
    assert db.session.get(StudyPeriod, s.quarters[1].id).start_date == date(2026, 11, 5)

    response = admin_client.post(
        f"/admin/periods/{s.quarters[1].id}/edit",
        data={"number": 2, "name": "2 четверть", "start_date": "2026-11-06", "end_date": "2026-12-27"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StudyPeriod, s.quarters[1].id).start_date == date(2026, 11, 6)


def test_standard_quarters_fill_an_empty_year_once(admin_client):
    admin_client.post("/admin/years", data={"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-31"})
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.name == "2027/2028"))
    assert admin_client.post(f"/admin/years/{year.id}/quarters").status_code == 302
    quarters = db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id == year.id).order_by(StudyPeriod.number)
    ).all()
    assert [(q.number, q.start_date, q.end_date) for q in quarters] == [
        (1, date(2027, 9, 1), date(2027, 10, 25)),
        (2, date(2027, 11, 5), date(2027, 12, 28)),
        (3, date(2028, 1, 12), date(2028, 3, 21)),
        (4, date(2028, 4, 1), date(2028, 5, 31)),
    ]
    assert count(Holiday, Holiday.year_id == year.id) == 3
    response = admin_client.post(f"/admin/years/{year.id}/quarters")
    assert response.status_code == 400 and "уже заданы" in text(response)
    assert count(StudyPeriod, StudyPeriod.year_id == year.id) == 4


def test_holidays_are_added_inside_the_year_and_deleted_after_confirmation(admin_client):
    s = admin_client.school
    url = f"/admin/years/{s.year.id}/holidays"
    response = admin_client.post(url, data={"name": "Летние", "start_date": "2027-06-01", "end_date": "2027-08-31"})
    assert response.status_code == 400 and "внутри учебного года" in text(response)
    assert (
        admin_client.post(
            url, data={"name": "Осенние каникулы", "start_date": "2026-10-26", "end_date": "2026-11-04"}
        ).status_code
        == 302
    )
    response = admin_client.post(url, data={"name": "Ещё", "start_date": "2026-11-01", "end_date": "2026-11-03"})
    assert response.status_code == 400 and "пересекаются с каникулами" in text(response)
    holiday = db.session.scalar(select(Holiday))
    assert "data-confirm" in text(admin_client.get(f"/admin/years/{s.year.id}"))
    assert admin_client.post(f"/admin/holidays/{holiday.id}/delete").status_code == 302
    assert count(Holiday) == 0


# Classes and subgroups -------------------------------------------------------------------------


def class_data(s, **changes):
    data = {
        "year_id": s.year.id,
        "grade": 6,
        "letter": "в",
        "name": "",
        "kind": "class",
        "period_scheme": "quarter",
        "attendance_only": "auto",
        "class_teacher_id": s.russian_teacher.id,
    }
    data.update(changes)
    return data


def test_create_a_class_named_from_grade_and_letter(admin_client):
    s = admin_client.school
    response = admin_client.post("/admin/classes/new", data=class_data(s))
    assert response.status_code == 302
    created = db.session.scalar(select(ClassGroup).where(ClassGroup.name == "6В"))
    assert created.class_teacher_id == s.russian_teacher.id
    assert created.attendance_only is False


def test_first_grade_records_attendance_only_by_default(admin_client):
    s = admin_client.school
    admin_client.post("/admin/classes/new", data=class_data(s, grade=1, letter="Б", class_teacher_id=0))
    assert db.session.scalar(select(ClassGroup).where(ClassGroup.name == "1Б")).attendance_only is True
    admin_client.post("/admin/classes/new", data=class_data(s, grade=1, letter="В", attendance_only="no"))
    assert db.session.scalar(select(ClassGroup).where(ClassGroup.name == "1В")).attendance_only is False


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"grade": 12}, "от 1 до 11"),
        ({"grade": 5, "letter": "А"}, "уже есть"),
        ({"class_teacher_id": "PARENT"}, "Неверный вариант"),
    ],
)
def test_bad_class_is_refused(admin_client, changes, message):
    s = admin_client.school
    if changes.get("class_teacher_id") == "PARENT":
        changes["class_teacher_id"] = s.parent_a.id  # a parent cannot be a class teacher
    response = admin_client.post("/admin/classes/new", data=class_data(s, **changes))
    assert response.status_code == 400
    assert message in text(response)
    assert count(ClassGroup) == 3


def test_edit_a_class(admin_client):
    s = admin_client.school
    response = admin_client.post(
        f"/admin/classes/{s.class_5b.id}/edit",
        data={
            "grade": 5,
            "letter": "Б",
            "name": "",
            "kind": "class",
            "period_scheme": "trimester",
            "attendance_only": "no",
            "class_teacher_id": s.english_teacher.id,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(ClassGroup, s.class_5b.id)
    assert (edited.period_scheme, edited.class_teacher_id) == ("trimester", s.english_teacher.id)


def test_subgroup_takes_only_students_of_its_class(admin_client):
    s = admin_client.school
    assert (
        admin_client.post(f"/admin/classes/{s.class_5a.id}/subgroups", data={"name": "Информатика 1"}).status_code
        == 302
    )
    response = admin_client.post(f"/admin/classes/{s.class_5a.id}/subgroups", data={"name": "1 группа"})
    assert response.status_code == 400 and "уже есть" in text(response)

    url = f"/admin/subgroups/{s.group_1.id}"
    response = admin_client.post(url, data={"name": "1 группа", "members": [s.pupils_5a[1].id, s.pupils_5b[0].id]})
    assert response.status_code == 400
    assert count(SubgroupMember, SubgroupMember.subgroup_id == s.group_1.id) == 2  # unchanged

    response = admin_client.post(url, data={"name": "1 группа", "members": [s.pupils_5a[1].id, s.pupils_5a[3].id]})
    assert response.status_code == 302
    members = set(
        db.session.scalars(select(SubgroupMember.student_id).where(SubgroupMember.subgroup_id == s.group_1.id))
    )
    assert members == {s.pupils_5a[1].id, s.pupils_5a[3].id}


# Subjects, curriculum, kinds of work, scales ---------------------------------------------------


def test_subjects_are_created_once_and_deactivated_never_deleted(admin_client):
    s = admin_client.school
    assert admin_client.post("/admin/subjects", data={"name": "История", "short_name": "Ист"}).status_code == 302
    response = admin_client.post("/admin/subjects", data={"name": "история"})
    assert response.status_code == 400 and "уже есть" in text(response)
    assert count(Subject, Subject.school_id == s.school.id) == 4
    page = text(admin_client.get("/admin/subjects"))
    assert f"/admin/subjects/{s.english.id}/deactivate" in page and "data-confirm" in page
    assert admin_client.post(f"/admin/subjects/{s.english.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Subject, s.english.id).is_active is False
    assert count(Subject, Subject.school_id == s.school.id) == 4


def test_curriculum_hours_are_set_and_replaced(admin_client):
    s = admin_client.school
    url = f"/admin/classes/{s.class_5a.id}/curriculum"
    assert admin_client.post(url, data={"subject_id": s.maths.id, "hours": "5"}).status_code == 302
    assert admin_client.post(url, data={"subject_id": s.maths.id, "hours": "4,5"}).status_code == 302
    item = db.session.scalar(select(CurriculumItem))
    assert item.hours_per_week == Decimal("4.5") and count(CurriculumItem) == 1
    response = admin_client.post(url, data={"subject_id": s.russian.id, "hours": "0"})
    assert response.status_code == 400 and "от 0,5 до 40" in text(response)
    assert count(CurriculumItem) == 1


def test_work_kind_weight_must_be_positive(admin_client):
    response = admin_client.post("/admin/work-kinds", data={"name": "Лабораторная работа", "weight": "0"})
    assert response.status_code == 400 and "больше нуля" in text(response)
    assert count(WorkKind) == 3
    # the bound of the settings page too: a weight over 10 is refused here as there
    response = admin_client.post("/admin/work-kinds", data={"name": "Лабораторная работа", "weight": "20"})
    assert response.status_code == 400 and "не больше 10" in text(response)
    assert count(WorkKind) == 3
    assert (
        admin_client.post("/admin/work-kinds", data={"name": "Лабораторная работа", "weight": "1.5"}).status_code == 302
    )
    kind = db.session.scalar(select(WorkKind).where(WorkKind.name == "Лабораторная работа"))
    assert kind.code == "laboratornaiarabota" and kind.weight == Decimal("1.5")


def test_ensure_scales_adds_the_missing_codes_once(admin_client):
    s = admin_client.school
    assert admin_client.post("/admin/scales").status_code == 302
    assert set(db.session.scalars(select(MarkingScale.code).where(MarkingScale.school_id == s.school.id))) == {
        "five",
        "pass_fail",
        "ten",
        "hundred",
        "none",
    }
    assert operations.ensure_scales(s.school) == []
    assert count(MarkingScale, MarkingScale.school_id == s.school.id) == 5


# Teaching assignments --------------------------------------------------------------------------


def assignment_data(s, **changes):
    data = {
        "teacher_id": s.english_teacher.id,
        "class_id": s.class_5b.id,
        "subgroup_id": 0,
        "subject_id": s.english.id,
        "scale_id": s.five.id,
    }
    data.update(changes)
    return data


def test_assignment_is_created_and_a_duplicate_refused(admin_client):
    s = admin_client.school
    assert admin_client.post("/admin/assignments", data=assignment_data(s)).status_code == 302
    before = count(TeachingAssignment)
    response = admin_client.post("/admin/assignments", data=assignment_data(s))
    assert response.status_code == 400
    assert "Такое назначение уже есть" in text(response)
    response = admin_client.post(
        "/admin/assignments",
        data=assignment_data(s, teacher_id=s.maths_teacher.id, class_id=s.class_5a.id, subgroup_id=s.group_2.id),
    )
    assert response.status_code == 400 and "уже есть" in text(response)
    assert count(TeachingAssignment) == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"subgroup_id": "GROUP_5A"}, "не из класса 5Б"),
        ({"class_id": "CLASS_1A", "subject_id": "MATHS"}, "Без отметок"),
        ({"teacher_id": "PARENT"}, "Неверный вариант"),
    ],
)
def test_bad_assignment_is_refused(admin_client, changes, message):
    s = admin_client.school
    values = {"GROUP_5A": s.group_1.id, "CLASS_1A": s.class_1a.id, "MATHS": s.maths.id, "PARENT": s.parent_a.id}
    response = admin_client.post(
        "/admin/assignments", data=assignment_data(s, **{k: values[v] for k, v in changes.items()})
    )
    assert response.status_code == 400
    assert message in text(response)
    assert count(TeachingAssignment) == 6


def test_assignment_is_deactivated_not_deleted(admin_client):
    s = admin_client.school
    assert admin_client.post(f"/admin/assignments/{s.maths_5b.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(TeachingAssignment, s.maths_5b.id).is_active is False
    response = admin_client.post(
        "/admin/assignments", data=assignment_data(s, teacher_id=s.russian_teacher.id, subject_id=s.maths.id)
    )
    assert response.status_code == 400 and "отключено" in text(response)
    assert admin_client.post(f"/admin/assignments/{s.maths_5b.id}/activate").status_code == 302
    db.session.expire_all()
    assert db.session.get(TeachingAssignment, s.maths_5b.id).is_active is True


# Movement of students (ADM-5) ------------------------------------------------------------------


def enrol_data(**changes):
    data = {
        "last_name": "Новикова",
        "first_name": "Нина",
        "middle_name": "Олеговна",
        "birth_date": "2015-03-14",
        "book_number": "1234",
        "date": "2026-10-05",
        "order_number": "112-у",
    }
    data.update(changes)
    return data


def test_enrolment_writes_student_membership_event_and_audit(admin_client):
    s = admin_client.school
    response = admin_client.post(f"/admin/classes/{s.class_5b.id}/enrol", data=enrol_data())
    assert response.status_code == 302
    student = db.session.scalar(select(Student).where(Student.book_number == "1234"))
    assert student.current_class_id == s.class_5b.id and not student.is_withdrawn
    membership = db.session.scalar(select(ClassMembership).where(ClassMembership.student_id == student.id))
    assert (membership.class_id, membership.since, membership.until) == (s.class_5b.id, date(2026, 10, 5), None)
    event = db.session.scalar(select(EnrolmentEvent).where(EnrolmentEvent.student_id == student.id))
    assert (event.kind, event.order_number, event.to_class_id) == ("enrol", "112-у", s.class_5b.id)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "student", AuditEntry.entity_id == student.id)
    )
    assert entry.action == "enrol" and entry.user_id == s.admin.id
    assert "Новикова Нина Олеговна" in text(admin_client.get(f"/admin/classes/{s.class_5b.id}"))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"order_number": "  "}, "номер приказа"),
        ({"date": "2027-07-01"}, "внутри учебного года"),
        ({"book_number": "0001"}, "уже занят"),
        ({"last_name": ""}, "Укажите фамилию"),
    ],
)
def test_bad_enrolment_is_refused_and_changes_nothing(admin_client, changes, message):
    s = admin_client.school
    students, audit_rows = count(Student), count(AuditEntry)
    response = admin_client.post(f"/admin/classes/{s.class_5b.id}/enrol", data=enrol_data(**changes))
    assert response.status_code == 400
    assert message in text(response)
    assert (count(Student), count(AuditEntry), count(EnrolmentEvent), count(ClassMembership)) == (
        students,
        audit_rows,
        0,
        7,
    )


def test_transfer_closes_the_old_stay_and_opens_the_new(admin_client):
    s = admin_client.school
    pupil = s.pupils_5a[0]  # in subgroup 1 of 5А
    response = admin_client.post(
        f"/admin/classes/{s.class_5a.id}/transfer",
        data={"student_id": pupil.id, "to_class_id": s.class_5b.id, "date": "2026-11-09", "order_number": "120-у"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    student = db.session.get(Student, pupil.id)
    assert student.current_class_id == s.class_5b.id
    stays = db.session.scalars(
        select(ClassMembership).where(ClassMembership.student_id == pupil.id).order_by(ClassMembership.since)
    ).all()
    assert [(m.class_id, m.since, m.until) for m in stays] == [
        (s.class_5a.id, date(2026, 9, 1), date(2026, 11, 8)),
        (s.class_5b.id, date(2026, 11, 9), None),
    ]
    event = db.session.scalar(select(EnrolmentEvent))
    assert (event.kind, event.from_class_id, event.to_class_id, event.order_number) == (
        "transfer",
        s.class_5a.id,
        s.class_5b.id,
        "120-у",
    )
    assert count(SubgroupMember, SubgroupMember.student_id == pupil.id) == 0
    assert count(AuditEntry, AuditEntry.entity == "student", AuditEntry.action == "transfer") == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"order_number": ""}, "номер приказа"),
        ({"date": "2027-06-15"}, "внутри учебного года"),
        ({"date": "2026-09-01"}, "должна быть позже"),
        ({"to_class_id": "SAME"}, "Неверный вариант"),
        ({"student_id": "OTHER_CLASS"}, "Неверный вариант"),
    ],
)
def test_bad_transfer_is_refused_and_changes_nothing(admin_client, changes, message):
    s = admin_client.school
    pupil = s.pupils_5a[1]
    data = {"student_id": pupil.id, "to_class_id": s.class_5b.id, "date": "2026-11-09", "order_number": "120-у"}
    values = {"SAME": s.class_5a.id, "OTHER_CLASS": s.pupils_5b[0].id}
    data.update({k: values.get(v, v) for k, v in changes.items()})
    response = admin_client.post(f"/admin/classes/{s.class_5a.id}/transfer", data=data)
    assert response.status_code == 400
    assert message in text(response)
    db.session.expire_all()
    assert db.session.get(Student, pupil.id).current_class_id == s.class_5a.id
    assert count(EnrolmentEvent) == 0 and count(ClassMembership, ClassMembership.until.is_not(None)) == 0
    assert count(ClassMembership) == 7


def test_withdrawal_keeps_the_record_and_ends_the_stay(admin_client):
    s = admin_client.school
    pupil = s.pupils_5a[2]
    response = admin_client.post(
        f"/admin/classes/{s.class_5a.id}/withdraw",
        data={
            "student_id": pupil.id,
            "date": "2026-12-01",
            "order_number": "130-у",
            "reason": "Переезд в другой город",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    student = db.session.get(Student, pupil.id)
    assert student.is_withdrawn and student.current_class_id is None
    stay = db.session.scalar(select(ClassMembership).where(ClassMembership.student_id == pupil.id))
    assert stay.until == date(2026, 11, 30)
    event = db.session.scalar(select(EnrolmentEvent))
    assert (event.kind, event.note, event.from_class_id) == ("withdraw", "Переезд в другой город", s.class_5a.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "withdraw"))
    assert entry.reason == "Переезд в другой город"
    page = text(admin_client.get(f"/admin/classes/{s.class_5a.id}"))
    assert "130-у" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"order_number": ""}, "номер приказа"),
        ({"reason": ""}, "причину выбытия"),
        ({"date": "2026-08-01"}, "внутри учебного года"),
    ],
)
def test_bad_withdrawal_is_refused_and_changes_nothing(admin_client, changes, message):
    s = admin_client.school
    pupil = s.pupils_5a[2]
    data = {"student_id": pupil.id, "date": "2026-12-01", "order_number": "130-у", "reason": "Переезд"}
    data.update(changes)
    response = admin_client.post(f"/admin/classes/{s.class_5a.id}/withdraw", data=data)
    assert response.status_code == 400
    assert message in text(response)
    db.session.expire_all()
    assert not db.session.get(Student, pupil.id).is_withdrawn
    assert count(EnrolmentEvent) == 0 and count(ClassMembership, ClassMembership.until.is_not(None)) == 0


def test_class_page_queries_do_not_grow_with_students(admin_client, count_queries, create_student):
    s = admin_client.school
    url = f"/admin/classes/{s.class_5a.id}"
    admin_client.get(url)
    with count_queries() as few:
        assert admin_client.get(url).status_code == 200
    for i in range(8):
        create_student(s.school, s.class_5a, f"Новый{i}", "Ученик")
    db.session.commit()
    with count_queries() as many:
        assert admin_client.get(url).status_code == 200
    assert many.count == few.count


def test_a_year_closes_by_the_period_rule_of_domain_closing(monkeypatch):
    """The page's offer and the operation's refusal both ask structure.operations.year_closable,
    which asks domain.closing.may_close on the school's own date (ADM-1)."""
    from types import SimpleNamespace

    from blueprints.admin.structure import operations as structure_ops

    year = SimpleNamespace(end_date=date(2027, 5, 31), school=SimpleNamespace(timezone="Europe/Moscow"))
    monkeypatch.setattr(structure_ops, "school_today", lambda tz: date(2027, 5, 31))
    assert not structure_ops.year_closable(year)
    monkeypatch.setattr(structure_ops, "school_today", lambda tz: date(2027, 6, 1))
    assert structure_ops.year_closable(year)
    asked = []
    monkeypatch.setattr(structure_ops, "may_close", lambda end, today: asked.append((end, today)) or False)
    assert not structure_ops.year_closable(year)
    assert asked == [(date(2027, 5, 31), date(2027, 6, 1))]
