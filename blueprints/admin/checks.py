"""Object checks for the structure pages, for `policy.load(Model, id, check, user)`: an
administrator reaches only the objects of their own school (ADM-1). Each check follows the
object up to the record that carries `school_id`."""

from __future__ import annotations

import policy
from models import (
    AcademicYear,
    ClassGroup,
    CurriculumItem,
    Holiday,
    StudyPeriod,
    Subgroup,
    User,
)


def _administers(user: User, school_id: int) -> bool:
    return policy.can_administer(user) and user.school_id == school_id


def in_own_school(user: User, obj) -> bool:
    """For records with their own `school_id`: year, class, subject, kind of work, scale,
    teaching assignment, student."""
    return _administers(user, obj.school_id)


def owns_year(user: User, year: AcademicYear) -> bool:
    return _administers(user, year.school_id)


def owns_period(user: User, period: StudyPeriod) -> bool:
    return _administers(user, period.year.school_id)


def owns_holiday(user: User, holiday: Holiday) -> bool:
    return _administers(user, holiday.year.school_id)


def owns_class(user: User, class_group: ClassGroup) -> bool:
    return _administers(user, class_group.school_id)


def owns_subgroup(user: User, subgroup: Subgroup) -> bool:
    return _administers(user, subgroup.class_group.school_id)


def owns_curriculum_item(user: User, item: CurriculumItem) -> bool:
    return _administers(user, item.class_group.school_id)
