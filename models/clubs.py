"""Membership of additional-education groups (кружки, объединения доп. образования).

A student belongs to one class at a time (ClassMembership, Student.current_class_id) and, besides
it, to any number of clubs of any grade. A club stay is kept apart from the class history so that
every list of "the students of a class" (the journal grid, the diary, the class page) still reads
ClassMembership alone; leaving a club ends the stay with a date, the row is never deleted."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin
from models.people import Student
from models.school import ClassGroup


class ClubMembership(TimestampMixin, db.Model):
    """A student's stay in an additional-education group (ClassGroup.kind == 'extra'), from
    `since` to `until` inclusive; `until` is empty while the student attends."""

    __table_args__ = (
        CheckConstraint("until IS NULL OR since <= until", name="dates_ordered"),
        Index("ix_club_membership_group_student", "group_id", "student_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[Optional[date]] = mapped_column(Date)

    group: Mapped[ClassGroup] = relationship()
    student: Mapped[Student] = relationship()

    def is_current_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or self.until >= day)
