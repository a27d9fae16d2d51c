"""Templates do not query the database (issue 11, acceptance): a view loads what its page shows
(eager loading, plain data) and the template only walks it. Every page of the access matrix is
opened by every user it allows, and every htmx fragment that answers an edit, with the SQL
statements counted while a template renders (between flask's `before_render_template` and
`template_rendered`): any statement there fails the test with the template's name and the SQL.
A lazy load of a relationship inside a template counts as a query."""
from __future__ import annotations

import contextlib
import re
from html import unescape

from flask import before_render_template, template_rendered
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.access import PUBLIC, USERS
from tests.conftest import PASSWORD, isolated_client
from tests.test_access_matrix import RULES

IGNORED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "PRAGMA")


@contextlib.contextmanager
def statements_in_templates():
    """Yields the list of (template, SQL) executed while a template was rendering."""
    rendering: list[str] = []
    found: list[tuple[str, str]] = []

    def before(sender, template, context, **extra):
        rendering.append(template.name or "?")

    def after(sender, template, context, **extra):
        if rendering:
            rendering.pop()

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if rendering and not statement.lstrip().upper().startswith(IGNORED):
            found.append((rendering[-1], " ".join(statement.split())))

    before_render_template.connect(before)
    template_rendered.connect(after)
    # On the Engine class: the test clients' apps have engines of their own.
    event.listen(Engine, "before_cursor_execute", on_execute)
    try:
        yield found, rendering
    finally:
        event.remove(Engine, "before_cursor_execute", on_execute)
        template_rendered.disconnect(after)
        before_render_template.disconnect(before)


def _rule_key(rule) -> str:
    return f"{rule.method} {rule.rule}"


def _open(client, rule, school, rendering: list[str], **kwargs):
    url = rule.url(school)  # a rule's url may create the object it names: not inside a template
    data = rule.data(school) if rule.data else None
    rendering.clear()  # a page whose rendering failed leaves no open template behind
    return client.open(url, method=rule.method, data=data, **kwargs)


def _check(problems: dict[str, list[str]], key: str, found: list[tuple[str, str]], start: int) -> None:
    for template, statement in found[start:]:
        problems.setdefault(key, []).append(f"{template}: {statement[:300]}")


HTMX = {"HX-Request": "true"}
# The htmx fragments a page swaps in after an edit, sent by the users who may make it.
FRAGMENTS = [r for r in RULES if r.method == "PUT"]


def _pages_of(client, school, name: str, found, rendering, problems: dict[str, list[str]], opened: set[str]) -> None:
    """Every GET page and PUT fragment the rules allow the user, the GET pages also as htmx asks
    for them, and the grid's fragment that the period buttons swap in."""
    for rule in RULES:
        if rule.allowed is PUBLIC or name not in rule.allowed or rule.method not in ("GET", "PUT"):
            continue
        variants = [{}] if rule.method == "PUT" else [{}, {"headers": HTMX}]
        for extra in variants:
            start = len(found)
            response = _open(client, rule, school, rendering, **extra)
            assert response.status_code < 500, f"{name}: {rule.method} {rule.url(school)}: {response.status_code}"
            _check(problems, _rule_key(rule), found, start)
        opened.add(_rule_key(rule))
    grid = next(r for r in RULES if r.rule == "/journal/assignments/<int:assignment_id>")
    if name in grid.allowed:
        start = len(found)
        rendering.clear()
        client.get(grid.url(school) + "?fragment=grid", headers=HTMX)
        _check(problems, _rule_key(grid) + " (fragment)", found, start)


def test_no_template_queries_the_database(make_app, small_school):
    school = small_school()
    problems: dict[str, list[str]] = {}
    opened: set[str] = set()
    with statements_in_templates() as (found, rendering):
        for name in sorted(USERS):
            user = USERS[name](school)
            client = isolated_client(make_app)
            assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
            _pages_of(client, school, name, found, rendering, problems, opened)
    assert not problems, "templates ran queries:\n" + "\n".join(
        f"{key}\n    " + "\n    ".join(dict.fromkeys(lines)) for key, lines in sorted(problems.items())
    )
    assert {_rule_key(r) for r in RULES if r.method in ("GET", "PUT") and r.allowed is not PUBLIC} <= opened


