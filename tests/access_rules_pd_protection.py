"""Access rules for the protection pages (PD-6): the access log is the director's; finding a
student by SNILS is for staff named in the order for 5.1 (every staff member of the matrix
school is named for all categories)."""
from __future__ import annotations

from tests.access import STAFF, Rule

P = "/personal-data"

RULES = [
    Rule("GET", f"{P}/access-log", frozenset({"director"}), lambda s: f"{P}/access-log"),
    Rule("GET", f"{P}/search", STAFF, lambda s: f"{P}/search?snils=112-233-445+95"),
]
