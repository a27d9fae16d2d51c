"""A paper copy checked on a tablet and a phone (REP-4): the deputy types the code from the
footer, sees the record, uploads the PDF and reads «совпадает с записью»; no inline script is
needed under the strict CSP."""
from __future__ import annotations

import pytest

from extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n% a printed journal page\n%%EOF\n"


@pytest.fixture
def printed(small_school):
    from utils.printouts import Signer, certificate, record_printout

    s = small_school()
    cert = certificate(s.school, kind="journal_page", title="Классный журнал: Математика, 5А",
                       period="2 четверть (05.11.2026 – 28.12.2026), 2026/2027",
                       signers=[Signer("Учитель", "Числова В. И.")], of={"assignment_id": s.maths_5a.id})
    record_printout(PDF, cert, s.maths_teacher)
    db.session.commit()
    s.code = cert.code
    db.session.close()
    return s


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_deputy_checks_a_paper_copy(live_server, new_page, screenshot, printed, size):
    from playwright.sync_api import expect

    page = new_page(*size)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Логин").fill("deputy")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/verify")
    page.get_by_label("Код проверки с распечатки").fill(f"{printed.code[:5].lower()} {printed.code[5:]}")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("h2").first).to_contain_text(f"{printed.code[:5]}-{printed.code[5:]}")
    expect(page.locator("dl.facts")).to_contain_text("Числова Вера")
    page.get_by_label("PDF-файл документа").set_input_files(
        files=[{"name": "journal.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Сверить").click()
    expect(page.locator(".flash-success")).to_contain_text("совпадает с записью")
    screenshot(page, f"verify-{size[0]}x{size[1]}")
    assert page.console_errors == []
