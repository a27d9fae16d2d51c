"""The role × route access matrix, assembled from one rules module per area
(tests/access_rules_<area>.py, each defining RULES). Every route of the application must be
named by exactly one rule, so a new route without a rule fails test_access_matrix.

A rule names the users (attributes of the `small_school` namespace, see USERS) that may open
the URL; everyone else must get 403 or 404, and an anonymous visitor a redirect to the login
page (or 401/403/404 for htmx and file endpoints)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

# name in the matrix -> how to find the user in small_school()
USERS: dict[str, Callable[[SimpleNamespace], Any]] = {
    "admin": lambda s: s.admin,  # journal_admin + tech_admin
    "director": lambda s: s.director,
    "deputy": lambda s: s.deputy,
    "methodist": lambda s: s.methodist,
    "tech_admin": lambda s: s.tech_admin,
    "maths_teacher": lambda s: s.maths_teacher,  # maths 5А, English 5А group 2; class teacher of 5А
    "russian_teacher": lambda s: s.russian_teacher,  # Russian 5А, maths 5Б
    "english_teacher": lambda s: s.english_teacher,  # English 5А group 1
    "primary_teacher": lambda s: s.primary_teacher,  # 1А, class teacher
    "extra_teacher": lambda s: s.extra_teacher,
    "parent_a": lambda s: s.parent_a,  # of Петров Пётр (5А) and Петрова Полина (1А)
    "parent_b": lambda s: s.parent_b,  # of Сидоров Семён (5Б)
    "student_5a": lambda s: s.pupils_5a[0].user,  # Петров Пётр
    "student_5b": lambda s: s.pupils_5b[0].user,  # Сидоров Семён
}
EVERYONE = frozenset(USERS)
ADMINS = frozenset({"admin", "director", "tech_admin"})
OFFICE = frozenset({"admin", "director", "deputy", "methodist"})  # read every journal
TEACHERS = frozenset({"maths_teacher", "russian_teacher", "english_teacher", "primary_teacher", "extra_teacher"})
STAFF = EVERYONE - {"parent_a", "parent_b", "student_5a", "student_5b"}
FAMILY = frozenset({"parent_a", "parent_b", "student_5a", "student_5b"})
PUBLIC = None  # no login needed


@dataclass(frozen=True)
class Rule:
    method: str  # GET or POST (or PUT/DELETE)
    rule: str  # exactly as in app.url_map, e.g. "/admin/classes/<int:class_id>"
    allowed: frozenset[str] | None  # PUBLIC, or names from USERS
    url: Callable[[SimpleNamespace], str]  # a concrete URL built from small_school objects
    data: Callable[[SimpleNamespace], dict] | None = None  # form data for POST
    note: str = field(default="")
    # The object exists only for the users allowed (e.g. a poll for its audience): the others of
    # its school get 404 as well, not 403 (test_access_matrix accepts either for them).
    hides_existence: bool = False
