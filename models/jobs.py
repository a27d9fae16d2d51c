"""Scheduled jobs: each run recorded under a unique key (job, scheduled time), so that a
second scheduler against the same database skips a run the first has claimed."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow

RUN_STATUSES = ("running", "succeeded", "failed", "partial")


class JobRun(db.Model):
    __table_args__ = (
        UniqueConstraint("job_id", "scheduled_for"),
        CheckConstraint(f"status IN {RUN_STATUSES}", name="status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60))
    # The planned time of a scheduled run; for a run by hand, the moment it was asked for.
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")  # schedule, cli, admin
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # The process that runs it: a run left 'running' by a process that is gone (a restart, a
    # kill) is recognised and marked failed when the scheduler starts (jobs/runner.py).
    host: Mapped[Optional[str]] = mapped_column(String(255))
    pid: Mapped[Optional[int]] = mapped_column(Integer)
    # 1, and one more each time a failed slot is claimed again (the scheduler's restart).
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


SENT_EMAIL_STATUSES = ("sent", "failed", "not_sent")


class SentEmail(db.Model):
    """Every message a job tried to send, whatever the outcome: a report the parent did not get
    must be visible (DIA-4), and a sent one is a disclosure of personal data (PD-4)."""

    __table_args__ = (CheckConstraint(f"status IN {SENT_EMAIL_STATUSES}", name="status_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job_run.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    student_id: Mapped[Optional[int]] = mapped_column(ForeignKey("student.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # sent, failed, not_sent (e-mail disabled)
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
