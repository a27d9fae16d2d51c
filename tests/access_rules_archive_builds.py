"""Access rules of the automatic archive build's retry (blueprints/archive/views.py, ARC-1): the
archivists only (the director, the deputy, the journal administrator)."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models.year_archive import ArchiveBuildRequest
from tests.access import Rule
from tests.access_rules_archive import ARCHIVISTS, _empty_year


def _failed_build(s) -> str:
    year_id = _empty_year(s)
    request = db.session.scalar(select(ArchiveBuildRequest).where(ArchiveBuildRequest.year_id == year_id))
    if request is None:
        request = ArchiveBuildRequest(school_id=s.school.id, year_id=year_id, requested_by_id=s.director.id,
                                      counts={}, error="")
        db.session.add(request)
    request.status = "failed"  # every caller finds a build to retry
    db.session.commit()
    return f"/archive/years/{year_id}/build/retry"


RULES = [
    Rule("POST", "/archive/years/<int:year_id>/build/retry", ARCHIVISTS, _failed_build),
]
