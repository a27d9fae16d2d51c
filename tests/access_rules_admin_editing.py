"""Access rules for issue 10's editing of people's records (PD-7), the subjects' import and
export (ADM-4) and the members of additional-education groups (blueprints/admin/
people_editing.py, subjects_io.py, clubs.py): the administrators; a student's and a parent's
record also the class teacher of the student's class (maths_teacher: 5А, primary_teacher: 1А)."""

from __future__ import annotations

from tests.access import ADMINS, Rule

P = "/admin/people"


def _club(s):
    """The school's robotics club with Борисов Борис (5А) in it."""
    from extensions import db
    from models import ClassGroup, ClubMembership

    if not hasattr(s, "_club"):
        club = ClassGroup(school=s.school, year=s.year, name="Робототехника", grade=5, kind="extra",
                          period_scheme="year", attendance_only=True, class_teacher=s.extra_teacher)
        db.session.add(club)
        db.session.flush()
        membership = ClubMembership(group=club, student=s.pupils_5a[2], since=s.year.start_date)
        db.session.add(membership)
        db.session.commit()
        s._club, s._club_membership = club.id, membership.id
    return s._club


def _membership(s) -> int:
    _club(s)
    return s._club_membership


def _subjects_token(s) -> str:
    from blueprints.admin.imports import people_operations
    from blueprints.admin.imports import subjects_operations as subject_lists

    if not hasattr(s, "_subjects_token"):
        s._subjects_token = subject_lists.read_upload(
            "subjects.csv", "Предмет;Сокращение\nБиология;Био\n".encode(), s.school, people_operations.import_limits()
        )
    return s._subjects_token


RULES = [
    # A student's record: the administrators and the class teacher of 5А (Петров Пётр's class).
    Rule("GET", f"{P}/students/<int:student_id>/edit", ADMINS | {"maths_teacher"},
         lambda s: f"{P}/students/{s.pupils_5a[0].id}/edit"),
    Rule("POST", f"{P}/students/<int:student_id>/edit", ADMINS | {"maths_teacher"},
         lambda s: f"{P}/students/{s.pupils_5a[0].id}/edit",
         lambda s: {"last_name": "Петров", "first_name": "Пётр", "book_number": "П-1", "gender": "m"}),
    # parent_a: children in 5А and 1А, so both their class teachers.
    Rule("GET", f"{P}/parents/<int:user_id>/edit", ADMINS | {"maths_teacher", "primary_teacher"},
         lambda s: f"{P}/parents/{s.parent_a.id}/edit"),
    Rule("POST", f"{P}/parents/<int:user_id>/edit", ADMINS | {"maths_teacher", "primary_teacher"},
         lambda s: f"{P}/parents/{s.parent_a.id}/edit",
         lambda s: {"last_name": "Петрова", "first_name": "Елена", "phone": "+7 900 111-22-33"}),
    Rule("GET", f"{P}/users/<int:user_id>/profile", ADMINS, lambda s: f"{P}/users/{s.russian_teacher.id}/profile"),
    Rule("POST", f"{P}/users/<int:user_id>/profile", ADMINS, lambda s: f"{P}/users/{s.russian_teacher.id}/profile",
         lambda s: {"last_name": "Словарёва", "first_name": "Ольга", "email": "olga@school.ru"}),
    # Subjects to and from files.
    Rule("GET", "/admin/subjects/export", ADMINS, lambda s: "/admin/subjects/export?fmt=csv"),
    Rule("GET", "/admin/subjects/import", ADMINS, lambda s: "/admin/subjects/import"),
    Rule("POST", "/admin/subjects/import", ADMINS, lambda s: "/admin/subjects/import"),
    Rule("GET", "/admin/subjects/import/<token>", ADMINS, lambda s: f"/admin/subjects/import/{_subjects_token(s)}"),
    Rule("POST", "/admin/subjects/import/<token>", ADMINS, lambda s: f"/admin/subjects/import/{_subjects_token(s)}"),
    Rule("POST", "/admin/subjects/import/<token>/cancel", ADMINS,
         lambda s: f"/admin/subjects/import/{_subjects_token(s)}/cancel"),
    # Members of additional-education groups.
    Rule("GET", "/admin/clubs/<int:class_id>", ADMINS, lambda s: f"/admin/clubs/{_club(s)}?from_class={s.class_5b.id}"),
    Rule("POST", "/admin/clubs/<int:class_id>/members", ADMINS, lambda s: f"/admin/clubs/{_club(s)}/members",
         lambda s: {"from_class": str(s.class_5b.id), "students": [str(s.pupils_5b[1].id)],
                    "since": s.year.start_date.isoformat()}),
    Rule("POST", "/admin/club-members/<int:membership_id>/end", ADMINS,
         lambda s: f"/admin/club-members/{_membership(s)}/end", lambda s: {"until": s.year.start_date.isoformat()}),
]
