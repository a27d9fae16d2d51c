"""Distance assignments (JRN-10): a teacher gives an assignment for a topic of the plan (or a
recorded lesson) of a journal, with text, files, a deadline and an assessment form; each
student's submission is reviewed, returned for rework or marked, and the mark lands in the
grid through the journal's own rules (blueprints/journal/operations.set_work_mark).

Named `DistanceAssignment`: "assignment" already means TeachingAssignment (a teacher's class ×
subject journal)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.journal import Lesson, PlanItem
from models.people import Student, User
from models.school import TeachingAssignment, WorkKind
from models.year_closing import belongs_to_year_through

ASSESSMENT_FORMS = ("mark", "pass_fail", "none")
SUBMISSION_STATES = ("submitted", "returned", "checked")


@belongs_to_year_through("TeachingAssignment", "assignment_id", "assignment")
class DistanceAssignment(db.Model):
    """An assignment given to the class (or group) of a journal."""

    __table_args__ = (CheckConstraint(f"assessment IN {ASSESSMENT_FORMS}", name="assessment_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    plan_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_item.id"))
    lesson_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lesson.id"))
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("work_kind.id"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    assessment: Mapped[str] = mapped_column(String(20), default="mark")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    assignment: Mapped[TeachingAssignment] = relationship()
    plan_item: Mapped[Optional[PlanItem]] = relationship()
    lesson: Mapped[Optional[Lesson]] = relationship()
    work_kind: Mapped[WorkKind] = relationship()
    files: Mapped[list[DistanceAssignmentFile]] = relationship(
        primaryjoin="and_(DistanceAssignmentFile.distance_assignment_id == DistanceAssignment.id, "
                    "DistanceAssignmentFile.submission_id.is_(None))",
        order_by="DistanceAssignmentFile.id", viewonly=True,
    )


@belongs_to_year_through("DistanceAssignment", "distance_assignment_id", "distance_assignment")
class DistanceSubmission(db.Model):
    """One student's work on an assignment (one row per student; a resubmission updates it)."""

    __table_args__ = (
        UniqueConstraint("distance_assignment_id", "student_id"),
        CheckConstraint(f"status IN {SUBMISSION_STATES}", name="status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    distance_assignment_id: Mapped[int] = mapped_column(ForeignKey("distance_assignment.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    comment: Mapped[str] = mapped_column(Text, default="")  # the teacher's
    mark_value: Mapped[str] = mapped_column(String(10), default="")
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    distance_assignment: Mapped[DistanceAssignment] = relationship()
    student: Mapped[Student] = relationship()
    reviewed_by: Mapped[Optional[User]] = relationship()
    files: Mapped[list[DistanceAssignmentFile]] = relationship(order_by="DistanceAssignmentFile.id", viewonly=True)


@belongs_to_year_through("DistanceAssignment", "distance_assignment_id", "distance_assignment")
class DistanceAssignmentFile(db.Model):
    """A file of the teacher's materials (no submission) or of a student's submission."""

    id: Mapped[int] = mapped_column(primary_key=True)
    distance_assignment_id: Mapped[int] = mapped_column(ForeignKey("distance_assignment.id"), index=True)
    submission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("distance_submission.id"), index=True)
    file_path: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(200))
    file_mime: Mapped[str] = mapped_column(String(100))
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
