"""Retention and destruction acts (ARC-2): the monthly job proposes the records whose retention
ended, nothing is destroyed without the director's approved act, and after the approval the
records are gone from the database and from both destinations while the act remains."""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from blueprints.archive import retention_operations as ops
from domain import settings_rules
from extensions import db
from jobs import retention as job
from models import Attendance, Lesson, Mark, Student, WorkKind
from models.archive import ArchivePackage
from models.printouts import Printout
from models.retention import DestructionAct
from tests.clock import school_date

COMMISSION = "Смирнова А. П., директор\nЧислова В. В., учитель математики\nАдминистраторов А. А., администратор ЭЖ"


@pytest.fixture
def school(small_school, tmp_path):
    s = small_school()
    s.dests = [str(tmp_path / "disk1"), str(tmp_path / "disk2")]

    def package(name, retention_kind, kind="class_year"):
        for dest in s.dests:
            os.makedirs(os.path.join(dest, name, "data"))
            with open(os.path.join(dest, name, "data", "journal.pdf"), "wb") as f:
                f.write(b"%PDF-1.4 test")
        # as the builder records them: the package's own folder in each destination
        p = ArchivePackage(school_id=s.school.id, year_id=s.year.id, class_id=s.class_5a.id, kind=kind, name=name,
                           destinations=[os.path.join(d, name) for d in s.dests], files=1,
                           retention_kind=retention_kind, counted_from=s.year.end_date)
        db.session.add(p)
        return p

    s.journal_5a = package("2026-2027-5A", "journal")
    s.certificates = package("2026-2027-certificate-book", "certificate_book", kind="summary_sheets")
    kind = db.session.scalar(select(WorkKind).where(WorkKind.school_id == s.school.id, WorkKind.code == "oral"))
    lesson = Lesson(school_id=s.school.id, assignment_id=s.maths_5a.id, date=school_date(2026, 11, 20), lesson_number=1,
                    topic="Дроби", given_by_id=s.maths_teacher.id)
    db.session.add(lesson)
    db.session.flush()
    db.session.add(Mark(school_id=s.school.id, lesson_id=lesson.id, student_id=s.pupils_5a[0].id, work_kind_id=kind.id,
                        value="5"))
    db.session.add(Attendance(school_id=s.school.id, lesson_id=lesson.id, student_id=s.pupils_5a[1].id, code="absent"))
    db.session.flush()
    s.year.is_closed = True  # closed after its journal was kept (a closed year refuses new rows)
    db.session.commit()
    return s


def _later(years: int):
    return time_machine.travel(datetime.now(timezone.utc) + timedelta(days=365 * years + 2), tick=False)


def _run(app, slot: datetime | None = None):
    return job.run_scheduled(app, slot or datetime.now(timezone.utc).replace(microsecond=0))


def _lessons(s) -> int:
    return db.session.scalar(select(func.count(Lesson.id)).where(Lesson.school_id == s.school.id))


def _folders(s, package) -> list[bool]:
    return [os.path.isdir(os.path.join(dest, package.name)) for dest in s.dests]


def _proposal(s) -> DestructionAct:
    return db.session.scalar(select(DestructionAct).where(DestructionAct.school_id == s.school.id))


def test_six_years_on_the_job_proposes_the_5a_journal_not_the_certificate_book_and_destroys_nothing(app, school):
    with _later(6):
        run = _run(app)
        assert run.status == "succeeded", run.errors
        act = _proposal(school)
        keys = {r["key"] for r in act.records}
        assert f"archive_package:{school.journal_5a.id}" in keys
        assert f"journal_year:{school.year.id}" in keys
        assert f"archive_package:{school.certificates.id}" not in keys
        assert act.status == "proposed" and act.job_run_id == run.id
        # Proposed is not destroyed: the rows and both folders are still there.
        assert _lessons(school) == 1 and db.session.scalar(select(func.count(Mark.id))) == 1
        assert _folders(school, school.journal_5a) == [True, True]
        assert db.session.get(ArchivePackage, school.journal_5a.id).status == "complete"
        # A rerun of the slot is skipped; the next month proposes nothing twice.
        assert _run(app, run.scheduled_for) is None
        assert _run(app, run.scheduled_for + timedelta(days=31)).counts == {"acts": 0, "records": 0}
        assert db.session.scalar(select(func.count(DestructionAct.id))) == 1


