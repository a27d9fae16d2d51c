"""Access rules for the archive (blueprints/archive/views.py, ARC-1, ARC-3): the director, the
deputy and the journal administrator ("admin"); nobody else. The build rules use 1А (one journal)
and an empty past year, and every app writes to a temporary folder, never to instance/."""

from __future__ import annotations

import tempfile
from datetime import date

from sqlalchemy import select

from extensions import db
from models import AcademicYear
from models.archive import ArchivePackage
from tests.access import Rule

ARCHIVISTS = frozenset({"admin", "director", "deputy"})


def _isolated(s) -> None:
    """Point the apps' archive destinations and signing key at a temporary folder (the
    configuration is restored after each test by make_app)."""
    from tests.conftest import _SHARED_APPS

    if not hasattr(s, "_archive_tmp"):
        s._archive_tmp = tempfile.mkdtemp(prefix="archive-matrix-")
    for application in _SHARED_APPS.values():
        application.config["BACKUP_DESTINATIONS"] = [f"{s._archive_tmp}/a", f"{s._archive_tmp}/b"]
        application.config["ARCHIVE_SIGNING_KEY_PATH"] = f"{s._archive_tmp}/key.pem"


def _empty_year(s) -> int:
    _isolated(s)
    year_id = db.session.scalar(select(AcademicYear.id).where(AcademicYear.school_id == s.school.id,
                                                              AcademicYear.name == "2019/2020"))
    if year_id is None:
        year = AcademicYear(school_id=s.school.id, name="2019/2020", start_date=date(2019, 9, 1),
                            end_date=date(2020, 5, 31), is_current=False)
        db.session.add(year)
        db.session.commit()
        year_id = year.id
    return year_id


def _package(s) -> int:
    year_id = _empty_year(s)
    package_id = db.session.scalar(select(ArchivePackage.id).where(ArchivePackage.school_id == s.school.id))
    if package_id is None:
        package = ArchivePackage(school_id=s.school.id, year_id=year_id, kind="summary_sheets", name="matrix",
                                 destinations=[f"{s._archive_tmp}/a/archive/matrix"], counted_from=date(2020, 5, 31))
        db.session.add(package)
        db.session.commit()
        package_id = package.id
    return package_id


def _class_1a(s) -> str:
    _isolated(s)
    return f"/archive/classes/{s.class_1a.id}/build"


RULES = [
    Rule("GET", "/archive", ARCHIVISTS, lambda s: "/archive"),
    Rule("POST", "/archive/packages/<int:package_id>/verify", ARCHIVISTS,
         lambda s: f"/archive/packages/{_package(s)}/verify"),
    Rule("POST", "/archive/classes/<int:class_id>/build", ARCHIVISTS, _class_1a,
         note="1А: one journal of four quarters"),
    Rule("POST", "/archive/years/<int:year_id>/summary-sheets", ARCHIVISTS,
         lambda s: f"/archive/years/{_empty_year(s)}/summary-sheets"),
    Rule("POST", "/archive/years/<int:year_id>/build", ARCHIVISTS,
         lambda s: f"/archive/years/{_empty_year(s)}/build"),
    Rule("GET", "/archive/years/<int:year_id>/act.pdf", ARCHIVISTS,
         lambda s: f"/archive/years/{_empty_year(s)}/act.pdf"),
]
