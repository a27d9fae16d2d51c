"""Write the history of a change in the same transaction as the change (JRN-8)."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from extensions import db
from models import AuditEntry


def client_ip() -> str:
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def record(
    entity: str,
    entity_id: int | None,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    school_id: int | None = None,
    user_id: int | None = None,
) -> AuditEntry:
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    if school_id is None and has_request_context() and current_user.is_authenticated:
        school_id = current_user.school_id
    entry = AuditEntry(
        school_id=school_id,
        user_id=user_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        reason=reason,
        ip=client_ip(),
        user_agent=(request.user_agent.string[:300] if has_request_context() else ""),
    )
    db.session.add(entry)
    return entry
