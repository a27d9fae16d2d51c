"""Access rules for the school settings page (blueprints/admin/settings.py): the director and
the journal administrator only; the technical administrator keeps the system, not the rules."""

from __future__ import annotations

from tests.access import Rule

EDITORS = frozenset({"admin", "director"})  # "admin" is a journal administrator

RULES = [
    Rule("GET", "/admin/settings", EDITORS, lambda s: "/admin/settings"),
    Rule(
        "POST",
        "/admin/settings/<section_code>",
        EDITORS,
        lambda s: "/admin/settings/deadlines",
        lambda s: {"homework_deadline_hours": "2", "current_marks_by": "18:00", "marks_deadline_days": "7",
                   "period_marks_window_days": "7"},
    ),
    Rule("POST", "/admin/settings/<section_code>/reset", EDITORS, lambda s: "/admin/settings/deadlines/reset"),
]
