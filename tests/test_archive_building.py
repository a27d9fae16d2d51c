"""The archive's packages of a year (ARC-1, ARC-3): 5А's package holds the journal pages, the
summary sheet, the data and a description, is written to both destinations with their
SHA256SUMS and verifies; a changed byte names the file (on the page and in `flask archive
verify`); a package re-signed with another key is not the school's; the acceptance act prints
the school's fingerprint."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from blueprints.archive import operations as ops
from extensions import db
from models.archive import ArchivePackage
from utils import archive_packages as ap


@pytest.fixture
def archive_env(app, client, tmp_path):
    """Both apps (the test's and the client's) write to two folders under tmp_path."""
    from tests.conftest import _SHARED_APPS

    settings = {"BACKUP_DESTINATIONS": [str(tmp_path / "disk-a"), str(tmp_path / "disk-b")],
                "ARCHIVE_SIGNING_KEY_PATH": str(tmp_path / "keys" / "school.pem")}
    for application in [app, *_SHARED_APPS.values()]:
        application.config.update(settings)
    return settings


@pytest.fixture
def built(app, small_school, archive_env):
    s = small_school()
    package = ops.build_class_package(s.class_5a, s.year, s.deputy)
    db.session.commit()
    return s, package


def _key(app):
    from blueprints.archive.cli import signing_key_path

    return ap.load_or_create_signing_key(signing_key_path())


def test_the_package_of_5a_is_written_to_both_destinations_and_verifies(app, built, archive_env):
    s, package = built
    assert len(package.destinations) == 2
    for destination, path in zip(archive_env["BACKUP_DESTINATIONS"], package.destinations, strict=True):
        assert path.startswith(destination)
        folder = Path(path)
        assert ap.verify_package(folder, ap.public_key_pem(_key(app))) == (True, [])
        sums = (Path(destination) / "archive" / "SHA256SUMS").read_text()
        assert f"{package.name}/data/description.json" in sums
        # the destination's manifest checks with the standard tool
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=Path(destination) / "archive").returncode == 0
    folder = Path(package.destinations[0]) / "data"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert any(n.startswith("journals/Matematika/") for n in names)
    assert "summary-sheet-5A.pdf" in names
    assert {"data/data.json", "data/students.csv", "description.json", "description.txt"} <= names
    description = json.loads((folder / "description.json").read_text())
    assert description["class"] == "5А" and description["school"] == s.school.name
    assert description["built_by"] == s.deputy.full_name
    data = json.loads((folder / "data" / "data.json").read_text())
    assert {st["last_name"] for st in data["students"]} == {"Петров", "Алексеева", "Борисов", "Васильева"}
    assert "5А" in (folder / "description.txt").read_text()
    assert (folder / "journals" / "Matematika" / "01-1-chetvert.pdf").read_bytes().startswith(b"%PDF")
    row = db.session.get(ArchivePackage, package.id)
    assert row.retention_kind == "journal" and row.counted_from == s.year.end_date
    assert row.public_key_fingerprint == ap.fingerprint(_key(app))


def test_building_again_makes_a_new_package_never_rewrites(app, built):
    s, first = built
    second = ops.build_class_package(s.class_1a, s.year, s.deputy)
    again = ops.build_class_package(s.class_1a, s.year, s.deputy)
    assert again.name == second.name + "-v2" and first.name != second.name


def test_a_changed_byte_is_named_on_the_page_and_by_flask_archive_verify(app, built, client, auth, runner):
    s, package = built
    for path in package.destinations:
        target = Path(path) / "data" / "data" / "students.csv"
        content = bytearray(target.read_bytes())
        content[-1] ^= 1
        target.write_bytes(bytes(content))
    auth.login(s.director)
    page = client.post(f"/archive/packages/{package.id}/verify").get_data(as_text=True)
    assert "✗" in page and "changed: data/data/students.csv" in page
    result = runner.invoke(args=["archive", "verify", package.destinations[0]])
    assert result.exit_code == 1 and "changed: data/data/students.csv" in result.output


def test_an_intact_package_shows_a_tick(app, built, client, auth):
    s, package = built
    auth.login(s.deputy)
    response = client.post(f"/archive/packages/{package.id}/verify", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("✓") == 2 and "✗" not in page


def test_a_package_re_signed_with_another_key_is_not_the_schools(app, built, client, auth):
    s, package = built
    ap.sign_package(package.destinations[1], Ed25519PrivateKey.generate())
    checks = ops.verify(db.session.get(ArchivePackage, package.id))
    assert checks[0].ok and not checks[1].ok
    assert any("signature" in p for p in checks[1].problems)


def test_the_verifier_shipped_in_the_package_runs_on_its_own(app, built, tmp_path):
    s, package = built
    pem = tmp_path / "pub.pem"
    pem.write_bytes(ap.public_key_pem(_key(app)))
    folder = package.destinations[0]
    result = subprocess.run([sys.executable, str(Path(folder) / "verify_package.py"), folder, "--public-key", str(pem)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_summary_sheets_package_and_the_acceptance_act(app, small_school, archive_env, client, auth, tmp_path):
    from tests.test_year_closing import print_sheets

    s = small_school()
    print_sheets(s)  # the year's accounting has ended: every class's sheet is certified
    db.session.commit()
    auth.login(s.journal_admin if hasattr(s, "journal_admin") else s.admin)
    response = client.post(f"/archive/years/{s.year.id}/summary-sheets")
    assert response.status_code == 302
    package = db.session.scalar(db.select(ArchivePackage))
    assert package.kind == "summary_sheets" and package.retention_kind == "summary_sheet"
    names = {p.name for p in (Path(package.destinations[0]) / "data" / "summary-sheets").iterdir()}
    assert len(names) == 3  # 5А, 5Б, 1А
    response = client.get(f"/archive/years/{s.year.id}/act.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = tmp_path / "act.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert ap.fingerprint(_key(app)) in text
    assert "Акт приёма-передачи" in text and package.name in text and "BEGIN PUBLIC KEY" in text


def test_the_archive_page_lists_the_packages_for_the_office_only(app, built, client, auth):
    s, package = built
    auth.login(s.deputy)
    page = client.get("/archive").get_data(as_text=True)
    assert package.name in page and "Проверить" in page
    assert "/archive" in client.get("/").get_data(as_text=True)  # reached from the home page's «Разделы»
    auth.logout()
    auth.login(s.maths_teacher)
    assert client.get("/archive").status_code == 403



@pytest.fixture
def data_only(monkeypatch):
    """Only the data files: the tests of the year's entry point need no PDFs."""
    monkeypatch.setattr(ops, "CONTENT_BUILDERS", [ops.data_files, ops.personal_file_extracts])