def test_the_cell_save_answers_its_average_and_period_mark_without_template_queries(
        make_app, small_school):
    """The grid's cell save re-renders the row's average and "Итог" out of band (_avg.html): the
    view builds the period-mark column, the template does not."""
    school = small_school()
    client = isolated_client(make_app)
    client.post("/auth/login", data={"login": school.maths_teacher.login, "password": PASSWORD})
    cell = next(r for r in RULES if r.method == "PUT" and "/cells/" in r.rule)
    url = cell.url(school)
    with statements_in_templates() as (found, _rendering):
        response = client.put(url, data={"value": "5", "key": "no-queries", "reason": "по бумажному журналу"}, headers=HTMX)
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    assert re.search(r'id="avg-\d+"[^>]*hx-swap-oob', html) and re.search(r'id="pm-\d+-\d+"', html)
    assert not found, "\n".join(f"{t}: {s}" for t, s in found)


def test_a_query_inside_a_template_is_caught(app):
    """The hook itself: a template that lazy-loads a relationship is reported with its name."""
    from flask import render_template_string

    from extensions import db
    from models import School

    with app.test_request_context():
        school = School(name="Школа", short_name="Школа", timezone="Europe/Moscow")
        db.session.add(school)
        db.session.commit()  # expires the object: reading a column loads it again
        with statements_in_templates() as (found, _rendering):
            render_template_string("{{ school.name }}", school=school)
            caught = list(found)
            found.clear()
            render_template_string("{{ school.name }}", school=school)  # loaded now
        assert caught and caught[0][0] is not None and "school" in caught[0][1].lower()
        assert not found


# --- The demo school, crawled by each of its logins -------------------------------------------

DEMO_PASSWORD = "demo2026"
# Not followed: the PDFs and spreadsheets (slow to make, their templates are the matrix's) and
# what is not a page.
NOT_FOLLOWED = re.compile(r"/print|\.pdf|/pdf|report|/export|/download|/files/|/backups/|/static/|logout")
PER_SHAPE = 2  # pages of one shape (ids replaced) per login: a class, a student, a lesson …
PER_LOGIN = 120
# Admin pages whose templates once lazy-loaded (a student's class, account and roles, a
# parent's children's classes): the crawl must reach them. (The subgroup page, whose template
# read the class's year, is opened by the matrix's walk above.)
ADMIN_SHAPES = {"/admin/people/students/N?", "/admin/people/students/N/edit?", "/admin/people/users/N?"}


def _links(html: str) -> list[str]:
    return [unescape(u) for u in re.findall(r'(?:href|hx-get)="(/[^"#]*)', html)]


def _shape(url: str) -> str:
    path, _sep, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def test_demo_school_pages_render_without_queries(make_app, runner):
    assert runner.invoke(args=["demo", "--password", DEMO_PASSWORD]).exit_code == 0
    from demo import DEMO_LOGINS

    problems: dict[str, list[str]] = {}
    visited_shapes: set[str] = set()
    with statements_in_templates() as (found, rendering):
        for login, _description in DEMO_LOGINS:
            client = isolated_client(make_app)
            assert client.post("/auth/login", data={"login": login, "password": DEMO_PASSWORD}).status_code == 302
            queue, seen, shapes = ["/"], {"/"}, {}
            visited = 0
            while queue and visited < PER_LOGIN:
                url = queue.pop(0)
                shape = _shape(url)
                if shapes.get(shape, 0) >= PER_SHAPE:
                    continue
                shapes[shape] = shapes.get(shape, 0) + 1
                visited_shapes.add(shape)
                visited += 1
                rendering.clear()
                start = len(found)
                response = client.get(url)
                assert response.status_code < 500, f"{login}: GET {url}: {response.status_code}"
                _check(problems, f"{login}: GET {url}", found, start)
                if response.mimetype != "text/html":
                    continue
                for link in _links(response.get_data(as_text=True)):
                    if link not in seen and not NOT_FOLLOWED.search(link):
                        seen.add(link)
                        queue.append(link)
    assert not problems, "templates ran queries:\n" + "\n".join(
        f"{key}\n    " + "\n    ".join(dict.fromkeys(lines)) for key, lines in sorted(problems.items())
    )
    assert ADMIN_SHAPES <= visited_shapes, sorted(ADMIN_SHAPES - visited_shapes)
