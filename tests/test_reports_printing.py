"""The certified printouts of the results of study (REP-2, REP-4; issue 12 part C2): the
statistics' PDF carries its verification code, holds the numbers of the page's table, is
recorded for /verify and is refused as the page is; its statements do not grow with the school."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from domain.printout_codes import grouped
from extensions import db
from models.printouts import Printout
from tests import test_reports_statistics as statistics_tests
from tests.test_reports_statistics import _cells, _count, _grow

world = statistics_tests.world  # the statistics' fixture: 5А, 5Б and 1А with marks, absences and period marks

FIGURES = ("performance", "quality", "estimate-performance", "estimate-quality", "average", "per-week",
           "missed", "ill", "unexcused", "at-risk")


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "printout.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _last_printout() -> Printout:
    return db.session.scalar(select(Printout).order_by(Printout.id.desc()))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_statistics_pdf_is_certified_and_holds_the_pages_numbers(client, auth, world, tmp_path):
    auth.login("deputy")
    html = client.get(f"/reports/statistics?period={world.q1.id}").get_data(as_text=True)
    assert "Печать (PDF)" in html and f"/reports/statistics.pdf?period={world.q1.id}" in html
    response = client.get(f"/reports/statistics.pdf?period={world.q1.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    printout = _last_printout()
    assert printout.kind == "statistics" and printout.of["period_id"] == world.q1.id
    text = _text(response.data, tmp_path)
    flat = " ".join(text.split())
    code = grouped(printout.code)
    assert code in text and f"/verify/{code}" in text
    assert "Статистика успеваемости и посещаемости: вся школа" in flat
    assert world.school.name in flat and world.q1.name in flat
    assert "М.П." in text and "Заместитель директора" in text and "Завучева З." in text
    assert re.search(r"стр\. 1 из \d+", text)
    # the 5А row of the PDF: the figures of the page's table, in the same order
    page = _cells(html, f"class-{world.class_5a.id}")
    line = next(line for line in text.splitlines() if line.split()[:1] == ["5А"])
    expected = " ".join(page[k].replace("\xa0", " ") for k in FIGURES)
    assert " ".join(line.split()[2:]) == expected, (line, expected)
    assert page["performance"] == "75,0 %"
    # /verify/<code> shows the record
    verify = client.get(f"/verify/{code}")
    assert verify.status_code == 200
    assert "Статистика успеваемости" in verify.get_data(as_text=True)


def test_the_pdf_takes_the_pages_filters_and_access(client, auth, world):
    auth.login("maths")  # class teacher of 5А
    assert client.get(f"/reports/statistics.pdf?class={world.class_5a.id}").status_code == 200
    assert _last_printout().of["class_ids"] == [world.class_5a.id]
    assert client.get(f"/reports/statistics.pdf?class={world.class_5b.id}").status_code == 403
    count = db.session.scalar(select(db.func.count(Printout.id)))
    auth.logout()
    auth.login("primary")  # class teacher of 1А only: not the school-wide PDF of 5А
    assert client.get(f"/reports/statistics.pdf?class={world.class_5a.id}").status_code == 403
    auth.logout()
    auth.login("russian")  # a subject teacher
    assert client.get("/reports/statistics.pdf").status_code == 403
    assert db.session.scalar(select(db.func.count(Printout.id))) == count  # nothing printed when refused
    assert client.get("/reports/statistics.pdf?period=abc").status_code in (400, 403)


def test_statements_of_the_pdf_do_not_grow_with_the_school(client, auth, world, create_student, count_queries):
    auth.login("deputy")
    path = f"/reports/statistics.pdf?period={world.quarters[1].id}"
    small = _count(client, count_queries, path)
    _grow(world, create_student)
    big = _count(client, count_queries, path)
    assert big == small, f"{small} statements, then {big} with three more classes"
    assert big <= 25


@pytest.mark.parametrize(("login", "sheets", "verify"), [
    ("director", True, True), ("deputy", True, True), ("methodist", True, True),
    ("maths", True, True),  # a class teacher: their own class's sheets
    ("russian", False, True),  # a subject teacher checks a paper copy, has no sheets
    ("admin", False, True),
    ("parent_a", False, False), ("pupil_5a", False, False),
])
def test_the_navigation_leads_to_the_sheets_and_to_verify(client, auth, small_school, login, sheets, verify):
    """«Сводные ведомости» in the header for those who may open the list; «Проверка документа» for
    staff among the home page's sections (not in the header, which stays one line on a tablet):
    flags of policy.user_may read by the navigation, never a check in the template."""
    s = small_school()
    auth.login(s.pupils_5a[0].user if login == "pupil_5a" else login)
    header = client.get("/profile").get_data(as_text=True).split("</nav>")[0]
    assert ('href="/reports/summary"' in header) is sheets
    assert 'href="/verify"' not in header
    assert ("Сводные ведомости" in header) is sheets
    home = client.get("/").get_data(as_text=True).split("</nav>", 1)[1]
    assert ('href="/verify"' in home) is verify and ("Проверка документа" in home) is verify
