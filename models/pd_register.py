"""The register of personal-data processing (152-ФЗ): who may process what, when processing is
suspended, what was disclosed to whom, and who opened which student's data.

- ProcessingOrder / OrderOperator (PD-3, 000:5.3, 001:5.3): the director's order naming the staff
  who handle personal data and the categories of the consent sheet each may process.
- Suspension (PD-5, 001:5.5.5): access suspended for the school, one user or one category.
- Disclosure / DisclosureSubject (PD-4, 000:5.5.4): every export, print, e-mail and transfer.
- AccessLogEntry / AccessLogHead (PD-6, ASVS 8.3.5): an append-only, hash-chained log of every
  opening of a student's personal data (utils/pd_access.py writes it, `flask audit verify`
  checks it).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, as_utc, utcnow
from models.people import Student, User

# An operator named for every category of the sheet.
ALL_CATEGORIES = "*"
SUSPENSION_SCOPES = ("school", "user", "category")


class ProcessingOrder(TimestampMixin, db.Model):
    """The director's order (приказ) on the persons admitted to personal data. In force from
    `valid_from` to `valid_until` (empty: until replaced or revoked)."""

    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_from <= valid_until", name="dates_ordered"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    signed_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    operators: Mapped[list[OrderOperator]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderOperator.id"
    )

    def is_in_force(self, on_date: date) -> bool:
        if self.valid_from > on_date or (self.valid_until is not None and self.valid_until < on_date):
            return False
        return self.revoked_at is None or as_utc(self.revoked_at).date() > on_date


class OrderOperator(db.Model):
    """One person named in an order, with the categories (codes of the consent sheet, "1.1" …
    "5.2", or "*" for all) they may process and their duties in the order's words."""

    __table_args__ = (UniqueConstraint("order_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("processing_order.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    duties: Mapped[str] = mapped_column(String(300), default="")

    order: Mapped[ProcessingOrder] = relationship(back_populates="operators")
    user: Mapped[User] = relationship()


class Suspension(TimestampMixin, db.Model):
    """Access to personal data suspended by the director on a violation, until lifted."""

    __table_args__ = (
        CheckConstraint(f"scope IN {SUSPENSION_SCOPES}", name="scope_known"),
        CheckConstraint(
            "(scope = 'school' AND user_id IS NULL AND category IS NULL) OR "
            "(scope = 'user' AND user_id IS NOT NULL AND category IS NULL) OR "
            "(scope = 'category' AND user_id IS NULL AND category IS NOT NULL)",
            name="scope_target",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    category: Mapped[Optional[str]] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    started_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    lifted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    lifted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    lift_note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    started_by: Mapped[Optional[User]] = relationship(foreign_keys=[started_by_id])
    lifted_by: Mapped[Optional[User]] = relationship(foreign_keys=[lifted_by_id])

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Disclosure(db.Model):
    """One disclosure of personal data: who, what (categories, document), about whom (the
    subjects), to whom, why and on which ground (PD-4). Written automatically by every export,
    print and e-mail path (utils/disclosures.py); paper transfers are entered by hand."""

    __table_args__ = (Index("ix_disclosure_school_at", "school_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)  # None: a job
    kind: Mapped[str] = mapped_column(String(20))  # export, print, email, transfer, extract, paper
    document: Mapped[str] = mapped_column(String(300))  # what was handed over, in words
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipient: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    ground: Mapped[str] = mapped_column(String(300), default="")
    subject_count: Mapped[int] = mapped_column(Integer, default=0)
    is_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    printout_id: Mapped[Optional[int]] = mapped_column(ForeignKey("printout.id"))

    user: Mapped[Optional[User]] = relationship()
    subjects: Mapped[list[DisclosureSubject]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="DisclosureSubject.id"
    )


class DisclosureSubject(db.Model):
    """One student whose data a disclosure carried: the register is searchable by student."""

    __table_args__ = (UniqueConstraint("disclosure_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)

    disclosure: Mapped[Disclosure] = relationship(back_populates="subjects")
    student: Mapped[Student] = relationship()


class AccessLogEntry(db.Model):
    """Who opened which students' personal data, when and from where. Append-only: each entry
    carries the hash of the previous one of its school (`prev_hash`) and its own (`hash`) over
    its content, and `seq` counts the school's entries without gaps, so that an edit, a deletion
    or an insertion anywhere is found by `flask audit verify` (utils/pd_access.py)."""

    __table_args__ = (UniqueConstraint("school_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # view, edit, export, print, extract, destroy
    what: Mapped[str] = mapped_column(String(200))  # the page or document
    student_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    ip: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    user: Mapped[Optional[User]] = relationship()


class AccessLogHead(db.Model):
    """The last entry of a school's access log: locked while an entry is appended, so that two
    requests never chain to the same predecessor, and compared by the check so that removing
    the newest entries is found too."""

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")


__all__ = [
    "ALL_CATEGORIES",
    "SUSPENSION_SCOPES",
    "AccessLogEntry",
    "AccessLogHead",
    "Disclosure",
    "DisclosureSubject",
    "OrderOperator",
    "ProcessingOrder",
    "Suspension",
]
