"""The year's-end archive's own rows (ARC-1, ARC-2).

ArchiveBuildRequest: closing a year asks for its archive packages; the scheduler process builds
them (jobs/archive_builds.py), never the web request. One request per year (unique): queued →
running → done | failed; a failed request can be queued again from the archive page.

StateExamProtocolFile: the imported protocol of a state exam (ГИА) as it was uploaded, kept 5
years after the year's end (001:2.8.5) and destroyed by an approved act (the results stay)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.school import AcademicYear

BUILD_STATUSES = ("queued", "running", "done", "failed")


class ArchiveBuildRequest(db.Model):
    __table_args__ = (
        UniqueConstraint("year_id"),
        CheckConstraint(f"status IN {BUILD_STATUSES}", name="status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"))
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The job run that builds (its progress: total, done, failed).
    job_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job_run.id", ondelete="SET NULL"))
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")

    year: Mapped[AcademicYear] = relationship()


class StateExamProtocolFile(db.Model):
    __table_args__ = (CheckConstraint("status IN ('kept', 'destroyed')", name="status_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    kinds: Mapped[str] = mapped_column(String(60), default="")  # the exams it holds: "oge,gve9"
    stored_name: Mapped[str] = mapped_column(String(100), default="")  # under UPLOAD_FOLDER/exam_protocols
    original_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default="kept")
    destroyed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    destruction_act_id: Mapped[Optional[int]] = mapped_column(Integer)

    year: Mapped[AcademicYear] = relationship()
