"""Access rules for people administration, imports, exports and credential slips
(blueprints/admin/people.py): administrators of the school only (ADM-3, ADM-4, ADM-7)."""

from __future__ import annotations

from sqlalchemy import select

from tests.access import ADMINS, Rule

DIRECTOR = frozenset({"director"})


def _alert_id(s) -> int:
    from extensions import db
    from models import AdminAlert

    if not hasattr(s, "_people_alert_id"):
        alert = AdminAlert(school_id=s.school.id, kind="compromise", message="проверка", user_id=s.deputy.id)
        db.session.add(alert)
        db.session.commit()
        s._people_alert_id = alert.id
    return s._people_alert_id


def _link_id(s) -> int:
    from extensions import db
    from models import ParentLink

    return db.session.scalar(select(ParentLink.id).where(ParentLink.parent_id == s.parent_b.id))


def _import_entry_id(s) -> int:
    """A finished import of this school, as the commit records it."""
    from extensions import db
    from models import AuditEntry

    if not hasattr(s, "_people_import_id"):
        entry = AuditEntry(
            school_id=s.school.id,
            user_id=s.admin.id,
            entity="import",
            action="import",
            after={"kind": "students", "filename": "x.csv", "rows": 1, "user_ids": [s.pupils_5b[1].user.id]},
        )
        db.session.add(entry)
        db.session.commit()
        s._people_import_id = entry.id
    return s._people_import_id


def _pending_token(s) -> str:
    """A checked upload waiting for its commit."""
    from blueprints.admin.imports import people_operations

    if not hasattr(s, "_people_token"):
        s._people_token = people_operations.save_pending(
            {
                "school_id": s.school.id,
                "user_id": s.admin.id,
                "kind": "teachers",
                "filename": "t.csv",
                "order_number": "",
                "enrol_date": "",
                "records": [{"last_name": "Новиков", "first_name": "Нил", "_row": 2}],
                "ignored": [],
                "file_errors": [],
            }
        )
    return s._people_token


P = "/admin/people"

RULES = [
    Rule("GET", f"{P}/", ADMINS, lambda s: f"{P}/?q=Числова&role=teacher"),
    Rule("GET", f"{P}/users/<int:user_id>", ADMINS, lambda s: f"{P}/users/{s.deputy.id}"),
    Rule(
        "POST",
        f"{P}/users/<int:user_id>/roles",
        DIRECTOR,
        lambda s: f"{P}/users/{s.deputy.id}/roles",
        lambda s: {"roles": ["deputy", "teacher"]},
        note="the deputy ranks above the other administrators: only the director changes her roles "
        "(a teacher's roles: every administrator, test_admin_roles)",
    ),
    Rule(
        "POST",
        f"{P}/users/<int:user_id>/block",
        ADMINS,
        lambda s: f"{P}/users/{s.deputy.id}/block",
        lambda s: {"reason": "проверка"},
    ),
    Rule("POST", f"{P}/users/<int:user_id>/unblock", ADMINS, lambda s: f"{P}/users/{s.deputy.id}/unblock"),
    Rule(
        "POST",
        f"{P}/users/<int:user_id>/password",
        DIRECTOR,
        lambda s: f"{P}/users/{s.deputy.id}/password",
        note="answers with the slip PDF; the deputy's password only the director resets "
        "(a teacher's: every administrator, test_admin_roles)",
    ),
    Rule("GET", f"{P}/alerts", ADMINS, lambda s: f"{P}/alerts"),
    Rule("POST", f"{P}/alerts/<int:alert_id>/resolve", ADMINS, lambda s: f"{P}/alerts/{_alert_id(s)}/resolve"),
    Rule("GET", f"{P}/students/<int:student_id>", ADMINS, lambda s: f"{P}/students/{s.pupils_5b[0].id}"),
    Rule(
        "POST",
        f"{P}/students/<int:student_id>/parents",
        ADMINS,
        lambda s: f"{P}/students/{s.pupils_5b[1].id}/parents",
        lambda s: {"parent_login": "parent_b"},
    ),
    Rule("POST", f"{P}/parent-links/<int:link_id>/delete", ADMINS, lambda s: f"{P}/parent-links/{_link_id(s)}/delete"),
    Rule("GET", f"{P}/import", ADMINS, lambda s: f"{P}/import"),
    Rule("POST", f"{P}/import", ADMINS, lambda s: f"{P}/import", lambda s: {"kind": "teachers"}),
    Rule("GET", f"{P}/import/<token>", ADMINS, lambda s: f"{P}/import/{_pending_token(s)}"),
    Rule("POST", f"{P}/import/<token>", ADMINS, lambda s: f"{P}/import/{_pending_token(s)}"),
    Rule("POST", f"{P}/import/<token>/cancel", ADMINS, lambda s: f"{P}/import/{_pending_token(s)}/cancel"),
    Rule("GET", f"{P}/imports/<int:entry_id>", ADMINS, lambda s: f"{P}/imports/{_import_entry_id(s)}"),
    Rule(
        "POST",
        f"{P}/imports/<int:entry_id>/slips",
        ADMINS,
        lambda s: f"{P}/imports/{_import_entry_id(s)}/slips",
        note="replaces passwords and answers with the slips PDF",
    ),
    Rule("GET", f"{P}/slips", ADMINS, lambda s: f"{P}/slips"),
    Rule("GET", f"{P}/classes/<int:class_id>/slips", ADMINS, lambda s: f"{P}/classes/{s.class_5b.id}/slips"),
    Rule(
        "POST",
        f"{P}/classes/<int:class_id>/slips",
        ADMINS,
        lambda s: f"{P}/classes/{s.class_5b.id}/slips",
        lambda s: {"students": "y", "parents": "y"},
        note="replaces passwords and answers with the slips PDF",
    ),
    Rule("GET", f"{P}/export", ADMINS, lambda s: f"{P}/export"),
    Rule(
        "POST",
        f"{P}/export",
        ADMINS,
        lambda s: f"{P}/export",
        lambda s: {"kind": "students", "fmt": "csv", "purpose": "проверка", "recipient": "проверка"},
    ),
]