def test_build_year_packages_builds_every_class_and_the_summary_sheets_as_a_job_run(app, small_school, archive_env,
                                                                                 data_only, monkeypatch):
    from models import JobRun

    monkeypatch.setattr(ops, "_summary_sheet_pdf", lambda ctx, class_group, relpath: False)
    s = small_school()
    outcome = ops.build_year_packages(s.year, s.director)
    assert outcome["status"] == "succeeded" and outcome["counts"]["packages"] == 4
    kinds = sorted(p.kind for p in db.session.scalars(db.select(ArchivePackage)))
    assert kinds == ["class_year"] * 3 + ["summary_sheets"]
    run = db.session.get(JobRun, outcome["run_id"])
    assert run.job_id == ops.JOB_ID and (run.total, run.done, run.failed) == (4, 4, 0)


def test_a_content_builder_added_later_puts_its_files_in_the_package(app, small_school, archive_env, data_only,
                                                                   monkeypatch):
    """Another part adds `personal_file_extract_pdf(student, year)`; its PDFs go in the package."""
    import types

    module = types.ModuleType("blueprints.personal_data.files_printing")
    module.personal_file_extract_pdf = lambda student, year: b"%PDF-1.4 " + student.last_name.encode()
    monkeypatch.setitem(sys.modules, "blueprints.personal_data.files_printing", module)
    s = small_school()
    package = ops.build_class_package(s.class_5b, s.year, s.deputy)
    folder = Path(package.destinations[1]) / "data" / "personal-files"
    assert len(list(folder.iterdir())) == 2
    assert "Выписки из личных дел (PDF): 2" in (Path(package.destinations[1]) / "data" / "description.txt").read_text()


def test_a_destination_that_cannot_be_written_leaves_no_package_anywhere(app, small_school, archive_env, data_only,
                                                                        tmp_path):
    s = small_school()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    for application in _apps(app):
        application.config["BACKUP_DESTINATIONS"] = [str(tmp_path / "disk-a"), str(blocker / "disk-b")]
    with pytest.raises(OSError):
        ops.build_class_package(s.class_5b, s.year, s.deputy)
    assert not list((tmp_path / "disk-a" / "archive").glob("*class*"))
    assert not (tmp_path / "disk-a" / "archive" / "SHA256SUMS").exists()
    assert db.session.scalar(db.select(db.func.count()).select_from(ArchivePackage)) == 0


def test_the_archive_page_runs_a_bounded_number_of_queries(app, small_school, archive_env, data_only, client, auth,
                                                         count_queries):
    s = small_school()
    ops.build_class_package(s.class_5b, s.year, s.deputy)
    db.session.commit()
    auth.login(s.director)
    with count_queries() as one:
        assert client.get("/archive").status_code == 200
    ops.build_class_package(s.class_1a, s.year, s.deputy)
    ops.build_class_package(s.class_5a, s.year, s.deputy)
    db.session.commit()
    with count_queries() as three:
        assert client.get("/archive").status_code == 200
    assert three.count == one.count


def _apps(app):
    from tests.conftest import _SHARED_APPS

    return [app, *_SHARED_APPS.values()]
