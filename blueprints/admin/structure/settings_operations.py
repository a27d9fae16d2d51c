"""Use cases of the school settings page: save one section, reset it to the defaults, read the
history of changes. Operations only flush; the view commits. A bad value refuses the whole save
(Refusal with the field's messages), so nothing is half-saved."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from domain import settings_rules as rules
from domain.messages import N_, Refusal
from domain.settings import defaults, school_settings
from extensions import db
from models import AuditEntry, School, User, WorkKind
from utils import audit

AUDIT_ENTITY = "school_settings"
HISTORY_LIMIT = 20


class SettingsRefused(Refusal):
    """Some fields of a section are wrong; `errors` holds a Refusal per field name."""

    def __init__(self, errors: dict[str, Refusal]):
        super().__init__(N_("Настройки не сохранены: исправьте отмеченные поля."))
        self.errors = errors


def current(school: School) -> dict[str, Any]:
    """The school's settings in force, as every consumer reads them (with the deployment's
    defaults from config)."""
    return school_settings(school.settings, current_app.config)


def _lock(school: School) -> None:
    """Re-read the school's row locked (PostgreSQL; SQLite's write requests are serialised by
    BEGIN IMMEDIATE): two people saving different sections at once must not lose either."""
    db.session.refresh(school, attribute_names=["settings"], with_for_update=True)


def work_kinds(school: School) -> list[WorkKind]:
    return list(db.session.scalars(
        select(WorkKind).where(WorkKind.school_id == school.id, WorkKind.is_active.is_(True)).order_by(WorkKind.name)
    ))


def _weights(school: School, form: dict[str, str], errors: dict[str, Refusal]) -> dict[WorkKind, Decimal]:
    new = {}
    for kind in work_kinds(school):
        name = f"{rules.WEIGHT_FIELD}{kind.id}"
        try:
            new[kind] = rules.read_weight(form.get(name))
        except Refusal as refusal:
            errors[name] = refusal
    return new


def save_section(school: School, section: rules.Section, form: dict[str, str], user: User) -> bool:
    """Save the section's fields from the posted form; False when nothing changed. Writes one
    history entry with before/after of only the changed fields."""
    _lock(school)
    values, errors = rules.read_section(section, form)
    weights = _weights(school, form, errors) if section.code == "marks" else {}
    if errors:
        raise SettingsRefused(errors)
    before = rules.flat(current(school), section)
    before_weights = {f"{rules.WEIGHT_FIELD}{k.code}": str(k.weight.normalize()) for k in weights}
    school.settings = rules.apply(school.settings, defaults(current_app.config), values)
    for kind, weight in weights.items():
        if kind.weight != weight:
            kind.weight = weight
    after = rules.flat(current(school), section)
    after_weights = {f"{rules.WEIGHT_FIELD}{k.code}": str(w.normalize()) for k, w in weights.items()}
    old, new = rules.changes(before | before_weights, after | after_weights)
    if not new:
        return False
    db.session.flush()
    audit.record(AUDIT_ENTITY, school.id, "update", before=old, after=new, reason=section.code,
                 school_id=school.id, user_id=user.id)
    return True


def reset_section(school: School, section: rules.Section, user: User) -> bool:
    """Back to the defaults (the weights of the kinds of work are kept: they are records, not
    conventions). False when the section already had the defaults."""
    _lock(school)
    before = rules.flat(current(school), section)
    school.settings = rules.reset(school.settings, section)
    after = rules.flat(current(school), section)
    old, new = rules.changes(before, after)
    if not new:
        return False
    db.session.flush()
    audit.record(AUDIT_ENTITY, school.id, "reset", before=old, after=new, reason=section.code,
                 school_id=school.id, user_id=user.id)
    return True


def history(school: School) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.school_id == school.id, AuditEntry.entity == AUDIT_ENTITY)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(HISTORY_LIMIT)
    ))
