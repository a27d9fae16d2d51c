"""Destruction of records whose retention ended (ARC-2).

DestructionAct: one act of destruction. The monthly retention job (jobs/retention.py) drafts it
as a proposal (status `proposed`) listing the records whose retention has ended; the director
approves it with the act's number, date and the commission (names and posts), and only then are
the listed records destroyed (blueprints/archive/retention_operations.py). The approved act,
with its certified PDF and the extract of the event log, is kept: its retention kind is
`destruction_act` (domain/retention.py), which the job never proposes."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import User
from models.printouts import Printout

ACT_STATUSES = ("proposed", "approved")


class DestructionAct(db.Model):
    """`records`: [{"key": "archive_package:12", "kind": "archive_package", "ref": 12,
    "retention_kind": "journal", "title": "...", "counted_from": "2027-05-31",
    "ends": "2032-05-31"}, ...] as proposed; `commission`: [{"name", "post"}, ...];
    `summary` (on approval): what each record's destruction did, and the records skipped
    (a legal hold set after the proposal, a record gone or no longer due)."""

    __tablename__ = "retention_destruction_act"
    __table_args__ = (CheckConstraint(f"status IN {ACT_STATUSES}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    number: Mapped[str] = mapped_column(String(40), default="")
    act_date: Mapped[Optional[date]] = mapped_column(Date)
    commission: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    records: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    job_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job_run.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    printout_id: Mapped[Optional[int]] = mapped_column(ForeignKey("printout.id"))

    approved_by: Mapped[Optional[User]] = relationship()
    printout: Mapped[Optional[Printout]] = relationship()

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"
