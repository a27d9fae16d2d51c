"""Access rules for the personal-data pages (blueprints/personal_data/views.py): the consent
sheet and the parents' applications of a student are recorded by the class teacher of the
student's class and by the administrators; a parent reads their own (PD-1, DIA-4)."""

from __future__ import annotations

from tests.access import ADMINS, Rule
from tests.clock import school_date

P = "/personal-data"
# Петров Пётр is in 5А, whose class teacher is maths_teacher.
FAMILY_RECORDS_5A = ADMINS | {"maths_teacher"}

RULES = [
    Rule("GET", f"{P}/students/<int:student_id>/consent", FAMILY_RECORDS_5A, lambda s: f"{P}/students/{s.pupils_5a[0].id}/consent"),
    Rule(
        "POST",
        f"{P}/students/<int:student_id>/consent",
        FAMILY_RECORDS_5A,
        lambda s: f"{P}/students/{s.pupils_5a[0].id}/consent",
        lambda s: {"action": "record", "consent-given_by": s.parent_a.id, "consent-given_on": str(school_date(2026, 9, 1)),
                   "consent-actions": ["6.9"]},
    ),
    Rule(
        "GET",
        f"{P}/students/<int:student_id>/applications",
        FAMILY_RECORDS_5A,
        lambda s: f"{P}/students/{s.pupils_5a[0].id}/applications",
    ),
    Rule(
        "POST",
        f"{P}/students/<int:student_id>/applications",
        FAMILY_RECORDS_5A,
        lambda s: f"{P}/students/{s.pupils_5a[0].id}/applications",
        lambda s: {"parent": s.parent_a.id, "submitted_on": str(school_date(2026, 9, 1)), "access_level": "none", "delivery": "print",
                   "scope": ["marks"]},
    ),
    Rule("GET", f"{P}/my", frozenset({"parent_a", "parent_b"}), lambda s: f"{P}/my"),
]
