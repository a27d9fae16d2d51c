"""Signed archive packages (ARC-1, ARC-3): a package verifies; one changed byte names the file;
a package re-signed with another key is not the school's; the verifier shipped inside the
package does the same with only Python and `cryptography`."""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from utils import archive_packages as ap
from utils import archive_verifier

PAYLOAD = {
    "journals/5A-mathematics.pdf": b"%PDF-1.4 journal pages",
    "data/marks.csv": "Ученик;Оценка\r\nПетров Пётр;5\r\n".encode(),
    "description.json": '{"school": "МБОУ СОШ № 1", "year": "2025/2026", "class": "5А"}'.encode(),
}
INFO = {"Source-Organization": "МБОУ СОШ № 1", "External-Description": "5А, 2025/2026"}


@pytest.fixture
def key(tmp_path):
    return ap.load_or_create_signing_key(tmp_path / "keys" / "archive.pem")


@pytest.fixture
def package(tmp_path, key):
    return ap.create_package(tmp_path / "5A-2025", PAYLOAD, INFO, key).path


def test_the_signing_key_is_created_once_with_owner_only_access(tmp_path):
    path = tmp_path / "k" / "archive.pem"
    first = ap.load_or_create_signing_key(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert ap.public_key_pem(ap.load_or_create_signing_key(path)) == ap.public_key_pem(first)
    assert len(ap.fingerprint(first).replace(" ", "")) == 64


def test_a_fresh_package_verifies(package, key):
    assert ap.verify_package(package, ap.public_key_pem(key)) == (True, [])
    assert (package / "data" / "journals" / "5A-mathematics.pdf").read_bytes() == PAYLOAD["journals/5A-mathematics.pdf"]
    assert (package / ap.VERIFIER_NAME).exists() and (package / ap.PUBLIC_KEY_NAME).exists()


def test_one_changed_byte_names_the_file(package, key):
    target = package / "data" / "data" / "marks.csv"
    content = bytearray(target.read_bytes())
    content[0] ^= 1
    target.write_bytes(bytes(content))
    ok, problems = ap.verify_package(package, ap.public_key_pem(key))
    assert not ok
    assert problems == ["changed: data/data/marks.csv"]


def test_an_added_or_removed_file_is_reported(package, key):
    (package / "data" / "extra.txt").write_text("slipped in")
    (package / "data" / "description.json").unlink()
    ok, problems = ap.verify_package(package, ap.public_key_pem(key))
    assert not ok
    assert "missing: data/description.json" in problems
    assert "not in the manifest: data/extra.txt" in problems


def test_a_package_re_signed_with_another_key_is_not_the_schools(package, key):
    ap.sign_package(package, Ed25519PrivateKey.generate())
    ok, problems = ap.verify_package(package, ap.public_key_pem(key))
    assert not ok
    assert problems == ["signature: not made by the given public key (not the school's)"]


def test_a_changed_description_breaks_the_signature_chain(package, key):
    info = package / "bag-info.txt"
    info.write_text(info.read_text() + "Note: added later\n")
    ok, problems = ap.verify_package(package, ap.public_key_pem(key))
    assert not ok and problems == ["changed: bag-info.txt"]


def test_the_destination_is_never_left_half_written(tmp_path, key):
    with pytest.raises(ValueError):
        ap.create_package(tmp_path / "bad", {"../escape.txt": b"x"}, INFO, key)
    assert not (tmp_path / "bad").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".incomplete-")] == []


def test_the_shipped_verifier_runs_alone(package, key, tmp_path):
    pem = tmp_path / "school.pem"
    pem.write_bytes(ap.public_key_pem(key))
    script = package / ap.VERIFIER_NAME
    # -I: isolated mode — no project on the path, only the standard library and site-packages.
    ok = subprocess.run([sys.executable, "-I", str(script), str(package), "--public-key", str(pem)],
                        capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout
    other = tmp_path / "other.pem"
    other.write_bytes(ap.public_key_pem(Ed25519PrivateKey.generate()))
    bad = subprocess.run([sys.executable, "-I", str(script), str(package), "--public-key", str(other)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 1
    assert "not the school's" in bad.stdout


def test_the_verifier_uses_nothing_of_the_project():
    tree = ast.parse(open(archive_verifier.__file__, encoding="utf-8").read())
    imports = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imports |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imports <= {"__future__", "argparse", "base64", "hashlib", "os", "sys", "cryptography"}


def test_flask_archive_verify_reports_the_changed_file(app, tmp_path):
    app.config["ARCHIVE_SIGNING_KEY_PATH"] = str(tmp_path / "school.pem")
    runner = app.test_cli_runner()
    with app.app_context():
        from blueprints.archive.cli import signing_key_path

        key = ap.load_or_create_signing_key(signing_key_path())
    path = ap.create_package(tmp_path / "5A", PAYLOAD, INFO, key).path
    result = runner.invoke(args=["archive", "verify", str(path)])
    assert result.exit_code == 0 and "OK" in result.output
    (path / "data" / "description.json").write_bytes(b"{}")
    result = runner.invoke(args=["archive", "verify", str(path)])
    assert result.exit_code == 1
    assert "changed: data/description.json" in result.output
    shown = runner.invoke(args=["archive", "public-key"])
    assert "BEGIN PUBLIC KEY" in shown.output and ap.fingerprint(key) in shown.output
