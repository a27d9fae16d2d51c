"""One filter names every code in the interface: `{{ code|label("kind") }}` (blueprints/main/labels.py)."""
from __future__ import annotations

import pytest

from blueprints.main import labels


def render(app, source: str, **context) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(source).render(**context)


def test_a_code_is_named_from_its_list_and_translated_when_shown(app):
    assert render(app, '{{ "deputy"|label("role") }}') == "Заместитель директора"
    assert render(app, '{{ "ill"|label("attendance") }}') == "по болезни"
    assert render(app, '{{ "substitution"|label("change_kind") }}') == "Замена учителя"
    assert render(app, '{{ "accepted"|label("note_status") }}') == "Принято"
    assert render(app, '{{ "cancelled"|label("diary_change") }}') == "Урок отменён"


def test_a_code_without_a_label_is_shown_as_it_is(app):
    assert render(app, '{{ "unknown"|label("role") }}') == "unknown"
    assert render(app, '{{ none|label("role") }}') == ""


def test_a_list_is_registered_once_under_its_name():
    assert labels.register("role", labels.ROLE_LABELS) is labels.ROLE_LABELS
    with pytest.raises(ValueError):
        labels.register("role", {"director": "Директор"})