def test_before_the_retention_ends_nothing_is_proposed(app, school):
    with _later(4):
        assert _run(app).counts == {"acts": 0, "records": 0}
    assert _proposal(school) is None


def test_a_longer_period_in_the_settings_keeps_the_journal(app, school):
    school.school.settings = {"retention_years": {"journal": 10}}
    db.session.commit()
    with _later(6):
        _run(app)
    assert _proposal(school) is None


def test_the_settings_refuse_a_period_shorter_than_the_law(app, school, client, auth):
    _values, errors = settings_rules.read_section(settings_rules.SECTION_BY_CODE["retention"], {
        **{f"retention_years.{code}": "5" for code, *_rest in settings_rules.RETENTION_FIELDS},
        "retention_years.certificate_book": "10"})
    assert set(errors) == {"retention_years.certificate_book"}
    auth.login(school.director)
    form = {f"retention_years.{code}": str(low) for code, _l, _h, low in settings_rules.RETENTION_FIELDS}
    response = client.post("/admin/settings/retention", data={**form, "retention_years.journal": "2"})
    assert response.status_code == 400
    assert "Целое число от 3 до 100" in response.get_data(as_text=True)
    response = client.post("/admin/settings/retention", data={**form, "retention_years.journal": "7"})
    assert response.status_code == 303
    db.session.refresh(school.school)
    assert school.school.settings["retention_years"]["journal"] == 7
    assert "Сроки хранения документов" in client.get("/admin/settings").get_data(as_text=True)


def test_the_director_approves_the_act_and_only_then_the_records_are_destroyed(app, school, client, auth, tmp_path):
    with _later(6):
        _run(app)
        act = _proposal(school)
        auth.login(school.admin)  # the journal's administrator sees the proposal, may not approve
        page = client.get(f"/archive/destruction/{act.id}")
        assert page.status_code == 200 and "2026-2027-5A" in page.get_data(as_text=True)
        approve = {"number": "7", "act_date": str(school_date(2026, 11, 20) + timedelta(days=365 * 6)),
                   "commission": COMMISSION, "confirm": "y"}
        assert client.post(f"/archive/destruction/{act.id}", data=approve).status_code == 403
        auth.logout()
        auth.login(school.director)
        # Without the confirmation, or with a commission of one: refused, nothing destroyed.
        response = client.post(f"/archive/destruction/{act.id}", data={**approve, "confirm": ""})
        assert response.status_code == 400 and "Подтвердите уничтожение" in response.get_data(as_text=True)
        response = client.post(f"/archive/destruction/{act.id}", data={**approve, "commission": "Смирнова А. П., директор"})
        assert response.status_code == 400 and "не меньше 3" in response.get_data(as_text=True)
        assert _lessons(school) == 1 and _folders(school, school.journal_5a) == [True, True]
        assert db.session.get(DestructionAct, act.id).status == "proposed"

        response = client.post(f"/archive/destruction/{act.id}", data=approve)
        assert response.status_code == 302, response.get_data(as_text=True)

        # Gone from both destinations and from the database; the certificate book untouched.
        assert _folders(school, school.journal_5a) == [False, False]
        assert _folders(school, school.certificates) == [True, True]
        package = db.session.get(ArchivePackage, school.journal_5a.id)
        assert (package.status, package.destruction_act_id) == ("destroyed", act.id)
        assert db.session.get(ArchivePackage, school.certificates.id).status == "complete"
        assert _lessons(school) == 0
        assert db.session.scalar(select(func.count(Mark.id))) == 0
        assert db.session.scalar(select(func.count(Attendance.id))) == 0
        assert db.session.scalar(select(func.count(Student.id)).where(Student.school_id == school.school.id)) == 7
        # The act remains, approved, with its certified PDF and the event log's extract.
        act = db.session.get(DestructionAct, act.id)
        assert (act.status, act.number, len(act.commission)) == ("approved", "7", 3)
        assert {d["key"] for d in act.summary["destroyed"]} == {f"archive_package:{package.id}",
                                                                f"journal_year:{school.year.id}"}
        assert db.session.get(Printout, act.printout_id).kind == "retention_destruction_act"
        pdf = client.get(f"/archive/destruction/{act.id}/pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        target = tmp_path / "act.pdf"
        target.write_bytes(pdf.data)
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True).stdout
            assert "2026-2027-5A" in text and "Числова В. В." in text
            assert "журнал регистрации событий" in text.lower() or "Выгрузка" in text
        if os.environ.get("RETENTION_ACT_PNG"):
            shutil.copy(target, os.environ["RETENTION_ACT_PNG"])
        # A second run proposes nothing: the destroyed records are no longer held.
        assert _run(app, datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=31)).counts["acts"] == 0
        assert db.session.scalar(select(func.count(DestructionAct.id))) == 1


