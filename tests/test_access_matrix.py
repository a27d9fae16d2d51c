"""Role × route matrix (ADM-6): every route of the application is named by a rule in
tests/access_rules_*.py, and every user the rule does not name is refused (403 or 404);
an anonymous visitor is sent to the login page. GET routes are also opened by every allowed
user, who must not be refused."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests
from tests.access import PUBLIC, USERS, Rule
from tests.conftest import PASSWORD, isolated_client

REFUSED = {403, 404}
# A rule whose note starts so names an object whose very existence is hidden from everyone but
# the people in it (a conversation, COM-1): refused users of the same school get 404, not 403.
HIDES_EXISTENCE = "404:"


def _all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for module in pkgutil.iter_modules(tests.__path__):
        if module.name.startswith("access_rules_"):
            rules.extend(importlib.import_module(f"tests.{module.name}").RULES)
    return rules


RULES = _all_rules()


def _app_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_every_route_has_exactly_one_access_rule(app):
    declared = [(r.method, r.rule) for r in RULES]
    duplicates = {d for d in declared if declared.count(d) > 1}
    assert not duplicates, f"routes named twice: {sorted(duplicates)}"
    missing = _app_routes(app) - set(declared)
    assert not missing, (
        f"routes without an access rule (add them to tests/access_rules_*.py): {sorted(missing)}"
    )
    stale = set(declared) - _app_routes(app)
    assert not stale, f"rules for routes that do not exist: {sorted(stale)}"


def _row_counts() -> tuple[int, ...]:
    """The number of rows of every table, read in one statement on a connection of its own (so
    that the test's session never hides another's commit): what a refused request must leave as
    it found it."""
    from sqlalchemy import func, select

    from extensions import db

    tables = db.metadata.sorted_tables
    statement = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))
    db.session.commit()
    with db.engine.connect() as connection:
        return tuple(connection.execute(statement).one())


def _refused_and_unchanged(client, rule: Rule, school) -> tuple[object, bool]:
    # a rule's url and data may create the object they name: counted after them
    url = rule.url(school)
    data = rule.data(school) if rule.data else {}
    before = _row_counts()
    response = client.open(url, method=rule.method, data=data)
    return response, _row_counts() == before


def _request(client, rule: Rule, school):
    url = rule.url(school)
    data = rule.data(school) if rule.data else {}
    return client.open(url, method=rule.method, data=data)


def test_anonymous_visitor_is_sent_to_login_everywhere(client, small_school):
    school = small_school()
    problems = []
    for rule in RULES:
        if rule.allowed is PUBLIC:
            continue
        response, unchanged = _refused_and_unchanged(client, rule, school)
        sent_to_login = response.status_code == 302 and "/auth/login" in response.location
        if not (sent_to_login or response.status_code in {401, 403, 404}):
            problems.append(f"{rule.method} {rule.url(school)} answered {response.status_code}")
        elif not unchanged:
            problems.append(f"{rule.method} {rule.url(school)} was refused but changed the number of rows")
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("name", sorted(USERS))
def test_each_user_gets_exactly_what_the_rules_allow(app, make_app, small_school, name):
    """One login per user, then every protected route: refused routes must answer 403/404 and,
    being refused, change nothing (every table's row count is the same after as before); allowed
    GET pages must open."""
    school = small_school()
    user = USERS[name](school)
    client = isolated_client(make_app)
    login = client.post("/auth/login", data={"login": user.login, "password": PASSWORD})
    assert login.status_code == 302, f"{name} could not log in"
    problems = []
    object_rules = set(_object_rules())
    for rule in RULES:
        if rule.allowed is PUBLIC:
            continue
        if name not in rule.allowed:
            response, unchanged = _refused_and_unchanged(client, rule, school)
            if response.status_code not in REFUSED:
                problems.append(f"must be refused {rule.method} {rule.url(school)}, got {response.status_code}")
            elif response.status_code == 404 and rule in object_rules and not rule.note.startswith(HIDES_EXISTENCE):
                # the object is of the user's school: it exists, the user may not (policy.checked)
                problems.append(f"must be forbidden (403) {rule.method} {rule.url(school)}, got 404")
            elif not unchanged:
                problems.append(f"refused {rule.method} {rule.url(school)} but the number of rows changed")
        elif rule.method == "GET":
            response = _request(client, rule, school)
            sent_to_login = response.status_code == 302 and "/auth/login" in response.location
            if response.status_code in REFUSED | {401} or sent_to_login or response.status_code >= 500:
                problems.append(f"must be allowed {rule.method} {rule.url(school)}, got {response.status_code}")
    assert not problems, f"{name}: " + "; ".join(problems)


# An outsider holds every role, in another school: whatever the role, an object of this school
# named by its id is not found (policy.checked hides other schools, STYLE convention 2). The
# administration's pages answer 403 instead (policy.load: the checks refuse other schools).
OUTSIDER_ROLES = ("director", "deputy", "methodist", "journal_admin", "tech_admin", "teacher", "class_teacher",
                  "extra_teacher", "parent")


def _object_rules() -> list[Rule]:
    """The routes that name an object by id, but the administration's and a person's own
    sessions (only the owner may end one: refused alike, 403, wherever it is)."""
    return [r for r in RULES if r.allowed is not PUBLIC and "<int:" in r.rule
            and not r.rule.startswith(("/admin/", "/auth/sessions/"))]


def test_another_schools_objects_are_not_found(app, make_app, small_school, create_user):
    from extensions import db
    from models import School

    school = small_school()
    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    outsider = create_user(other, *OUTSIDER_ROLES, login="outsider")
    db.session.commit()
    client = isolated_client(make_app)
    assert client.post("/auth/login", data={"login": outsider.login, "password": PASSWORD}).status_code == 302
    problems = []
    for rule in _object_rules():
        response, unchanged = _refused_and_unchanged(client, rule, school)
        if response.status_code != 404:
            problems.append(f"{rule.method} {rule.url(school)} answered {response.status_code}")
        elif not unchanged:
            problems.append(f"{rule.method} {rule.url(school)} was not found but changed the number of rows")
    assert len(_object_rules()) > 40
    assert not problems, "\n".join(problems)
