"""Archive and backups (ARC-*).

BackupCopy: one copy of one backup in one destination (ARC-4: at least two media in different
rooms, at least weekly). A backup run writes the same copy to every configured destination; each
destination's outcome is a row, so a run where one disk failed is visible as "partial".

CouncilDecision: the year's end decision on a student (REP-6); ArchivePackage: a signed package of
a class's year or of the year's summary sheets (ARC-1, ARC-3), kept until its retention ends."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, utcnow
from models.people import Student
from models.school import AcademicYear, ClassGroup


class BackupCopy(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    job_run_id: Mapped[int] = mapped_column(ForeignKey("job_run.id", ondelete="CASCADE"), index=True)
    destination: Mapped[str] = mapped_column(String(500))  # the folder the copy was written to
    folder: Mapped[str] = mapped_column(String(60))  # the backup's name, a UTC timestamp
    engine: Mapped[str] = mapped_column(String(20))  # sqlite, postgresql
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes of the whole folder
    sha256: Mapped[str] = mapped_column(String(64), default="")  # of the database copy
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


# The year's end (REP-6, PD-8): the pedagogical council's decision on each student.
DECISIONS = ("promoted", "promoted_conditionally", "repeat", "graduated", "individual_plan")


class CouncilDecision(TimestampMixin, db.Model):
    """The pedagogical council's decision on one student at the end of one school year (переведён,
    переведён условно — with academic debts, оставлен на повторное обучение, выпущен, продолжит
    обучение по индивидуальному плану), with the council's protocol. One per student and year;
    changes (a debt cleared in August) are written to the history (utils/audit)."""

    __table_args__ = (
        UniqueConstraint("year_id", "student_id"),
        CheckConstraint(f"decision IN {DECISIONS}", name="decision_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"), index=True)
    decision: Mapped[str] = mapped_column(String(30))
    protocol_number: Mapped[str] = mapped_column(String(40), default="")
    protocol_date: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    student: Mapped[Student] = relationship()
    year: Mapped[AcademicYear] = relationship()
    class_group: Mapped[Optional[ClassGroup]] = relationship()


PACKAGE_KINDS = ("class_year", "summary_sheets")
PACKAGE_STATUSES = ("complete", "destroyed")


class ArchivePackage(db.Model):
    """One signed archive package (ARC-1, ARC-3): a BagIt bag signed with the school's Ed25519
    key (utils/archive_packages.py), written under the same name to every backup destination.
    `class_year`: a class's year (journal pages, summary sheet, data, personal-file extracts);
    `summary_sheets`: the year's summary sheets, archived as soon as the accounting ends.
    Retention (ARC-2, domain/retention.py) counts from `counted_from`; destruction needs an
    approved act and never touches a package under a legal hold."""

    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint(f"kind IN {PACKAGE_KINDS}", name="kind_known"),
        CheckConstraint(f"status IN {PACKAGE_STATUSES}", name="status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))  # the folder's name in every destination
    destinations: Mapped[list[str]] = mapped_column(JSON, default=list)  # folders it was written to
    files: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    tag_manifest_sha256: Mapped[str] = mapped_column(String(64), default="")
    public_key_fingerprint: Mapped[str] = mapped_column(String(100), default="")
    retention_kind: Mapped[str] = mapped_column(String(30), default="journal")
    counted_from: Mapped[date] = mapped_column(Date)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_hold_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="complete")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    destroyed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # The approved act that destroyed it (the retention issue's DestructionAct), None before.
    destruction_act_id: Mapped[Optional[int]] = mapped_column(Integer)

    year: Mapped[AcademicYear] = relationship()
    class_group: Mapped[Optional[ClassGroup]] = relationship()
