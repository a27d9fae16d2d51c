"""Polls within the school (COM-2; 003:1.6 «проведение опросов в рамках образовательного
учреждения»).

- Poll: the question, its kind (single choice, multiple choice, free text), the audience
  (PollAudience rows), the dates it is open (from–to, inclusive, the school's calendar), anonymous
  or named, and whether parents answer once per family.
- PollOption: a choice of a single/multiple choice poll.
- PollVote: WHO has voted, without the answer. One row per person (key «u:<user id>») and, for a
  poll answered per family, one row per child of the audience the vote covers (key «s:<student
  id>»): the unique (poll, key) keeps one answer per person and per family even under a race.
- PollAnswer: WHAT was answered. For an anonymous poll it holds no user, no family, no timestamp
  and a random id (not a sequence relatable to PollVote's insertion order); the answers of one
  response share a random `response_id`. Only for a named poll does the voter's PollVote row
  name that response_id (so the author sees who answered what); PollAnswer never names anyone.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.people import User

POLL_KINDS = ("single", "multiple", "text")
AUDIENCE_KINDS = ("staff", "teachers", "parents", "students", "class_parents", "class_students")


def random_id() -> str:
    return secrets.token_hex(16)


class Poll(db.Model):
    __table_args__ = (
        CheckConstraint(f"kind IN {POLL_KINDS}", name="poll_kind_known"),
        CheckConstraint("closes_on >= opens_on", name="poll_dates_ordered"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    per_family: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship()
    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", order_by="PollOption.position", cascade="all, delete-orphan", lazy="selectin"
    )
    audience: Mapped[list[PollAudience]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", lazy="selectin"
    )


class PollAudience(db.Model):
    """One part of the audience: a group of the school (staff, teachers, parents, students) or
    the parents / the students of one class."""

    __table_args__ = (CheckConstraint(f"kind IN {AUDIENCE_KINDS}", name="poll_audience_kind_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"))

    poll: Mapped[Poll] = relationship(back_populates="audience")


class PollOption(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(200))

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollVote(db.Model):
    """Who has voted (no answer here)."""

    __table_args__ = (UniqueConstraint("poll_id", "key", name="poll_vote_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    # A named poll only: the response this vote gave (PollAnswer.response_id); None when anonymous.
    response_id: Mapped[Optional[str]] = mapped_column(String(32))

    user: Mapped[User] = relationship()


class PollAnswer(db.Model):
    """What was answered: for an anonymous poll nothing here leads to the voter."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[str] = mapped_column(String(32))
    option_id: Mapped[Optional[int]] = mapped_column(ForeignKey("poll_option.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")


__all__ = ["AUDIENCE_KINDS", "POLL_KINDS", "Poll", "PollAnswer", "PollAudience", "PollOption", "PollVote"]
