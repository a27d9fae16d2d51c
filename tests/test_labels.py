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


def test_the_admin_codes_are_named_by_the_one_filter(app):
    assert render(app, '{{ "quarter"|label("period_scheme") }}') == "Четверти"
    assert render(app, '{{ "extra"|label("class_kind") }}') == "Объединение доп. образования"
    assert render(app, '{{ "weekly_backup"|label("job") }}') == "Резервное копирование"
    assert render(app, '{{ "partial"|label("job_status") }}') == "выполнено с ошибками"
    assert render(app, '{{ "admin"|label("job_trigger") }}') == "вручную"
    assert render(app, '{{ "emails_sent"|label("job_count") }}') == "писем отправлено"
    assert render(app, '{{ 1|label("weekday") }}') == "Понедельник"
    assert render(app, '{{ 6|label("weekday_short") }}') == "Сб"
    assert render(app, '{{ "f"|label("gender") }}') == "женский"
    assert render(app, '{{ "mon"|label("settings_weekday") }}') == "понедельник"
    assert render(app, '{{ "not_assessed"|label("notation") }}') == "не аттестован(а)"
    assert render(app, '{{ "ill"|label("notation") }}') == "по болезни"


def test_no_filter_of_its_own_looks_a_label_up(app):
    """A code's name is `label`'s; a filter that composes several labels (bell_set_label: shift,
    grades and variant) is formatting, not a lookup."""
    own = sorted(name for name in app.jinja_env.filters if name.endswith("_label") or name.startswith("weekday"))
    assert own == ["bell_set_label"]
