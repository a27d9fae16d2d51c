"""Messages and announcements (COM-1): conversations between people who have a reason to talk
(policy.message_contact_ids), their messages with attachments, the participants' read state
(the header's unread badge counts participant rows), the reports of a message to the
administration and each user's "notify me by e-mail" preference.

Conversations belong to the school, not to a school year: a parent's talk with a teacher does
not end with the year, so no year guard (models/year_closing.py) applies."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, utcnow
from models.people import User
from models.school import ClassGroup

CONVERSATION_KINDS = ("direct", "group", "announcement")
# Who an announcement goes to: a role group of the school, or the parents / students of a class.
AUDIENCES = ("parents", "students", "teachers", "staff", "class_parents", "class_students")


class Conversation(TimestampMixin, db.Model):
    __table_args__ = (
        CheckConstraint(f"kind IN {CONVERSATION_KINDS}", name="conversation_kind_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="direct")
    subject: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # announcements and class groups: whom they were sent to
    audience: Mapped[str] = mapped_column(String(20), default="")
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"))
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    created_by: Mapped[User] = relationship()
    class_group: Mapped[Optional[ClassGroup]] = relationship()
    participants: Mapped[list[Participant]] = relationship(back_populates="conversation", cascade="all, delete-orphan")
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id", cascade="all, delete-orphan"
    )

    @property
    def is_announcement(self) -> bool:
        return self.kind == "announcement"


class Participant(db.Model):
    """A user in a conversation: `unread` is what the header counts; `read_at` is the first
    reading (an announcement's «прочитано N из M»)."""

    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    unread: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    conversation: Mapped[Conversation] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class Message(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", order_by="MessageAttachment.id", cascade="all, delete-orphan"
    )


class MessageAttachment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(120))

    message: Mapped[Message] = relationship(back_populates="attachments")


class MessageReport(TimestampMixin, db.Model):
    """A user's complaint about a message to the administration: the only way the administration
    reads a message of a conversation it is not in (README, «Сообщения»)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    resolved_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str] = mapped_column(String(1000), default="")

    message: Mapped[Message] = relationship()
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])
    resolved_by: Mapped[Optional[User]] = relationship(foreign_keys=[resolved_by_id])


class MessagePreference(db.Model):
    """A user's wish for an e-mail notice of a new message (sent to parents only with their
    consent to e-mail, item 6.9 of the consent sheet; never with the message's text)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    email_notice: Mapped[bool] = mapped_column(Boolean, default=False)


NOTICE_STATUSES = ("pending", "sending", "sent", "failed", "not_sent", "read", "not_wanted")


class MessageNotice(db.Model):
    """A parent's e-mail notice of a new message, recorded by the request and sent by the
    scheduler's `message_notices` job (jobs/message_notices.py), never inside the request.

    One pending notice per recipient and conversation: `pending` is True while the notice waits
    and NULL once the job took it (NULLs never collide in a unique constraint, on SQLite as on
    PostgreSQL), so later messages before the job runs add nothing. `message_id` is the first
    message not yet notified. The outcome: sent / failed / not_sent (utils/mail.send_recorded's
    SentEmail), read (the recipient read the conversation before the job ran) or not_wanted
    (the wish or the consent to e-mail ended meanwhile)."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "recipient_id", "pending", name="one_pending_notice"),
        CheckConstraint(f"status IN {NOTICE_STATUSES}", name="notice_status_known"),
        CheckConstraint("pending IS NULL OR status = 'pending'", name="notice_pending_is_pending"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    pending: Mapped[Optional[bool]] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    job_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job_run.id"), index=True)
    sent_email_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sent_email.id"))

    conversation: Mapped[Conversation] = relationship()
    message: Mapped[Message] = relationship()
    recipient: Mapped[User] = relationship()
