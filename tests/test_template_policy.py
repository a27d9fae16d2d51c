"""Templates do not run policy checks (issue 11): what the signed-in user may do is answered
before rendering, as the flags of `may` (policy.user_may, set by the navigation context
processor), and templates read booleans only."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import policy
from models.people import STAFF_ROLES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class Person(SimpleNamespace):
    is_authenticated = True

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))

    @property
    def is_staff(self) -> bool:
        return bool(set(self.roles) & STAFF_ROLES)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({"director"}, policy.May(administer=True, edit_settings=True, manage_schedule=True, close_periods=True,
                                  view_results_list=True, verify_printouts=True, view_pd_orders=True, manage_destruction=True)),
        ({"journal_admin"}, policy.May(administer=True, edit_settings=True, manage_schedule=True, close_periods=True,
                                       verify_printouts=True, view_pd_orders=True, manage_destruction=True)),
        ({"tech_admin"}, policy.May(administer=True, verify_printouts=True)),
        ({"deputy"}, policy.May(manage_schedule=True, close_periods=True, view_results_list=True, verify_printouts=True)),
        ({"methodist"}, policy.May(view_results_list=True, verify_printouts=True)),
        ({"teacher", "class_teacher"}, policy.May(view_results_list=True, verify_printouts=True)),
        ({"teacher"}, policy.May(verify_printouts=True)),
        ({"parent"}, policy.May()),
    ],
)
def test_the_flags_are_the_policy_s_answers(roles, expected):
    user = Person(roles=roles)
    assert policy.user_may(user) == expected
    assert policy.user_may(user).administer == policy.can_administer(user)
    assert policy.user_may(user).edit_settings == policy.can_edit_school_settings(user)
    assert policy.user_may(user).manage_schedule == policy.can_manage_schedule(user)
    assert policy.user_may(user).close_periods == policy.can_close_periods(user)
    assert policy.user_may(user).view_results_list == policy.can_view_results_list(user)
    assert policy.user_may(user).verify_printouts == policy.can_verify_printouts(user)


def test_a_visitor_may_nothing():
    assert policy.user_may(SimpleNamespace(is_authenticated=False)) == policy.May()
    assert policy.user_may(None) == policy.May()


def test_no_template_global_calls_the_policy(app):
    """A template global that asks policy would run a check while the template renders."""
    asking = sorted(
        name for name, value in app.jinja_env.globals.items()
        if callable(value) and getattr(value, "__module__", "").startswith(("blueprints", "utils"))
        and "policy" in getattr(getattr(value, "__code__", None), "co_names", ())
    )
    assert asking == []
    assert {"administers_school", "manages_schedule", "can_edit_school_settings"}.isdisjoint(app.jinja_env.globals)


def test_templates_ask_no_role_of_the_signed_in_user():
    """Showing the roles (the profile) is data; asking for one is a decision, made by the view."""
    asking = sorted(
        str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
        if re.search(r"current_user\.(has_role|is_staff)\b", path.read_text(encoding="utf-8"))
    )
    assert asking == []


def test_every_page_gets_the_flags(client, small_school, auth):
    from flask import template_rendered

    school = small_school()
    seen = []

    def record(sender, template, context, **extra):
        seen.append(context.get("may"))

    template_rendered.connect(record)
    try:
        auth.login(school.admin)
        assert client.get("/admin/").status_code == 200
    finally:
        template_rendered.disconnect(record)
    assert seen and all(may == policy.user_may(school.admin) for may in seen)
