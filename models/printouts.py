"""Certified printouts (REP-4; 001:2.5.10, 003:6.1): every printed document is recorded — who
printed what, of what, when, and the SHA-256 of the very PDF handed out — and the PDF is kept,
so that a paper copy can be checked at /verify/<code> and the archive holds what was signed."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import User
from models.school import School


class Printout(db.Model):
    """One printed (or e-mailed) PDF. `code` is the verification code printed in its footer,
    stored without the dash; the file `path` (relative to PRINTOUTS_DIR) is written once and
    never overwritten. Rows are never deleted: the archive's retention rules will decide."""

    __tablename__ = "printout"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # journal_page, weekly_report, summary_sheet, statistics…
    title: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(200), default="")
    # What the document is of: {"assignment_id": …, "class_id": …, "student_id": …, "period_id": …}
    of: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    printed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    # The name at the time of printing (a later change of surname does not rewrite history);
    # a job's printouts name the job.
    printed_by_name: Mapped[str] = mapped_column(String(200))
    printed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(300))

    school: Mapped[School] = relationship()
    printed_by: Mapped[Optional[User]] = relationship()