def test_a_package_under_a_legal_hold_is_neither_proposed_nor_destroyed(app, school, client, auth):
    auth.login(school.director)
    url = f"/archive/packages/{school.journal_5a.id}/hold"
    response = client.post(url, data={"hold": "y", "reason": ""})
    assert response.status_code == 400 and "основание удержания" in response.get_data(as_text=True)
    assert not db.session.get(ArchivePackage, school.journal_5a.id).legal_hold
    assert client.post(url, data={"hold": "y", "reason": "запрос суда № 12"}).status_code == 302
    with _later(6):
        _run(app)
        keys = {r["key"] for r in _proposal(school).records}
        assert f"archive_package:{school.journal_5a.id}" not in keys


def test_a_hold_set_after_the_proposal_is_skipped_on_approval(app, school):
    with _later(6):
        _run(app)
        act = _proposal(school)
        ops.set_hold(db.session.get(ArchivePackage, school.journal_5a.id), school.director, True, "проверка")
        with app.test_request_context():
            paths = ops.approve(act, school.director, "8", school_date(2026, 11, 20) + timedelta(days=365 * 6),
                                COMMISSION, True, school_date(2026, 11, 20) + timedelta(days=365 * 6))
        db.session.commit()
        ops.remove_paths(paths)
        assert _folders(school, school.journal_5a) == [True, True]
        assert db.session.get(ArchivePackage, school.journal_5a.id).status == "complete"
        assert [s["why"] for s in act.summary["skipped"]] == ["legal_hold"]
        assert _lessons(school) == 0  # the journal's rows of the year were not held


def test_the_list_page_shows_proposals_and_packages_in_bounded_queries(app, school, client, auth, count_queries):
    with _later(6):
        _run(app)
    auth.login(school.admin)
    with count_queries() as counter:
        page = client.get("/archive/destruction")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026-2027-certificate-book" in text and "Проект акта" in text
    assert "Удерживать" not in text  # only the director holds
    assert counter.count < 25


def test_the_page_is_reachable_from_the_home_page_of_those_who_may_open_it(app, school, client, auth):
    auth.login(school.director)
    assert "/archive/destruction" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(school.deputy)
    assert "/archive/destruction" not in client.get("/").get_data(as_text=True)
    assert client.get("/archive/destruction").status_code == 403


def test_the_journal_of_a_year_not_closed_is_never_proposed(app, school):
    school.year.is_closed = False
    db.session.commit()
    with _later(6):
        _run(app)
        keys = {r["key"] for r in _proposal(school).records}
    assert keys == {f"archive_package:{school.journal_5a.id}"}


def test_a_built_package_is_removed_from_both_destinations_and_their_sums(app, small_school, tmp_path, client):
    """The package the archive really builds (its destinations are its folders) is the one the
    approved act removes; each destination's SHA256SUMS then still checks what is kept."""
    import subprocess
    from pathlib import Path

    from blueprints.archive import operations as archive_ops
    from blueprints.archive import retention_operations
    from blueprints.archive.retention_records import package_folders
    from tests.conftest import _SHARED_APPS

    settings = {"BACKUP_DESTINATIONS": [str(tmp_path / "disk-a"), str(tmp_path / "disk-b")],
                "ARCHIVE_SIGNING_KEY_PATH": str(tmp_path / "keys" / "school.pem")}
    for application in [app, *_SHARED_APPS.values()]:
        application.config.update(settings)
    s = small_school()
    with app.test_request_context():
        first = archive_ops.build_summary_sheets_package(s.year, s.deputy)
        second = archive_ops.build_summary_sheets_package(s.year, s.deputy)
    db.session.commit()
    assert package_folders(first) == first.destinations and all(os.path.isdir(p) for p in first.destinations)
    retention_operations.remove_paths(package_folders(first))
    for destination in settings["BACKUP_DESTINATIONS"]:
        archive = Path(destination) / "archive"
        assert not (archive / first.name).exists() and (archive / second.name).is_dir()
        sums = (archive / "SHA256SUMS").read_text()
        assert f"{first.name}/" not in sums and f"{second.name}/" in sums
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=archive).returncode == 0
