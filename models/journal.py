"""The class journal: timetable changes, calendar-thematic plan, lessons, homework, marks,
attendance, period marks, and the history of every change (JRN-1 … JRN-8, ADM-9)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain import attendance
from extensions import db
from models.base import utcnow
from models.people import Student, User
from models.school import StudyPeriod, Subject, TeachingAssignment, WorkKind

ATTENDANCE_CODES = attendance.CODES
CHANGE_KINDS = ("substitution", "cancelled", "moved", "extra")


class ScheduleChange(db.Model):
    """A change of the timetable on one date (замена, отмена, перенос): shown in the diary, and a
    substitute may record that lesson (001:2.5.4, 003:2.3)."""

    __table_args__ = (
        CheckConstraint(f"kind IN {CHANGE_KINDS}", name="kind_known"),
        Index("ix_schedule_change_date_assignment", "date", "assignment_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    lesson_number: Mapped[int] = mapped_column(Integer)
    substitute_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    room: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    assignment: Mapped[TeachingAssignment] = relationship()
    substitute: Mapped[Optional[User]] = relationship(foreign_keys=[substitute_id])


class PlanItem(db.Model):
    """One topic of the calendar-thematic plan (КТП) of an assignment (001:3.1-3.3)."""

    __table_args__ = (
        UniqueConstraint("assignment_id", "number"),
        CheckConstraint("hours > 0", name="hours_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(500))
    hours: Mapped[int] = mapped_column(Integer, default=1)
    planned_date: Mapped[Optional[date]] = mapped_column(Date)

    assignment: Mapped[TeachingAssignment] = relationship()


class PlanCorrection(db.Model):
    """An entry of the correction sheet (лист корректировки): a change of the plan after the
    period started, with its reason (003 Положение 2.4)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    plan_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_item.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    user: Mapped[Optional[User]] = relationship()


class Lesson(db.Model):
    """A lesson as recorded: date, topic, kinds of work, who gave it (JRN-1, JRN-5)."""

    __table_args__ = (
        UniqueConstraint("assignment_id", "date", "lesson_number"),
        Index("ix_lesson_assignment_date", "assignment_id", "date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"))
    date: Mapped[date] = mapped_column(Date)
    lesson_number: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str] = mapped_column(String(500), default="")
    plan_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_item.id"))
    # Who gave the lesson: the teacher, or a substitute recorded at the moment of entry (001:2.5.4).
    given_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_substitution: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    entered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    attendance_taken: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    assignment: Mapped[TeachingAssignment] = relationship()
    given_by: Mapped[User] = relationship()
    plan_item: Mapped[Optional[PlanItem]] = relationship()
    works: Mapped[list[LessonWork]] = relationship(
        back_populates="lesson", order_by="LessonWork.position", cascade="all, delete-orphan"
    )
    homework: Mapped[list[Homework]] = relationship(back_populates="lesson", order_by="Homework.id")


class LessonWork(db.Model):
    """A kind of work done in the lesson; each is a mark slot in the lesson's column (JRN-3)."""

    __table_args__ = (UniqueConstraint("lesson_id", "work_kind_id"), UniqueConstraint("lesson_id", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("work_kind.id"))
    position: Mapped[int] = mapped_column(Integer)

    lesson: Mapped[Lesson] = relationship(back_populates="works")
    work_kind: Mapped[WorkKind] = relationship(lazy="joined")


class Homework(db.Model):
    """Homework, collective or individual, with pages and exercises (004:2.9, 002:4.3)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    pages: Mapped[str] = mapped_column(String(100), default="")
    exercises: Mapped[str] = mapped_column(String(200), default="")
    is_individual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    entered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    lesson: Mapped[Lesson] = relationship(back_populates="homework")
    students: Mapped[list[HomeworkStudent]] = relationship(cascade="all, delete-orphan")
    files: Mapped[list[HomeworkFile]] = relationship(cascade="all, delete-orphan")


class HomeworkStudent(db.Model):
    __table_args__ = (UniqueConstraint("homework_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    homework_id: Mapped[int] = mapped_column(ForeignKey("homework.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)

    student: Mapped[Student] = relationship()


class HomeworkFile(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    homework_id: Mapped[int] = mapped_column(ForeignKey("homework.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")


class Mark(db.Model):
    """A mark for one kind of work of one lesson (JRN-3). Never deleted: a removed mark keeps
    its row with is_deleted and its history."""

    __table_args__ = (
        UniqueConstraint("lesson_id", "student_id", "work_kind_id"),
        Index("ix_mark_student_lesson", "student_id", "lesson_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("work_kind.id"))
    value: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    entered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    lesson: Mapped[Lesson] = relationship()
    work_kind: Mapped[WorkKind] = relationship()


class Attendance(db.Model):
    """Н with its reason, or lateness (JRN-4). Kept with is_deleted when cleared."""

    __table_args__ = (
        UniqueConstraint("lesson_id", "student_id"),
        CheckConstraint(f"code IN {ATTENDANCE_CODES}", name="code_known"),
        Index("ix_attendance_student_lesson", "student_id", "lesson_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    code: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    entered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)


PLANNED_CODES = ("absent", "ill", "excused", "unexcused")


class PlannedAbsence(db.Model):
    """The class teacher's mark for a whole day or a range of days (JRN-4, 004:3.5): ill,
    excused… from the morning, or in advance from an accepted absence note. It is carried into
    each lesson of those days when the lesson is opened, and into the lessons already opened
    whose attendance the subject teacher has not taken. Never deleted: a cancelled one keeps
    its row with is_deleted, and its history is in JournalChange (entity "planned_absence")."""

    __table_args__ = (
        CheckConstraint("date_from <= date_to", name="dates_ordered"),
        CheckConstraint(f"code IN {PLANNED_CODES}", name="code_known"),
        Index("ix_planned_absence_student_dates", "student_id", "date_from", "date_to"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(300), default="")
    absence_note_id: Mapped[Optional[int]] = mapped_column(ForeignKey("absence_note.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    deleted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    student: Mapped[Student] = relationship()

    def covers(self, day: date) -> bool:
        return self.date_from <= day <= self.date_to


class PeriodMark(db.Model):
    """A period or year mark (JRN-7): the computed average and suggestion at the time it was
    set, the value the teacher confirmed, and the reason when it differs or changes."""

    __table_args__ = (UniqueConstraint("student_id", "subject_id", "period_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    value: Mapped[str] = mapped_column(String(10))
    average: Mapped[Optional[Decimal]] = mapped_column(Numeric(5, 2))
    suggested: Mapped[Optional[str]] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    subject: Mapped[Subject] = relationship()
    period: Mapped[StudyPeriod] = relationship()


class CellWrite(db.Model):
    """Idempotency keys of grid saves: a retried PUT with the same key is answered with the
    current cell and changes nothing (tablets on a bad network)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JournalChange(db.Model):
    """History of the journal (JRN-8): who, when, before, after, why, from which device."""

    __table_args__ = (Index("ix_journal_change_cell", "lesson_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    entity: Mapped[str] = mapped_column(String(20))  # mark, attendance, lesson, homework, period_mark
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # create, update, delete
    lesson_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lesson.id"))
    student_id: Mapped[Optional[int]] = mapped_column(ForeignKey("student.id"))
    period_mark_id: Mapped[Optional[int]] = mapped_column(ForeignKey("period_mark.id"), index=True)
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    # Where a change came from when it was not typed in the grid: "" (the grid, a form),
    # "assignment" (a distance assignment checked), "test" (an electronic test scored) — JRN-10.
    via: Mapped[str] = mapped_column(String(20), default="", server_default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[Optional[User]] = relationship()
