"""Access rules for the archive (blueprints/archive/views.py, ARC-1, ARC-3): the director, the
deputy and the journal administrator ("admin"); nobody else. The build rules use 1А (one journal)
and an empty past year; every app of the tests writes its archive to a temporary folder
(tests/conftest.py `_base_config`), never to instance/."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from extensions import db
from models import AcademicYear
from models.archive import ArchivePackage
from tests.access import Rule

ARCHIVISTS = frozenset({"admin", "director", "deputy"})


def _empty_year(s) -> int:
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
                                 destinations=[f"{_archive_dirs()[0]}/matrix"], counted_from=date(2020, 5, 31))
        db.session.add(package)
        db.session.commit()
        package_id = package.id
    return package_id


def _class_1a(s) -> str:
    return f"/archive/classes/{s.class_1a.id}/build"


def _archive_dirs() -> list[str]:
    from flask import current_app

    from blueprints.archive.operations import ARCHIVE_FOLDER
    from jobs import backup

    return [f"{d}/{ARCHIVE_FOLDER}" for d in backup.destinations(current_app)]


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
