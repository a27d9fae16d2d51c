"""Keeping people's records accurate (PD-7): corrections of a student's record, of a parent's
and of a staff member's names and contacts. Each change is written to the history (AuditEntry)
with the changed fields only, before and after, in the same transaction; operations only flush.

The form checks the shape of each value; the checks that need the database (a book number
taken) or the school's today (a birth date in the future) are here and raise Refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from blueprints.admin.imports.reading import OLDEST_BIRTH_DATE
from blueprints.main import labels
from domain.messages import N_, Refusal
from extensions import db
from models import AuditEntry, Student, User
from utils import audit

STUDENT_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "gender", "book_number")
CONTACT_FIELDS = ("last_name", "first_name", "middle_name", "email", "phone")
# The names a student's own account shows follow the student's record.
ACCOUNT_NAME_FIELDS = ("last_name", "first_name", "middle_name")

FIELD_LABELS = {
    "last_name": _l("Фамилия"),
    "first_name": _l("Имя"),
    "middle_name": _l("Отчество"),
    "birth_date": _l("Дата рождения"),
    "gender": _l("Пол"),
    "book_number": _l("Номер в алфавитной книге"),
    "email": _l("E-mail"),
    "phone": _l("Телефон"),
    "class": _l("Класс"),
    "roles": _l("Роли"),
    "date": _l("Дата"),
    "order": _l("Приказ"),
}
ACTION_LABELS = {
    "update": _l("Исправление данных"),
    "enrol": _l("Зачисление"),
    "transfer": _l("Перевод"),
    "withdraw": _l("Выбытие"),
    "roles": _l("Роли"),
    "block": _l("Блокировка"),
    "unblock": _l("Разблокировка"),
    "password_reset": _l("Новый пароль"),
}
GENDER_LABELS = {"m": _l("мужской"), "f": _l("женский"), "": _l("не указан")}
labels.register("record_field", FIELD_LABELS)
labels.register("record_action", ACTION_LABELS)
labels.register("gender", GENDER_LABELS)
HISTORY_LIMIT = 50


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _apply(obj: Any, fields: tuple[str, ...], values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the changed fields; return (before, after) of those fields only."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in fields:
        new = values[name]
        old = getattr(obj, name)
        if new != old:
            before[name], after[name] = _stored(old), _stored(new)
            setattr(obj, name, new)
    return before, after


def update_student(student: Student, values: dict[str, Any], reason: str, today: date) -> bool:
    """Correct a student's record; False when nothing changed (nothing is written then)."""
    birth_date = values["birth_date"]
    if birth_date is not None and not OLDEST_BIRTH_DATE <= birth_date <= today:
        raise Refusal(N_("Дата рождения %(d)s невозможна."), d=format_date(birth_date, "dd.MM.yyyy"))
    if values["gender"] not in ("", "m", "f"):
        raise Refusal(N_("Пол: мужской, женский или не указан."))
    book_number = values["book_number"]
    if book_number != student.book_number and db.session.scalar(
        select(
            exists().where(
                Student.school_id == student.school_id, Student.book_number == book_number, Student.id != student.id
            )
        )
    ):
        raise Refusal(N_("Номер %(n)s в алфавитной книге уже занят другим обучающимся."), n=book_number)
    before, after = _apply(student, STUDENT_FIELDS, values)
    if not after:
        return False
    if student.user is not None:
        _apply(student.user, ACCOUNT_NAME_FIELDS, {k: getattr(student, k) for k in ACCOUNT_NAME_FIELDS})
    db.session.flush()
    audit.record("student", student.id, "update", before=before, after=after, reason=reason.strip()[:300],
                 school_id=student.school_id)
    return True


def update_contacts(person: User, values: dict[str, Any], reason: str) -> bool:
    """Correct the names and contacts of a parent or a staff member; False when nothing changed."""
    values = {**values, "email": values["email"].lower()}
    before, after = _apply(person, CONTACT_FIELDS, values)
    if not after:
        return False
    db.session.flush()
    audit.record("user", person.id, "update", before=before, after=after, reason=reason.strip()[:300],
                 school_id=person.school_id)
    return True


# History ------------------------------------------------------------------------------------


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "gender":
        return labels.label(value, "gender")
    if field in ("birth_date", "date") and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "dd.MM.yyyy")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def history(entity: str, entity_id: int, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The record's history, newest first, as rows for templates/admin/people/parts/history.html."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
    rows = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        fields = list(dict.fromkeys([*before, *after]))
        rows.append(
            {
                "at": entry.at,
                "who": entry.user.full_name if entry.user else "",
                "action": labels.label(entry.action, "record_action"),
                "changes": [
                    (labels.label(f, "record_field"), _shown(f, before.get(f)), _shown(f, after.get(f))) for f in fields
                ],
                "reason": entry.reason,
            }
        )
    return rows
