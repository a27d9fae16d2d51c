"""The school and its academic year: periods, classes, subgroups, subjects, curriculum,
teaching assignments, marking scales, kinds of work and the timetable (ADM-1, ADM-2, ADM-8, ADM-9)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain import grading
from domain.periods import is_under_way
from extensions import db
from models.base import TimestampMixin

if TYPE_CHECKING:
    from models.people import Student, User
    from models.timetable import Room

PERIOD_SCHEMES = ("quarter", "trimester", "half_year", "year")
SCALE_CODES = ("five", "pass_fail", "ten", "hundred", "none")


class School(TimestampMixin, db.Model):
    """A school; every top-level record belongs to one, so one deployment can serve a district."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))  # full name printed on documents
    short_name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    inn: Mapped[str] = mapped_column(String(12), default="")
    director_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # School-level conventions (rounding thresholds, notations, deadlines); defaults live in
    # domain/settings.py and only the school's deviations are stored here.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AcademicYear(TimestampMixin, db.Model):
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("start_date < end_date", name="dates_ordered"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))  # "2026/2027"
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)

    school: Mapped[School] = relationship()
    periods: Mapped[list[StudyPeriod]] = relationship(
        back_populates="year", order_by="(StudyPeriod.scheme, StudyPeriod.number)"
    )
    holidays: Mapped[list[Holiday]] = relationship(back_populates="year", order_by="Holiday.start_date")


