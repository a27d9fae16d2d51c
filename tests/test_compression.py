"""Compressed answers and long-cached static files for `make run` without a proxy (issue 16,
item 4): utils/compression.py (Flask-Compress) and utils/static_files.py."""
from __future__ import annotations

import gzip
import os
import random
from datetime import timedelta

import brotli
import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import Attendance, Mark, Student, Subject, WorkKind
from tests.clock import school_date

# The target is ≤ 25 KB on the wire; measured for this grid (30 students × 45 lessons,
# ~1,300 marks): see test_the_grid_of_a_full_class_is_compressed_under_the_bound's output.
GRID_WIRE_BOUND = 25 * 1024


def _decode(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    data = response.get_data()
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    assert encoding is None, encoding
    return data


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.fixture
def full_grid(app, small_school, create_student):
    """A realistic class: 30 students, 45 lessons over two months, a mark for most present
    students on two of three lessons, a few absences."""
    s = small_school()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    for i in range(30 - len(s.pupils_5a)):
        create_student(s.school, s.class_5a, f"Новиков{i}", "Никита")
    db.session.flush()
    pupils = list(db.session.scalars(select(Student).where(Student.current_class_id == s.class_5a.id)))
    rng = random.Random(16)
    day = school_date(2026, 11, 5)  # the second quarter, the one the grid opens on
    for n in range(45):
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day + timedelta(days=n * 50 // 45),
                                          1 + n % 5, f"Тема {n}", [kinds["oral"], kinds["test"]])
        db.session.flush()
        for pupil in pupils:
            roll = rng.random()
            if roll < 0.05:
                db.session.add(Attendance(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                          code="absent"))
            elif roll < 0.7:
                db.session.add(Mark(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                    work_kind_id=kinds["oral" if n % 3 else "test"].id, value=str(rng.choice("2345"))))
    db.session.commit()
    s.pupils = pupils
    return s


def test_the_grid_of_a_full_class_is_compressed_under_the_bound(client, auth, full_grid):
    auth.login(full_grid.maths_teacher)
    url = f"/journal/assignments/{full_grid.maths_5a.id}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    html = plain.get_data()
    assert full_grid.pupils[-1].last_name.encode() in html
    sizes = {}
    for encoding in ("br", "gzip"):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert int(response.headers["Content-Length"]) == len(response.get_data())
        decoded = _decode(response)
        # the same page but for the per-request CSRF token and cell tokens' timestamps, if any
        assert len(decoded) == pytest.approx(len(html), rel=0.01)
        assert full_grid.pupils[-1].last_name.encode() in decoded
        sizes[encoding] = len(response.get_data())
        assert {"hx-request", "accept-encoding"} <= _vary(response)
        assert response.headers["Cache-Control"] == "no-store"
    print(f"\ngrid: {len(html)} bytes of HTML, br {sizes['br']} bytes, gzip {sizes['gzip']} bytes")
    assert sizes["br"] <= GRID_WIRE_BOUND
    assert sizes["gzip"] <= GRID_WIRE_BOUND * 1.3
    assert sizes["br"] < sizes["gzip"]


def test_br_is_preferred_and_gzip_is_the_fallback(client, auth, full_grid):
    auth.login(full_grid.maths_teacher)
    url = f"/journal/assignments/{full_grid.maths_5a.id}"
    assert client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"}).headers["Content-Encoding"] == "br"
    assert client.get(url, headers={"Accept-Encoding": "gzip, deflate"}).headers["Content-Encoding"] == "gzip"
    assert client.get(url, headers={"Accept-Encoding": "br;q=0.5, gzip"}).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(url, headers={"Accept-Encoding": "deflate"}).headers
    assert "Content-Encoding" not in client.get(url).headers


def test_an_htmx_fragment_keeps_both_vary_headers(client, auth, full_grid):
    auth.login(full_grid.maths_teacher)
    response = client.get(f"/journal/assignments/{full_grid.maths_5a.id}",
                          headers={"Accept-Encoding": "br", "HX-Request": "true"})
    assert response.status_code == 200
    assert {"hx-request", "accept-encoding"} <= _vary(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_small_answer_is_not_compressed(client, auth, small_school):
    response = client.get("/healthz", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "accept-encoding" in _vary(response)


def test_pdfs_are_not_compressed(client, auth, full_grid):
    """A PDF is compressed already: it travels as it is, whatever the browser accepts."""
    auth.login(full_grid.parent_a)
    pupil = full_grid.pupils_5a[0]
    response = client.get(f"/diary/students/{pupil.id}/weekly-report?date={school_date(2026, 11, 11)}",
                          headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "Content-Encoding" not in response.headers
    assert response.get_data().startswith(b"%PDF")


def test_a_csv_download_is_compressed_and_an_xlsx_is_not(client, auth, small_school):
    s = small_school()
    for i in range(30):
        db.session.add(Subject(school_id=s.school.id, name=f"Факультатив по истории края {i}", short_name=f"Ист{i}"))
    db.session.commit()
    auth.login(s.admin)
    plain = client.get("/admin/subjects/export?fmt=csv")
    packed = client.get("/admin/subjects/export?fmt=csv", headers={"Accept-Encoding": "br, gzip"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "br"
    assert 'filename="subjects.csv"' in packed.headers["Content-Disposition"]
    assert _decode(packed) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data())
    xlsx = client.get("/admin/subjects/export?fmt=xlsx", headers={"Accept-Encoding": "br, gzip"})
    assert xlsx.status_code == 200 and "Content-Encoding" not in xlsx.headers
    assert xlsx.get_data()[:2] == b"PK"


def test_compression_can_be_left_to_a_proxy(app, make_app, small_school):
    """COMPRESS_ENABLED=0 behind a proxy that compresses itself: the app sends plain bytes."""
    from tests.conftest import isolated_client

    client = isolated_client(make_app, COMPRESS_ENABLED=False)
    url = _static_url(app, "css/app.css")
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert "immutable" in response.headers["Cache-Control"]


# --- static files -------------------------------------------------------------------------------

def _static_url(app, filename):
    with app.test_request_context():
        from flask import url_for

        return url_for("static", filename=filename)


def test_static_urls_carry_the_content_hash(app):
    import hashlib

    url = _static_url(app, "js/app.js")
    with open(os.path.join(app.static_folder, "js", "app.js"), "rb") as f:
        expected = hashlib.sha256(f.read()).hexdigest()[:10]
    assert url == f"/static/js/app.js?v={expected}"
    assert _static_url(app, "js/no-such-file.js") == "/static/js/no-such-file.js"


def test_the_url_changes_when_the_file_changes(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    path = tmp_path / "site.css"
    path.write_text("body { color: black }")
    first = _static_url(app, "site.css")
    assert _static_url(app, "site.css") == first
    path.write_text("body { color: navy }")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    second = _static_url(app, "site.css")
    assert second != first and second.startswith("/static/site.css?v=")


def test_pages_link_versioned_static_files(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    page = client.get("/").get_data(as_text=True)
    assert "/static/vendor/" in page
    assert "?v=" in page.split("/static/vendor/", 1)[1].split('"', 1)[0]


def test_a_versioned_static_file_is_cached_for_a_year(app, client):
    url = _static_url(app, "css/app.css")
    response = client.get(url)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
    assert "no-store" not in cache and "no-cache" not in cache


@pytest.mark.parametrize("query", ["", "?v=0000000000"])
def test_an_unversioned_or_stale_static_url_is_revalidated(app, client, query):
    response = client.get("/static/css/app.css" + query)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "no-cache" in cache and "immutable" not in cache and "max-age=31536000" not in cache
    assert response.headers.get("ETag")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_text_is_compressed_and_revalidates_by_its_own_etag(app, client, encoding):
    url = _static_url(app, "vendor/" + sorted(os.listdir(os.path.join(app.static_folder, "vendor")))[0])
    raw = client.get(url).get_data()
    response = client.get(url, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert _decode(response) == raw
    assert "accept-encoding" in _vary(response)
    assert "immutable" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    assert etag.endswith(f':{encoding}"')
    again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_range_request_gets_the_bytes_of_the_file_uncompressed(app, client):
    url = _static_url(app, "css/app.css")
    raw = client.get(url).get_data()
    response = client.get(url, headers={"Accept-Encoding": "br, gzip", "Range": "bytes=10-49"})
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == raw[10:50]
    assert response.headers["Content-Range"] == f"bytes 10-49/{len(raw)}"


def test_fonts_and_images_are_not_compressed(app, client):
    url = _static_url(app, "fonts/DejaVuSans.ttf")
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_the_pdf_fetcher_accepts_a_versioned_static_url(app):
    from utils.pdf import make_link_callback

    url = _static_url(app, "fonts/DejaVuSans.ttf")
    assert "?v=" in url
    path = make_link_callback(app.static_folder)(url, "")
    assert path == os.path.realpath(os.path.join(app.static_folder, "fonts", "DejaVuSans.ttf"))
