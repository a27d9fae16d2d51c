"""Access rules for the bells (blueprints/admin/bells.py, ADM-1): the administrators and the
schedule managers (director, deputy, journal administrator); nobody else."""

from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import ShortenedDay
from tests.access import ADMINS, Rule

BELL_STAFF = ADMINS | {"deputy"}
SET = "shift=1&grade_from=1&grade_to=11&variant=normal"


def _shortened_day(s) -> int:
    """A shortened day of the small school (created once)."""
    day_id = db.session.scalar(select(ShortenedDay.id).where(ShortenedDay.school_id == s.school.id))
    if day_id is None:
        marked = ShortenedDay(school_id=s.school.id, date=s.year.start_date, note="")
        db.session.add(marked)
        db.session.commit()
        day_id = marked.id
    return day_id


RULES = [
    Rule("GET", "/admin/bells", BELL_STAFF, lambda s: "/admin/bells"),
    Rule("GET", "/admin/bells/set", BELL_STAFF, lambda s: f"/admin/bells/set?{SET}"),
    Rule(
        "POST",
        "/admin/bells/set",
        BELL_STAFF,
        lambda s: f"/admin/bells/set?{SET}",
        lambda s: {"number-0": "1", "starts-0": "08:30", "ends-0": "09:15"},
    ),
    Rule("POST", "/admin/bells/set/remove", BELL_STAFF, lambda s: f"/admin/bells/set/remove?{SET}&lesson_number=1"),
    Rule("POST", "/admin/bells/set/delete", BELL_STAFF, lambda s: f"/admin/bells/set/delete?{SET}"),
    Rule("POST", "/admin/bells/set/shorten", BELL_STAFF, lambda s: f"/admin/bells/set/shorten?{SET}",
         lambda s: {"minutes": "30"}),
    Rule("POST", "/admin/bells/days", BELL_STAFF, lambda s: "/admin/bells/days",
         lambda s: {"date": s.year.start_date.isoformat(), "note": "предпраздничный день"}),
    Rule("POST", "/admin/bells/days/<int:day_id>/delete", BELL_STAFF,
         lambda s: f"/admin/bells/days/{_shortened_day(s)}/delete"),
]
