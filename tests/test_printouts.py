"""Certified printouts (REP-4; 001:2.5.10, 003:6.1): a printed document carries a verification
code, is recorded with the SHA-256 of its PDF and kept; staff check a paper copy at
/verify/<code>, families never see the records."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.printout_codes import ALPHABET, LENGTH, grouped, new_code, normalise
from extensions import db
from jobs import weekly_reports
from models import AuditEntry
from models.printouts import Printout
from tests.weekly_fixtures import SLOT

pytest_plugins = ("tests.weekly_fixtures",)  # the report_week fixture

PNG_DIR = os.environ.get("PRINTOUT_PNGS")  # set it to keep the pages as PNG to look at


def pdftotext(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def keep_png(data: bytes, name: str) -> None:
    if PNG_DIR and shutil.which("pdftoppm"):
        os.makedirs(PNG_DIR, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-", os.path.join(PNG_DIR, name)], input=data, check=True)


def print_journal_page(client, auth, s) -> tuple[bytes, Printout]:
    auth.login(s.maths_teacher)
    response = client.get(f"/journal/assignments/{s.maths_5a.id}/print")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    printout = db.session.scalars(select(Printout).order_by(Printout.id.desc())).first()
    return response.data, printout


@pytest.fixture
def school(app, small_school):
    return small_school()


# --- The code ------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_code_is_ten_unambiguous_characters_and_survives_how_it_is_typed(data):
    code = new_code()
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert not set(code) & set("01258BIOLSZ")  # no look-alikes
    printed = grouped(code)
    assert len(printed) == 11 and printed[5] == "-"
    sloppy = data.draw(st.sampled_from([printed, printed.lower(), code, f" {printed[:5]} {printed[6:]} ",
                                        printed.replace("-", "–")]))
    assert normalise(sloppy) == code
    cyrillic = printed.translate(str.maketrans("ACEHKMPTXY3", "АСЕНКМРТХУЗ"))  # typed on a Russian layout
    assert normalise(cyrillic) == code


@given(st.text(max_size=14))
def test_anything_else_is_not_a_code(text):
    code = normalise(text)
    assert code is None or (len(code) == LENGTH and set(code) <= set(ALPHABET))


def test_codes_are_unique():
    codes = [new_code() for _ in range(20000)]
    assert len(set(codes)) == len(codes)


# --- The printed documents -----------------------------------------------------------------------


def test_a_printed_journal_page_carries_its_code_and_is_recorded_and_kept(app, client, auth, school):
    pdf, printout = print_journal_page(client, auth, school)
    text = pdftotext(pdf)
    keep_png(pdf, "journal_page")
    assert printout is not None and printout.kind == "journal_page"
    assert grouped(printout.code) in text and f"/verify/{grouped(printout.code)}" in text
    for expected in ("МБОУ «Средняя общеобразовательная школа № 1»", "Учитель", "Директор", "М.П.",
                     "Дата и время печати"):
        assert expected in text, expected
    # two pages (the grid, the topics): «стр. N из M» on each
    assert "стр. 1 из 2" in text and "стр. 2 из 2" in text
    assert printout.printed_by_id == school.maths_teacher.id and printout.printed_by_name == school.maths_teacher.full_name
    assert printout.of["assignment_id"] == school.maths_5a.id
    assert printout.sha256 == hashlib.sha256(pdf).hexdigest() and printout.size == len(pdf)
    from utils.printouts import stored_path

    path = stored_path(printout)
    with open(path, "rb") as f:
        stored = f.read()
    assert hashlib.sha256(stored).hexdigest() == printout.sha256 and stored == pdf
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "journal_page"))
    assert audit.after["printout"] == printout.code


def test_every_copy_of_the_weekly_reports_is_certified(app, report_week):
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors
    printouts = list(db.session.scalars(select(Printout).where(Printout.kind == "weekly_report").order_by(Printout.id)))
    assert len(printouts) == 3  # three printed copies (see tests/test_weekly_reports.py)
    assert all(p.printed_by_id is None and "автоматически" in p.printed_by_name for p in printouts)
    relpath = run.counts["files"][str(report_week.school.id)][0]
    batch = open(os.path.join(weekly_reports.reports_folder(app), relpath), "rb").read()
    text = pdftotext(batch)
    keep_png(batch, "weekly_report")
    for printout in printouts:
        assert grouped(printout.code) in text
        from utils.printouts import stored_path

        with open(stored_path(printout), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == printout.sha256
    assert "Классный руководитель" in text and "М.П." in text and "стр. 1 из 1" in text


def test_the_diary_weekly_report_is_certified_too(app, client, auth, report_week):
    auth.login(report_week.parent_a)
    response = client.get(f"/diary/students/{report_week.petrov.id}/weekly-report?date=2026-11-16")
    assert response.status_code == 200
    printout = db.session.scalar(select(Printout).where(Printout.kind == "weekly_report"))
    assert printout.printed_by_id == report_week.parent_a.id
    assert grouped(printout.code) in pdftotext(response.data)


def test_a_code_file_is_never_overwritten(app, school):
    from utils.printouts import certificate, record_printout

    cert = certificate(school.school, kind="statistics", title="Статистика", period="2 четверть")
    record_printout(b"%PDF-1.4 first", cert, school.deputy)
    with pytest.raises(FileExistsError):
        record_printout(b"%PDF-1.4 second", cert, school.deputy)


# --- /verify -------------------------------------------------------------------------------------


def test_staff_see_the_record_by_its_code_however_typed(app, client, auth, school):
    pdf, printout = print_journal_page(client, auth, school)
    auth.logout()
    auth.login(school.deputy)
    page = client.get(f"/verify/{printout.code.lower()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True).replace("<wbr>", "")  # the hash may wrap on a phone
    for expected in (grouped(printout.code), "Страница классного журнала", "Математика, 5А",
                     school.maths_teacher.full_name, printout.sha256, str(len(pdf)), "Скачать сохранённый PDF"):
        assert expected in html, expected
    found = client.get(f"/verify?code={printout.code[:5]} {printout.code[5:].lower()}")
    assert found.status_code == 303 and found.location.endswith(f"/verify/{grouped(printout.code)}")


def test_the_verify_form_and_an_unknown_code(client, auth, school):
    auth.login(school.methodist)
    assert "Код проверки с распечатки" in client.get("/verify").get_data(as_text=True)
    missing = client.get("/verify/ACD34-EF679")
    assert missing.status_code == 404 and "Распечатка не найдена" in missing.get_data(as_text=True)
    assert client.get("/verify?code=not-a-code").status_code == 400


@pytest.mark.parametrize("who", ["parent_a", "student"])
def test_families_are_refused(client, auth, school, who):
    pdf, printout = print_journal_page(client, auth, school)
    auth.logout()
    auth.login(school.parent_a if who == "parent_a" else school.pupils_5a[0].user)
    assert client.get(f"/verify/{grouped(printout.code)}").status_code == 403
    assert client.get("/verify").status_code == 403
    assert client.get(f"/verify/{grouped(printout.code)}/pdf").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, auth, school):
    pdf, printout = print_journal_page(client, auth, school)
    auth.logout()
    response = client.get(f"/verify/{grouped(printout.code)}")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_the_same_pdf_matches_and_one_changed_byte_does_not(client, auth, school):
    pdf, printout = print_journal_page(client, auth, school)
    url = f"/verify/{grouped(printout.code)}"
    same = client.post(url, data={"file": (io.BytesIO(pdf), "journal.pdf")}, content_type="multipart/form-data")
    assert same.status_code == 200 and "совпадает с записью" in same.get_data(as_text=True)
    assert "не совпадает" not in same.get_data(as_text=True)
    for position in (len(pdf) // 2, len(pdf) - 3):
        changed = bytearray(pdf)
        changed[position] ^= 0x01
        answer = client.post(url, data={"file": (io.BytesIO(bytes(changed)), "journal.pdf")},
                             content_type="multipart/form-data")
        assert answer.status_code == 200 and "не совпадает с записью" in answer.get_data(as_text=True)
    not_pdf = client.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00"), "journal.pdf")}, content_type="multipart/form-data")
    assert not_pdf.status_code == 400  # the project's upload checks (utils/uploads.py)


def test_the_kept_pdf_goes_to_those_who_may_read_it(client, auth, school):
    pdf, printout = print_journal_page(client, auth, school)
    url = f"/verify/{grouped(printout.code)}/pdf"
    download = client.get(url)
    assert download.status_code == 200 and download.data == pdf
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "printout")) == 1
    auth.logout()
    auth.login(school.english_teacher)
    assert client.get(f"/verify/{grouped(printout.code)}").status_code == 200  # staff see the record…
    assert client.get(url).status_code == 403  # …but not another teacher's journal page
    auth.logout()
    auth.login(school.director)
    assert client.get(url).status_code == 200


def test_the_lookup_is_rate_limited(make_app, school):
    from tests.conftest import PASSWORD, isolated_client

    client = isolated_client(make_app, RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    assert client.post("/auth/login", data={"login": school.deputy.login, "password": PASSWORD}).status_code == 302
    answers = [client.get("/verify/ACD34-EF679").status_code for _ in range(5)]
    assert answers[:3] == [404, 404, 404] and answers[3:] == [429, 429]


def test_the_verify_page_runs_the_same_statements_however_many_printouts(client, auth, school, count_queries):
    from utils.printouts import certificate, record_printout

    pdf, printout = print_journal_page(client, auth, school)
    url = f"/verify/{grouped(printout.code)}"

    def count() -> int:
        db.session.commit()
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    before = count()
    for n in range(30):
        cert = certificate(school.school, kind="journal_page", title=f"Документ {n}", period="")
        record_printout(b"%PDF-1.4 " + str(n).encode(), cert, school.deputy)
    assert count() == before <= 10


def test_the_kept_printouts_are_in_the_weekly_backup(app, client, auth, school, tmp_path):
    """PRINTOUTS_DIR defaults to a folder inside the uploads folder, which the backup packs."""
    import tarfile

    from jobs.backup import pack_uploads

    pdf, printout = print_journal_page(client, auth, school)
    target = tmp_path / "files.tar.gz"
    pack_uploads(app.config["UPLOAD_FOLDER"], str(target))
    with tarfile.open(target) as tar:
        member = tar.extractfile(f"uploads/printouts/{printout.path}")
        assert member is not None and hashlib.sha256(member.read()).hexdigest() == printout.sha256


def test_a_copy_that_cannot_be_recorded_is_not_handed_out(app, report_week, tmp_path):
    """A certified copy whose record failed would verify as nothing: it waits for the next run."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the printouts folder should be")
    app.config["PRINTOUTS_DIR"] = str(blocked)
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.failed == 3 and run.done == 0 and run.errors
    assert run.counts["files"] == {} and run.counts["pages_printed"] == 0
    assert db.session.scalar(select(func.count()).select_from(Printout)) == 0
