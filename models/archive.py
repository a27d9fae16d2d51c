"""Archive and backups (ARC-*).

BackupCopy: one copy of one backup in one destination (ARC-4: at least two media in different
rooms, at least weekly). A backup run writes the same copy to every configured destination; each
destination's outcome is a row, so a run where one disk failed is visible as "partial"."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow


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
