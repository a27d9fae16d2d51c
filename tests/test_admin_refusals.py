"""The admin area's refusals are one family (domain/messages.Refusal): a N_-marked message and its
params, translated by the view, and the status to answer with (issue 11, item 4)."""
from __future__ import annotations

from datetime import date

import pytest

from blueprints.admin.imports.reading import ImportFileError
from blueprints.admin.people.operations import PeopleError
from blueprints.admin.structure.operations import StructureError, _require_ordered
from domain.messages import Refusal


@pytest.mark.parametrize("error", [StructureError, PeopleError, ImportFileError])
def test_admin_errors_are_refusals_answered_with_400(error):
    assert issubclass(error, Refusal)
    assert error("x").status == 400


def test_a_structure_refusal_carries_the_untranslated_message_and_its_params():
    with pytest.raises(StructureError) as caught:
        _require_ordered(date(2026, 9, 2), date(2026, 9, 1))
    assert caught.value.message == "Дата начала не может быть позже даты окончания."
    assert caught.value.params == {}
    refusal = StructureError("Учебный год %(name)s уже есть.", name="2026/2027")
    assert refusal.params == {"name": "2026/2027"}
    assert str(refusal) == "Учебный год 2026/2027 уже есть."
