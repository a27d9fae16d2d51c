"""The gate on every personal-data route (PD-3, PD-5): each view marked with
`utils.pd_access.personal_data_view` (found through `personal_data_categories` in
app.view_functions, whoever added it) is opened, by a member of staff its access rule allows
(tests/access_rules_*.py), in five situations: not named in any order → 403 with the Russian
message; named for an unrelated category only → 403; a school suspension → 403 with the reason;
a suspension of that user → 403; everything lifted → the page works again.

A marked route without an access rule fails the first test."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from extensions import db
from models.base import utcnow
from models.pd_register import ALL_CATEGORIES, OrderOperator, Suspension
from models.personal_data import CONSENT_CATEGORIES
from tests.access import FAMILY, USERS, Rule
from tests.conftest import PASSWORD, _standing_order, isolated_client
from tests.test_access_matrix import RULES

NOT_NAMED = "не включены в действующий приказ"
NOT_THIS_CATEGORY = "не допускает вас к этим категориям"
REASON = "Проверка прокуратуры: утечка списка класса"


def _marked(app) -> list[tuple[str, str, frozenset[str]]]:
    """(method, rule, categories) of every marked view's routes."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        categories = getattr(view, "personal_data_categories", None)
        if categories is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule, frozenset(categories)))
    return found


def _rule_for(method: str, path: str) -> Rule | None:
    return next((r for r in RULES if r.method == method and r.rule == path), None)


def _staff_user(rule: Rule) -> str | None:
    names = sorted((rule.allowed or frozenset()) - FAMILY)
    # a single-role member of staff first: the journal administrator also holds tech_admin
    preferred = [n for n in names if n != "admin"] + [n for n in names if n == "admin"]
    return preferred[0] if preferred else None


def test_every_marked_route_has_an_access_rule_with_a_member_of_staff(app):
    marked = _marked(app)
    # the routes this issue marked at least (more arrive with the other parts of the register)
    paths = {path for _m, path, _c in marked}
    assert {"/personal-data/students/<int:student_id>/consent", "/admin/people/students/<int:student_id>",
            "/admin/people/export", "/reports/classes/<int:class_id>/summary"} <= paths
    missing = [f"{m} {p}" for m, p, _c in marked if _rule_for(m, p) is None]
    assert not missing, f"marked personal-data routes without an access rule: {missing}"
    # a marked page for families only (their own child's data) refuses no one here: the marker
    # refuses staff alone; every other marked route is walked by the next test
    walked = [(m, p) for m, p, _c in marked if _staff_user(_rule_for(m, p)) is not None]
    assert len(walked) >= 10


def _unrelated(categories: frozenset[str]) -> str:
    return next(code for code in reversed(list(CONSENT_CATEGORIES)) if code not in categories)


def _name(user, categories: list[str]) -> None:
    db.session.execute(delete(OrderOperator).where(OrderOperator.user_id == user.id))
    if categories:
        db.session.add(OrderOperator(order_id=_standing_order(user.school).id, user_id=user.id, categories=categories))
    db.session.commit()


def _suspend(school, **target) -> None:
    db.session.add(Suspension(school_id=school.id, reason=REASON, **target))
    db.session.commit()


def _lift_all() -> None:
    db.session.execute(update(Suspension).where(Suspension.lifted_at.is_(None)).values(lifted_at=utcnow()))
    db.session.commit()


def _check(request, situation: str, expected_text: str | None, *, refused: bool = True) -> list[str]:
    """Open the route; what is wrong with the answer in this situation (empty: nothing)."""
    client, method, url, data = request
    response = client.open(url, method=method, data=data)
    body = response.get_data().decode("utf-8", "replace")  # a PDF or a spreadsheet when it works
    status = response.status_code
    if refused:
        if status != 403:
            return [f"{situation}: {method} {url} answered {status}, not 403"]
        if expected_text and expected_text not in body:
            return [f"{situation}: {method} {url} refused without «{expected_text}»"]
        return []
    if status in (401, 403, 404) or status >= 500 or (status == 302 and "/auth/login" in (response.location or "")):
        return [f"{situation}: {method} {url} answered {status}, must work"]
    return []


def test_every_marked_route_refuses_outside_the_order_and_under_suspension(app, make_app, small_school):
    school = small_school()
    clients = {}
    problems = []
    marked = _marked(app)
    assert len(marked) >= 10
    for method, path, categories in marked:
        rule = _rule_for(method, path)
        name = _staff_user(rule) if rule else None
        if name is None:
            continue  # no rule: reported by the test above; families only: nothing to refuse
        user = USERS[name](school)
        if name not in clients:
            clients[name] = isolated_client(make_app)
            assert clients[name].post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
        client = clients[name]
        url = rule.url(school)
        data = rule.data(school) if rule.data else {}

        request = (client, method, url, data)
        _name(user, [])
        problems += _check(request, "not in the order", NOT_NAMED)
        _name(user, [_unrelated(categories)])
        problems += _check(request, "named for an unrelated category", NOT_THIS_CATEGORY)
        _name(user, [ALL_CATEGORIES])
        _suspend(school.school, scope="school")
        problems += _check(request, "school suspended", REASON)
        _lift_all()
        _suspend(school.school, scope="user", user_id=user.id)
        problems += _check(request, "user suspended", REASON)
        _lift_all()
        problems += _check(request, "lifted", None, refused=False)
    assert not problems, "\n".join(problems)
    # nothing left behind for the other users of the school
    assert db.session.scalars(select(Suspension).where(Suspension.lifted_at.is_(None))).all() == []
