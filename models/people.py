"""Users and roles, students with their enrolment history, parents linked to children
(ADM-3, ADM-5, ADM-6, ADM-7)."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Optional

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models.base import TimestampMixin
from models.school import ClassGroup, School

# Role codes; the Russian names are in ROLE_LABELS (blueprints/auth/roles.py) for the interface.
ROLES = (
    "director",
    "deputy",
    "methodist",
    "journal_admin",
    "tech_admin",
    "class_teacher",
    "teacher",
    "extra_teacher",
    "student",
    "parent",
)
STAFF_ROLES = frozenset(ROLES) - {"student", "parent"}
ENROLMENT_KINDS = ("enrol", "transfer", "withdraw", "graduate")
UNUSABLE_PASSWORD_PREFIX = "!"


def password_hash_method() -> str:
    """scrypt with werkzeug's production cost; the test configuration lowers the cost (the
    hash stays scrypt) so that hundreds of test logins do not spend minutes hashing."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class User(UserMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    middle_name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Blocked after a reported compromise (001:2.5.13) until an administrator resets it.
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str] = mapped_column(String(300), default="")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    school: Mapped[School] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The token of the open UserSession (models/sessions.py) this request runs under, set at
    # login and by the user loader; Flask-Login keeps it in the signed cookie.
    session_token = None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account and not self.is_blocked

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def set_unusable_password(self) -> None:
        """An account that cannot log in until a password is issued (e.g. on a slip)."""
        self.password_hash = UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(8)

    def check_password(self, password: str) -> bool:
        if self.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
            return False
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        CheckConstraint(f"role IN {ROLES}", name="role_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))

    user: Mapped[User] = relationship(back_populates="role_rows")


class Student(TimestampMixin, db.Model):
    """A student's record; their login, if any, is a separate User."""

    __table_args__ = (
        UniqueConstraint("school_id", "book_number"),
        CheckConstraint("gender IN ('', 'm', 'f')", name="gender_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), unique=True)
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    middle_name: Mapped[str] = mapped_column(String(80), default="")
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1), default="")
    # Number in the alphabetical book (алфавитная книга), also the personal file number (001:2.6.2).
    book_number: Mapped[str] = mapped_column(String(20))
    # Denormalised from ClassMembership for fast lists; operations keep both in step.
    current_class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"), index=True)
    is_withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    school: Mapped[School] = relationship()
    user: Mapped[Optional[User]] = relationship()
    current_class: Mapped[Optional[ClassGroup]] = relationship()
    parent_links: Mapped[list[ParentLink]] = relationship(back_populates="student")
    memberships: Mapped[list[ClassMembership]] = relationship(
        back_populates="student", order_by="ClassMembership.since"
    )
    events: Mapped[list[EnrolmentEvent]] = relationship(
        back_populates="student", order_by="EnrolmentEvent.date"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


class ParentLink(db.Model):
    """A parent or legal representative (законный представитель) of a student."""

    __table_args__ = (UniqueConstraint("parent_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    relation: Mapped[str] = mapped_column(String(40), default="")  # мать, отец, опекун…

    parent: Mapped[User] = relationship()
    student: Mapped[Student] = relationship(back_populates="parent_links")


class ClassMembership(db.Model):
    """A student's stay in a class between two orders (001:2.6.6, 2.6.10)."""

    __table_args__ = (CheckConstraint("until IS NULL OR since <= until", name="dates_ordered"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[Optional[date]] = mapped_column(Date)

    student: Mapped[Student] = relationship(back_populates="memberships")
    class_group: Mapped[ClassGroup] = relationship()


class EnrolmentEvent(TimestampMixin, db.Model):
    """Enrolment, transfer, withdrawal (выбытие) or graduation (выпуск) with the date and number of the
    director's order (001:2.6.2, 2.6.6, 2.6.10)."""

    __table_args__ = (CheckConstraint(f"kind IN {ENROLMENT_KINDS}", name="kind_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    date: Mapped[date] = mapped_column(Date)
    order_number: Mapped[str] = mapped_column(String(40))
    from_class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"))
    to_class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id"))
    note: Mapped[str] = mapped_column(String(300), default="")

    student: Mapped[Student] = relationship(back_populates="events")
    from_class: Mapped[Optional[ClassGroup]] = relationship(foreign_keys=[from_class_id])
    to_class: Mapped[Optional[ClassGroup]] = relationship(foreign_keys=[to_class_id])
