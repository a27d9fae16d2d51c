"""One place for the form helpers every area uses (utils/forms.py): the choices' shape and the
checkbox list, not a copy per area."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice

from utils.forms import MultiCheckboxField, options

ROOT = Path(__file__).resolve().parent.parent


def test_options_are_select_choices_in_order():
    choices = options([(1, "5А"), ("", "—")])
    assert choices == [SelectChoice(1, "5А"), SelectChoice("", "—")]
    assert all(isinstance(choice, SelectChoice) for choice in choices)


def test_a_field_with_options_validates_without_the_tuple_deprecation():
    class F(Form):
        kind = SelectField(choices=options([("a", "A"), ("b", "B")]))

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        form = F(data={"kind": "b"})
        assert form.validate()
        assert [str(o.data) for o in form.kind] == ["a", "b"]


def test_multi_checkbox_field_renders_checkboxes():
    class F(Form):
        members = MultiCheckboxField(coerce=int, choices=options([(1, "Иванов"), (2, "Петров")]))

    html = str(F().members)
    assert html.count('type="checkbox"') == 2
    assert html.startswith("<ul")


def test_no_area_defines_its_own_copy():
    copies = [str(path.relative_to(ROOT)) for folder in ("blueprints", "utils") for path in (ROOT / folder).rglob("*.py")
              if re.search(r"^(def _?options\(|class MultiCheckboxField\b)", path.read_text(encoding="utf-8"), re.M)]
    assert copies == ["utils/forms.py"], copies
