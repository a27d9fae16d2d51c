"""A parent's children, read once for every page that lists them (the main page, the
administration's account and contacts pages, the parent's personal-data page): the students
linked to the parent (ParentLink) in the parent's own school, with their class, by name."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import ParentLink, Student, User


def children_of(parent: User) -> list[Student]:
    return list(
        db.session.scalars(
            select(Student)
            .join(ParentLink, ParentLink.student_id == Student.id)
            .where(ParentLink.parent_id == parent.id, Student.school_id == parent.school_id)
            .options(selectinload(Student.current_class))
            .order_by(Student.last_name, Student.first_name)
        )
    )