class StudyPeriod(db.Model):
    """A quarter, trimester, half-year or the year itself (003:1.6); levels differ in scheme."""

    __table_args__ = (
        UniqueConstraint("year_id", "scheme", "number"),
        CheckConstraint("start_date <= end_date", name="dates_ordered"),
        CheckConstraint(f"scheme IN {PERIOD_SCHEMES}", name="scheme_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)

    year: Mapped[AcademicYear] = relationship(back_populates="periods")

    def contains(self, day: date) -> bool:
        return is_under_way(self, day)


class Holiday(db.Model):
    __table_args__ = (CheckConstraint("start_date <= end_date", name="dates_ordered"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    year: Mapped[AcademicYear] = relationship(back_populates="holidays")


class Subject(db.Model):
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(30), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class MarkingScale(db.Model):
    """5-point, pass/fail (зачёт), 10- and 100-point; "none" for first grade (003:1.6,
    003 Положение 1.3). The valid values of each code are defined in domain/grading.py."""

    __table_args__ = (
        UniqueConstraint("school_id", "code"),
        CheckConstraint(f"code IN {SCALE_CODES}", name="code_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))


class WorkKind(db.Model):
    """A kind of work (контрольная, самостоятельная, устный ответ…) with its weight in the
    weighted average (004:3.7 «накопляемость»)."""

    __table_args__ = (
        UniqueConstraint("school_id", "code"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(80))
    weight: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ClassGroup(TimestampMixin, db.Model):
    """A class (5А) or an additional-education group of one academic year."""

    __tablename__ = "class_group"
    __table_args__ = (
        UniqueConstraint("year_id", "name"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade_range"),
        CheckConstraint(f"period_scheme IN {PERIOD_SCHEMES}", name="scheme_known"),
        CheckConstraint("kind IN ('class', 'extra')", name="kind_known"),
        CheckConstraint("shift IN (1, 2)", name="shift_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    grade: Mapped[int] = mapped_column(Integer)
    letter: Mapped[str] = mapped_column(String(5), default="")
    kind: Mapped[str] = mapped_column(String(10), default="class")
    period_scheme: Mapped[str] = mapped_column(String(20), default="quarter")
    # First grade: attendance only, no marks or homework (003 Положение 1.3).
    attendance_only: Mapped[bool] = mapped_column(Boolean, default=False)
    class_teacher_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    # The 1st or the 2nd shift: which bells the class follows (ADM-1).
    shift: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    year: Mapped[AcademicYear] = relationship()
    class_teacher: Mapped[Optional[User]] = relationship()
    subgroups: Mapped[list[Subgroup]] = relationship(back_populates="class_group", order_by="Subgroup.name")


class Subgroup(db.Model):
    """Half of a class for languages, IT or labour (001:2.5.5, 004:3.7)."""

    __table_args__ = (UniqueConstraint("class_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))

    class_group: Mapped[ClassGroup] = relationship(back_populates="subgroups")
    members: Mapped[list[SubgroupMember]] = relationship(back_populates="subgroup")


class SubgroupMember(db.Model):
    __table_args__ = (UniqueConstraint("subgroup_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subgroup_id: Mapped[int] = mapped_column(ForeignKey("subgroup.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)

    subgroup: Mapped[Subgroup] = relationship(back_populates="members")
    student: Mapped[Student] = relationship()


class CurriculumItem(db.Model):
    """Hours per week of a subject in a class (the curriculum, ADM-1)."""

    __table_args__ = (
        UniqueConstraint("class_id", "subject_id"),
        CheckConstraint("hours_per_week > 0", name="hours_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1))

    class_group: Mapped[ClassGroup] = relationship()
    subject: Mapped[Subject] = relationship()


class TeachingAssignment(TimestampMixin, db.Model):
    """Teacher × class (or one of its subgroups) × subject: the unit of the journal and of
    access — a teacher reaches only their own assignments (004:3.6)."""

    __table_args__ = (
        UniqueConstraint("teacher_id", "class_id", "subgroup_id", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    subgroup_id: Mapped[Optional[int]] = mapped_column(ForeignKey("subgroup.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    scale_id: Mapped[int] = mapped_column(ForeignKey("marking_scale.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    year: Mapped[AcademicYear] = relationship()
    teacher: Mapped[User] = relationship()
    class_group: Mapped[ClassGroup] = relationship()
    subgroup: Mapped[Optional[Subgroup]] = relationship()
    subject: Mapped[Subject] = relationship()
    scale: Mapped[MarkingScale] = relationship()

    @property
    def marks_scale(self) -> str:
        """The scale this journal's marks are on ("none" in first grade): domain/grading.py."""
        return grading.marks_scale(self.scale.code, self.class_group.attendance_only)

    @property
    def carries_marks(self) -> bool:
        return grading.carries_marks(self.scale.code, self.class_group.attendance_only)

    @property
    def title(self) -> str:
        group = self.class_group.name
        if self.subgroup is not None:
            group = f"{group} ({self.subgroup.name})"
        return f"{self.subject.name}, {group}"


class ScheduleSlot(db.Model):
    """One lesson of the weekly timetable (ADM-9); changes and substitutions refer to it."""

    __table_args__ = (
        UniqueConstraint("assignment_id", "weekday", "lesson_number", "valid_from"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        CheckConstraint("lesson_number BETWEEN 0 AND 12", name="lesson_number_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # ISO: 1 = Monday
    lesson_number: Mapped[int] = mapped_column(Integer)
    # The room's name as shown (kept by the timetable editor together with room_id, so the
    # readers of `room` need no join); room_id points at the school's list of rooms.
    room: Mapped[str] = mapped_column(String(20), default="")
    room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("room.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[Optional[date]] = mapped_column(Date)

    assignment: Mapped[TeachingAssignment] = relationship()
    room_record: Mapped[Optional[Room]] = relationship()


# Variants of a bell set: the normal day and the shortened one (сокращённый день).
BELL_VARIANTS = ("normal", "short")
SHIFTS = (1, 2)


class BellSchedule(db.Model):
    """Start and end of each lesson number of one bell set (the schedule regime, ADM-1): a shift,
    a range of grades (1-11 for the whole school, e.g. 1-4 for the primary school when its
    lessons differ) and a variant, the normal or the shortened day. domain/bells.py picks the
    set of a class on a date."""

    __table_args__ = (
        UniqueConstraint(
            "school_id", "shift", "grade_from", "grade_to", "variant", "lesson_number",
            name="uq_bell_schedule_set_lesson",
        ),
        CheckConstraint("shift IN (1, 2)", name="shift_known"),
        CheckConstraint("grade_from BETWEEN 1 AND 11 AND grade_to BETWEEN grade_from AND 11", name="grades_range"),
        CheckConstraint(f"variant IN {BELL_VARIANTS}", name="variant_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school: Mapped[School] = relationship()
    shift: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    grade_from: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    grade_to: Mapped[int] = mapped_column(Integer, default=11, server_default="11")
    variant: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    lesson_number: Mapped[int] = mapped_column(Integer)
    starts: Mapped[str] = mapped_column(String(5))  # "08:30"
    ends: Mapped[str] = mapped_column(String(5))

