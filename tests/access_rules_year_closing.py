"""Access rules for closing a school year (ARC-1): the checklist page and the closing itself are
the director's alone; the other administrators are refused (403)."""

from tests.access import Rule

DIRECTOR = frozenset({"director"})

RULES = [
    Rule("GET", "/admin/years/<int:year_id>/close", DIRECTOR, lambda s: f"/admin/years/{s.year.id}/close"),
    # the year is still going on in small_school: the director's POST is refused as well (400),
    # everyone else is forbidden before that
    Rule(
        "POST",
        "/admin/years/<int:year_id>/close",
        DIRECTOR,
        lambda s: f"/admin/years/{s.year.id}/close",
        lambda s: {"confirm": "y"},
    ),
]
