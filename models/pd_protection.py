"""The access log's last verified point per school (PD-6): the administrator's dashboard checks
only what was appended since, so that its cost stays bounded on a long log."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from domain.personal_data import INDEXED_FIELDS
from extensions import db
from models.personal_data import StudentProfile


class AccessLogCheck(db.Model):
    """The newest entry of a school's access log found intact (its number and hash) and when.
    `flask audit verify` walks the whole chain; the dashboard from this point on."""

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")
    checked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    sweep_seq: Mapped[int] = mapped_column(Integer, default=0)  # where the re-check of older entries goes on


def _keep_index(field: str, index_column: str) -> None:
    """Whoever sets a searchable field (a SNILS, a document number) sets its keyed hash too."""

    @event.listens_for(getattr(StudentProfile, field), "set")
    def set_index(target, value, oldvalue, initiator):
        from utils.encryption import blind_index

        setattr(target, index_column, blind_index(value) if value else "")


for _field, _index in INDEXED_FIELDS.items():
    _keep_index(_field, _index)


__all__ = ["AccessLogCheck"]
