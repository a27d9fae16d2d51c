"""The admin area's object checks (policy.py, ADM-1, ADM-3): an administrator reaches only the
objects of their own school, each check following the object up to the record that carries
`school_id`; a teacher of the same school reaches none of them. Plain objects, no database."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

import policy


class Person(SimpleNamespace):
    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))


ADMIN = Person(id=1, school_id=1, roles={"journal_admin"})
OTHER_SCHOOL_ADMIN = Person(id=2, school_id=2, roles={"director"})
TEACHER = Person(id=3, school_id=1, roles={"teacher", "class_teacher"})

YEAR = SimpleNamespace(school_id=1)
CLASS = SimpleNamespace(school_id=1, year=YEAR)
STUDENT = SimpleNamespace(school_id=1)

OBJECTS = [
    (policy.in_own_school, SimpleNamespace(school_id=1)),
    (policy.owns_year, YEAR),
    (policy.owns_period, SimpleNamespace(year=YEAR)),
    (policy.owns_holiday, SimpleNamespace(year=YEAR)),
    (policy.owns_class, CLASS),
    (policy.owns_subgroup, SimpleNamespace(class_group=CLASS)),
    (policy.owns_curriculum_item, SimpleNamespace(class_group=CLASS)),
    (policy.owns_club_membership, SimpleNamespace(group=CLASS)),
    (policy.owns_parent_link, SimpleNamespace(student=STUDENT)),
    (policy.owns_import, SimpleNamespace(entity="import", school_id=1)),
]


@pytest.mark.parametrize(("check", "obj"), OBJECTS)
def test_an_administrator_reaches_the_objects_of_their_own_school(check, obj):
    assert check(ADMIN, obj)


@pytest.mark.parametrize(("check", "obj"), OBJECTS)
def test_an_administrator_of_another_school_reaches_none_of_them(check, obj):
    assert not check(OTHER_SCHOOL_ADMIN, obj)


@pytest.mark.parametrize(("check", "obj"), OBJECTS)
def test_a_teacher_of_the_same_school_is_no_administrator(check, obj):
    assert not check(TEACHER, obj)


def test_an_import_result_is_only_an_audit_entry_of_an_import():
    assert not policy.owns_import(ADMIN, SimpleNamespace(entity="user", school_id=1))
