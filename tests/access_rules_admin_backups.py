"""Access rules for the backups page (blueprints/admin/backups.py): administrators only (ARC-4)."""

from __future__ import annotations

from tests.access import ADMINS, Rule

RULES = [
    Rule("GET", "/admin/backups", ADMINS, lambda s: "/admin/backups"),
    Rule(
        "POST",
        "/admin/backups/run",
        ADMINS,
        lambda s: "/admin/backups/run",
        lambda s: {"confirm": "y"},
        note="starts a backup in a background thread",
    ),
]
