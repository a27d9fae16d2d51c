"""Reads shared by the admin sub-areas and the administration's index: one query per question,
so that the dashboard and the pages it points to answer alike."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from extensions import db
from models import AcademicYear, ClassGroup, MarkingScale, ParentLink, Student, Subject, User, UserRole
from models.school import SCALE_CODES


def current_year(school_id: int) -> AcademicYear | None:
    """The year marked current (ADM-1), or None before one is."""
    return db.session.scalar(
        select(AcademicYear).where(AcademicYear.school_id == school_id, AcademicYear.is_current.is_(True))
    )


def latest_year(school_id: int) -> AcademicYear | None:
    """The current year, or else the latest one: the default of the structure pages' pickers."""
    return db.session.scalar(
        select(AcademicYear)
        .where(AcademicYear.school_id == school_id)
        .order_by(AcademicYear.is_current.desc(), AcademicYear.start_date.desc())
        .limit(1)
    )


def school_scales(school_id: int) -> list[MarkingScale]:
    return list(
        db.session.scalars(select(MarkingScale).where(MarkingScale.school_id == school_id).order_by(MarkingScale.id))
    )


def missing_scale_codes(scales: list[MarkingScale]) -> list[str]:
    """The marking scales (003:1.6) the school does not have yet."""
    present = {s.code for s in scales}
    return [code for code in SCALE_CODES if code not in present]


def teachers(school_id: int, *options) -> list[User]:
    """The school's teachers with a working account, by name: for pickers and the timetable's
    teacher pages. `options` are loader options for the caller's page."""
    query = (
        select(User)
        .where(
            User.school_id == school_id,
            User.is_active_account.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(policy.TEACHING_ROLES))),
        )
        .order_by(User.last_name, User.first_name, User.id)
    )
    return list(db.session.scalars(query.options(*options) if options else query))


def open_classes(school_id: int) -> list[ClassGroup]:
    """Classes of the years not yet closed, for pickers."""
    return list(
        db.session.scalars(
            select(ClassGroup)
            .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
            .where(ClassGroup.school_id == school_id, AcademicYear.is_closed.is_(False))
            .options(selectinload(ClassGroup.year))
            .order_by(AcademicYear.start_date, ClassGroup.grade, ClassGroup.name)
        )
    )


def active_subjects(school_id: int) -> list[Subject]:
    return list(
        db.session.scalars(
            select(Subject).where(Subject.school_id == school_id, Subject.is_active.is_(True)).order_by(Subject.name)
        )
    )


def load_shown_with(obj, *options):
    """Read what a page shows beside an object already loaded (its relationships as `options`
    name them), so that the template only walks it (issue 11: templates do not query). Eager
    loaders fill the attributes not loaded yet; the object itself is not reloaded."""
    model = type(obj)
    db.session.scalars(select(model).where(model.id == obj.id).options(*options)).one()
    return obj


def parent_links(student: Student) -> list[ParentLink]:
    """A student's parents (the links, each with its parent loaded), for the student's pages."""
    return list(
        db.session.scalars(
            select(ParentLink).where(ParentLink.student_id == student.id).options(selectinload(ParentLink.parent))
        )
    )
