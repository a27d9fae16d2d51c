"""Access rules for the administration of the school's structure (ADM-1, ADM-2, ADM-5, ADM-8):
only the administrators (director, journal administrator, technical administrator)."""

from sqlalchemy import select

from extensions import db
from models import WorkKind
from tests.access import ADMINS, Rule


def _year(s):
    return s.year.id


def _work_kind(s):
    return db.session.scalar(
        select(WorkKind.id).where(WorkKind.school_id == s.school.id).order_by(WorkKind.id).limit(1)
    )


RULES = [
    Rule("GET", "/admin/", ADMINS, lambda s: "/admin/"),
    # Academic years, periods, holidays
    Rule("GET", "/admin/years", ADMINS, lambda s: "/admin/years"),
    Rule(
        "POST",
        "/admin/years",
        ADMINS,
        lambda s: "/admin/years",
        lambda s: {"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-31"},
    ),
    Rule("GET", "/admin/years/<int:year_id>", ADMINS, lambda s: f"/admin/years/{_year(s)}"),
    Rule("POST", "/admin/years/<int:year_id>/current", ADMINS, lambda s: f"/admin/years/{_year(s)}/current"),
    # closing a year: tests/access_rules_year_closing.py (the director only)
    Rule(
        "POST",
        "/admin/years/<int:year_id>/periods",
        ADMINS,
        lambda s: f"/admin/years/{_year(s)}/periods",
        lambda s: {"scheme": "half_year", "number": "1", "start_date": "2026-09-01", "end_date": "2026-12-28"},
    ),
    Rule("POST", "/admin/years/<int:year_id>/quarters", ADMINS, lambda s: f"/admin/years/{_year(s)}/quarters"),
    Rule("GET", "/admin/periods/<int:period_id>/edit", ADMINS, lambda s: f"/admin/periods/{s.quarters[0].id}/edit"),
    Rule(
        "POST",
        "/admin/periods/<int:period_id>/edit",
        ADMINS,
        lambda s: f"/admin/periods/{s.quarters[0].id}/edit",
        lambda s: {"number": "1", "name": "1 четверть", "start_date": "2026-09-01", "end_date": "2026-10-25"},
    ),
    Rule(
        "POST",
        "/admin/years/<int:year_id>/holidays",
        ADMINS,
        lambda s: f"/admin/years/{_year(s)}/holidays",
        lambda s: {"name": "Осенние каникулы", "start_date": "2026-10-26", "end_date": "2026-11-04"},
    ),
    Rule(
        "POST",
        "/admin/holidays/<int:holiday_id>/delete",
        ADMINS,
        lambda s: "/admin/holidays/1/delete",
        note="the small school has no holidays: the id only has to be refused to non-admins",
    ),
    # Classes, subgroups, curriculum
    Rule("GET", "/admin/classes", ADMINS, lambda s: "/admin/classes"),
    Rule("GET", "/admin/classes/new", ADMINS, lambda s: "/admin/classes/new"),
    Rule(
        "POST",
        "/admin/classes/new",
        ADMINS,
        lambda s: "/admin/classes/new",
        lambda s: {
            "year_id": str(_year(s)),
            "grade": "6",
            "letter": "А",
            "kind": "class",
            "period_scheme": "quarter",
            "attendance_only": "auto",
            "class_teacher_id": "0",
        },
    ),
    Rule("GET", "/admin/classes/<int:class_id>", ADMINS, lambda s: f"/admin/classes/{s.class_5a.id}"),
    Rule("GET", "/admin/classes/<int:class_id>/edit", ADMINS, lambda s: f"/admin/classes/{s.class_5a.id}/edit"),
    Rule(
        "POST",
        "/admin/classes/<int:class_id>/edit",
        ADMINS,
        lambda s: f"/admin/classes/{s.class_5a.id}/edit",
        lambda s: {
            "grade": "5",
            "letter": "А",
            "kind": "class",
            "period_scheme": "quarter",
            "attendance_only": "no",
            "class_teacher_id": "0",
        },
    ),
    Rule(
        "POST",
        "/admin/classes/<int:class_id>/subgroups",
        ADMINS,
        lambda s: f"/admin/classes/{s.class_5a.id}/subgroups",
        lambda s: {"name": "3 группа"},
    ),
    Rule("GET", "/admin/subgroups/<int:subgroup_id>", ADMINS, lambda s: f"/admin/subgroups/{s.group_1.id}"),
    Rule(
        "POST",
        "/admin/subgroups/<int:subgroup_id>",
        ADMINS,
        lambda s: f"/admin/subgroups/{s.group_1.id}",
        lambda s: {"name": "1 группа", "members": [str(s.pupils_5a[0].id)]},
    ),
    Rule(
        "POST",
        "/admin/classes/<int:class_id>/curriculum",
        ADMINS,
        lambda s: f"/admin/classes/{s.class_5a.id}/curriculum",
        lambda s: {"subject_id": str(s.maths.id), "hours": "5"},
    ),
    Rule(
        "POST",
        "/admin/curriculum/<int:item_id>/delete",
        ADMINS,
        lambda s: "/admin/curriculum/1/delete",
        note="the small school has no curriculum: the id only has to be refused to non-admins",
    ),
    # Movement of students
    Rule(
        "POST",
        "/admin/classes/<int:class_id>/enrol",
        ADMINS,
        lambda s: f"/admin/classes/{s.class_5a.id}/enrol",
        lambda s: {
            "last_name": "Новикова",
            "first_name": "Нина",
            "book_number": "9001",
            "date": "2026-10-01",
            "order_number": "45-у",
        },
    ),
    Rule(
        "POST",
        "/admin/classes/<int:class_id>/transfer",
        ADMINS,
        lambda s: f"/admin/classes/{s.class_5a.id}/transfer",
        lambda s: {
            "student_id": str(s.pupils_5a[1].id),
            "to_class_id": str(s.class_5b.id),
            "date": "2026-10-01",
            "order_number": "46-у",
        },
    ),
    Rule(
        "POST",
        "/admin/classes/<int:class_id>/withdraw",
        ADMINS,
        lambda s: f"/admin/classes/{s.class_5a.id}/withdraw",
        lambda s: {
            "student_id": str(s.pupils_5a[2].id),
            "date": "2026-10-01",
            "order_number": "47-у",
            "reason": "переезд",
        },
    ),
    # Subjects, kinds of work, scales
    Rule("GET", "/admin/subjects", ADMINS, lambda s: "/admin/subjects"),
    Rule("POST", "/admin/subjects", ADMINS, lambda s: "/admin/subjects", lambda s: {"name": "История"}),
    Rule("GET", "/admin/subjects/<int:subject_id>/edit", ADMINS, lambda s: f"/admin/subjects/{s.maths.id}/edit"),
    Rule(
        "POST",
        "/admin/subjects/<int:subject_id>/edit",
        ADMINS,
        lambda s: f"/admin/subjects/{s.maths.id}/edit",
        lambda s: {"name": "Математика", "short_name": "Мат"},
    ),
    Rule(
        "POST",
        "/admin/subjects/<int:subject_id>/deactivate",
        ADMINS,
        lambda s: f"/admin/subjects/{s.english.id}/deactivate",
    ),
    Rule(
        "POST",
        "/admin/subjects/<int:subject_id>/activate",
        ADMINS,
        lambda s: f"/admin/subjects/{s.english.id}/activate",
    ),
    Rule("GET", "/admin/work-kinds", ADMINS, lambda s: "/admin/work-kinds"),
    Rule(
        "POST",
        "/admin/work-kinds",
        ADMINS,
        lambda s: "/admin/work-kinds",
        lambda s: {"name": "Лабораторная работа", "weight": "1.5"},
    ),
    Rule("GET", "/admin/work-kinds/<int:kind_id>/edit", ADMINS, lambda s: f"/admin/work-kinds/{_work_kind(s)}/edit"),
    Rule(
        "POST",
        "/admin/work-kinds/<int:kind_id>/edit",
        ADMINS,
        lambda s: f"/admin/work-kinds/{_work_kind(s)}/edit",
        lambda s: {"name": "Контрольная работа", "weight": "2", "is_active": "y"},
    ),
    Rule("GET", "/admin/scales", ADMINS, lambda s: "/admin/scales"),
    Rule("POST", "/admin/scales", ADMINS, lambda s: "/admin/scales"),
    # Teaching assignments
    Rule("GET", "/admin/assignments", ADMINS, lambda s: "/admin/assignments"),
    Rule(
        "POST",
        "/admin/assignments",
        ADMINS,
        lambda s: "/admin/assignments",
        lambda s: {
            "teacher_id": str(s.english_teacher.id),
            "class_id": str(s.class_5b.id),
            "subgroup_id": "0",
            "subject_id": str(s.english.id),
            "scale_id": str(s.five.id),
        },
    ),
    Rule(
        "POST",
        "/admin/assignments/<int:assignment_id>/deactivate",
        ADMINS,
        lambda s: f"/admin/assignments/{s.maths_5b.id}/deactivate",
    ),
    Rule(
        "POST",
        "/admin/assignments/<int:assignment_id>/activate",
        ADMINS,
        lambda s: f"/admin/assignments/{s.maths_5b.id}/activate",
    ),
]
