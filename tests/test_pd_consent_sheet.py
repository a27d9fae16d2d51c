"""The full consent sheet (PD-1; 003 Приложение 2): who signed (a parent, or the student of 14
or more for themselves), the third parties of line 6.8, the scanned signed sheet."""
from __future__ import annotations

import io
import os
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select

from blueprints.personal_data import operations as ops
from extensions import db
from models.personal_data import ConsentRecord
from tests.clock import school_date
from tests.weekly_fixtures import give_consent

PDF = b"%PDF-1.4\n%test sheet\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def family(app, small_school):
    s = small_school()
    s.pupil = s.pupils_5a[0]  # Петров Пётр, mother parent_a, class teacher maths_teacher
    return s


def _url(s):
    return f"/personal-data/students/{s.pupil.id}/consent"


def _sheet(s, **extra):
    data = {"action": "record", "consent-given_by": s.parent_a.id, "consent-number": "7",
            "consent-given_on": str(school_date(2026, 9, 1)), "consent-actions": ["6.1", "6.9"]}
    data.update(extra)
    return data


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(ConsentRecord))


def _scans() -> list[str]:
    folder = ops.scan_files(current_app.config["UPLOAD_FOLDER"]).directory
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_the_page_shows_the_sheet_by_its_groups(client, auth, family):
    auth.login(family.maths_teacher)
    page = client.get(_url(family)).get_data(as_text=True)
    for heading in ("1. Анкетные данные", "3. Сведения о семье", "5. Дополнительные данные",
                    "Обучающийся (с 14 лет) за себя", "Третьи лица для передачи (п. 6.8)", "Скан подписанного листа"):
        assert heading in page


def test_a_student_of_14_signs_for_themselves(client, auth, family):
    family.pupil.birth_date = date(2010, 1, 15)
    db.session.commit()
    auth.login(family.maths_teacher)
    response = client.post(_url(family), data=_sheet(family, **{"consent-signer": "student", "consent-given_by": ""}))
    assert response.status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.signer == "student" and consent.given_by_id is None
    assert "обучающийся (за себя)" in client.get(_url(family)).get_data(as_text=True)


@pytest.mark.parametrize("birth_date", [None, "under_14"])
def test_a_student_under_14_or_without_birth_date_cannot_sign(client, auth, family, birth_date):
    given_on = school_date(2026, 9, 1)
    family.pupil.birth_date = None if birth_date is None else date(given_on.year - 13, 1, 1)
    db.session.commit()
    auth.login(family.maths_teacher)
    response = client.post(_url(family), data=_sheet(family, **{"consent-signer": "student"}))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert ("нет 14 лет" in text) if birth_date else ("Дата рождения обучающегося не указана" in text)
    assert _count() == 0


def test_line_6_8_needs_the_third_parties(client, auth, family):
    auth.login(family.maths_teacher)
    response = client.post(_url(family), data=_sheet(family, **{"consent-actions": ["6.1", "6.8"]}))
    assert response.status_code == 400
    assert "укажите третьих лиц" in response.get_data(as_text=True)
    assert _count() == 0
    response = client.post(_url(family), data=_sheet(family, **{
        "consent-actions": ["6.1", "6.8"], "consent-third_parties": "Управление образования\n\n  ГБУЗ Поликлиника № 3 "}))
    assert response.status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.third_parties == "Управление образования\nГБУЗ Поликлиника № 3"
    assert "ГБУЗ Поликлиника № 3" in client.get(_url(family)).get_data(as_text=True)


def test_the_scan_is_stored_with_the_sheet_and_downloaded_by_those_who_may(client, auth, family):
    auth.login(family.maths_teacher)
    response = client.post(_url(family), data=_sheet(family, **{"consent-scan": (io.BytesIO(PDF), "лист.pdf")}),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.scan_name == "лист.pdf" and consent.scan_mime == "application/pdf" and consent.scan_path
    download = client.get(f"/personal-data/consents/{consent.id}/scan")
    assert download.status_code == 200 and download.data == PDF
    assert "no-store" in download.headers["Cache-Control"]
    auth.logout()
    auth.login(family.parent_a)  # the parent who signed it
    assert client.get(f"/personal-data/consents/{consent.id}/scan").status_code == 200
    auth.logout()
    auth.login(family.parent_b)
    assert client.get(f"/personal-data/consents/{consent.id}/scan").status_code == 403
    auth.logout()
    auth.login(family.russian_teacher)
    assert client.get(f"/personal-data/consents/{consent.id}/scan").status_code == 403


def test_the_scan_can_be_attached_later(client, auth, family):
    consent = give_consent(family, family.pupil, family.parent_a, ["6.9"])
    auth.login(family.admin)
    response = client.post(_url(family), data={"action": "scan", "scan-consent_id": consent.id,
                                               "scan-scan": (io.BytesIO(PNG), "scan.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(consent)
    assert consent.scan_mime == "image/png"
    assert client.get(f"/personal-data/consents/{consent.id}/scan").data == PNG


@pytest.mark.parametrize("name,data", [
    ("sheet.pdf", b"MZ\x90\x00 not a pdf"),  # a program renamed
    ("sheet.docx", b"PK\x03\x04 a document"),
    ("sheet.gif", b"GIF89a"),
])
def test_a_scan_that_is_not_pdf_jpg_png_is_refused_and_nothing_stored(client, auth, family, name, data):
    auth.login(family.maths_teacher)
    before = _scans()
    response = client.post(_url(family), data=_sheet(family, **{"consent-scan": (io.BytesIO(data), name)}),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "не принят" in response.get_data(as_text=True)
    assert _count() == 0 and _scans() == before
    consent = give_consent(family, family.pupil, family.parent_a, ["6.9"])
    response = client.post(_url(family), data={"action": "scan", "scan-consent_id": consent.id,
                                               "scan-scan": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 400 and "не принят" in response.get_data(as_text=True)
    db.session.refresh(consent)
    assert consent.scan_path == "" and _scans() == before


def test_a_scan_for_another_students_consent_is_not_attached(client, auth, family):
    other = give_consent(family, family.pupils_5b[0], family.parent_b, ["6.9"])
    auth.login(family.admin)
    response = client.post(_url(family), data={"action": "scan", "scan-consent_id": other.id,
                                               "scan-scan": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.scan_path == ""


def test_a_scan_above_the_limit_is_refused(make_app, family):
    from tests.conftest import PASSWORD, isolated_client

    client = isolated_client(make_app, CONSENT_SCAN_MAX_BYTES=64)
    client.post("/auth/login", data={"login": family.maths_teacher.login, "password": PASSWORD})
    before = _scans()
    response = client.post(_url(family), data=_sheet(family, **{"consent-scan": (io.BytesIO(PDF + b"0" * 100), "big.pdf")}),
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "слишком большой" in response.get_data(as_text=True)
    assert _count() == 0 and _scans() == before
