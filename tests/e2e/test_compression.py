"""In a real browser (issue 16, item 4): pages arrive compressed, static files under their
content hash with a year-long immutable cache, and htmx and the styles still load under the CSP."""
from __future__ import annotations

import pytest

from extensions import db
from tests.e2e.test_login_dashboard import TABLET, _log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def school(small_school):
    s = small_school()
    assignment_id = s.maths_5a.id
    db.session.close()  # the live server writes the login events (SQLite lock)
    return assignment_id


def test_pages_arrive_compressed_and_static_files_are_cached_for_a_year(live_server, new_page, school):
    page = new_page(*TABLET)
    _log_in(page, live_server, "maths")
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(f"{live_server}/journal/assignments/{school}")
    page.wait_for_load_state("networkidle")
    document = next(r for r in responses if r.request.resource_type == "document")
    headers = document.all_headers()
    assert document.status == 200
    assert headers.get("content-encoding") in ("br", "gzip")
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert "hx-request" in headers.get("vary", "").lower()
    assert headers.get("cache-control") == "no-store"
    statics = [r for r in responses if "/static/" in r.url]
    assert any("/static/vendor/" in r.url for r in statics)
    for response in statics:
        assert "?v=" in response.url, response.url
        assert "immutable" in response.all_headers().get("cache-control", ""), response.url
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.console_errors == []
