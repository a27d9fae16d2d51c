"""No answer with personal data is kept by a browser or a proxy (152-ФЗ, issue 8 item 8): every
route of the application — pages, htmx fragments, PDFs, exports, uploaded files — answers
`Cache-Control: no-store`; static files keep their caching.

The walk uses the role × route matrix (tests/access_rules_*.py): each route is called as a user
the matrix allows, so files are really produced, not refused."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tests.access import PUBLIC, USERS
from tests.conftest import PASSWORD, isolated_client
from tests.test_access_matrix import RULES, _app_routes

# Whom to call a route as: the first allowed in this order.
PREFERENCE = ("director", "admin", "maths_teacher", "parent_a", "student_5a", *sorted(USERS))
# Their work happens in a background thread that would outlive the test.
BACKGROUND = ("/admin/backups/run", "/admin/jobs/<job_id>/run")
# Routes that answer with a file for their allowed user in the small school.
FILE_ROUTES = {
    ("GET", "/diary/students/<int:student_id>/weekly-report"),
    ("GET", "/diary/absence-notes/<int:note_id>/file"),
    ("GET", "/journal/homework-files/<int:file_id>"),
    ("GET", "/journal/assignments/<int:assignment_id>/print"),
    ("GET", "/admin/jobs/reports/<int:run_id>/<path:filename>"),
    ("POST", "/admin/people/users/<int:user_id>/password"),
    ("POST", "/admin/people/classes/<int:class_id>/slips"),
    ("POST", "/admin/people/export"),
    ("GET", "/personal-data/disclosures/print.pdf"),
    ("GET", "/personal-data/disclosures/export.<fmt>"),
    ("GET", "/personal-data/my/requests/<int:request_id>/extract.<fmt>"),
}


def _caller(rule) -> str | None:
    if rule.allowed is PUBLIC:
        return None
    # a route refused to everyone in the matrix school must still answer no-store
    return next((name for name in PREFERENCE if name in rule.allowed), PREFERENCE[0])


def _is_file(response) -> bool:
    return "Content-Disposition" in response.headers or response.mimetype not in ("text/html", "")


def test_every_route_answers_no_store_and_files_are_among_them(app, make_app, small_school):
    school = small_school()
    by_caller = defaultdict(list)
    for rule in RULES:
        if rule.rule not in BACKGROUND:
            by_caller[_caller(rule)].append(rule)
    # Reading first, then the changes (a closed year must not hide a page from the walk).
    for rules in by_caller.values():
        rules.sort(key=lambda r: r.method != "GET")

    problems, walked, files = [], set(), set()
    for name, rules in by_caller.items():
        client = isolated_client(make_app)
        if name is not None:
            user = USERS[name](school)
            assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
        for rule in rules:
            response = client.open(rule.url(school), method=rule.method, data=rule.data(school) if rule.data else {})
            walked.add((rule.method, rule.rule))
            if _is_file(response) and response.status_code == 200:
                files.add((rule.method, rule.rule))
            if "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{rule.method} {rule.rule} as {name}: {response.status_code} "
                                f"{response.mimetype} Cache-Control={response.headers.get('Cache-Control')!r}")
            # A page and its htmx fragment share the URL: a cache must tell them apart
            # (utils/htmx.py, the one place that says so).
            if list(response.vary).count("HX-Request") != 1:
                problems.append(f"{rule.method} {rule.rule} as {name}: Vary={response.headers.get('Vary')!r}")
    assert not problems, "\n".join(problems)
    assert walked == _app_routes(app) - {(m, r) for m, r in _app_routes(app) if r in BACKGROUND}
    assert FILE_ROUTES <= files, f"expected files, got none from {sorted(FILE_ROUTES - files)}"


def test_error_answers_and_the_health_check_are_not_stored(client, small_school):
    small_school()
    for url in ("/healthz", "/auth/login", "/no-such-page"):
        assert "no-store" in client.get(url).headers.get("Cache-Control", ""), url


def test_error_pages_and_the_login_redirect_vary_on_hx_request(client, small_school):
    """They answer htmx with a fragment or an HX-Redirect on every URL, so every URL varies."""
    small_school()
    for url in ("/no-such-page", "/journal/"):
        for headers in ({}, {"HX-Request": "true"}):
            assert "HX-Request" in client.get(url, headers=headers).vary, (url, headers)


def test_no_view_sets_vary_by_hand():
    """utils/htmx.py is the one place that says an answer varies on HX-Request."""
    root = Path(__file__).resolve().parent.parent
    setters = [str(path.relative_to(root)) for folder in ("blueprints", "utils") for path in (root / folder).rglob("*.py")
               if re.search(r"[\"']Vary[\"']|\.vary\b", path.read_text(encoding="utf-8"))]
    assert setters == ["utils/htmx.py"], setters


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "HX-Request" not in response.vary
