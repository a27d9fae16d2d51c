"""Access rules for opening a new academic year from the current one (blueprints/admin/new_year.py,
ADM-1): only the administrators (policy.can_administer)."""

from tests.access import ADMINS, Rule

RULES = [
    Rule("GET", "/admin/years/<int:year_id>/next", ADMINS, lambda s: f"/admin/years/{s.year.id}/next"),
    Rule(
        "POST",
        "/admin/years/<int:year_id>/next",
        ADMINS,
        lambda s: f"/admin/years/{s.year.id}/next",
        lambda s: {"confirm": "y", "order_number": "1"},
        note="dates missing: an allowed user would get a 400, a refused one 403/404",
    ),
]
