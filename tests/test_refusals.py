"""One way to answer a refusal (utils/refusals.py): what the refused request did is rolled back,
its message is translated with its params, and a refusal of access becomes the error page
only where the view asks for it. The personal-data area refuses like the others."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import Forbidden, NotFound

from blueprints.diary.operations import DiaryError
from blueprints.journal.operations import Conflict, JournalError
from blueprints.personal_data.operations import FamilyRecordError, ReplacementNotConfirmed
from domain.messages import N_, Refusal
from extensions import db
from models import School
from utils import refusals


def test_every_area_refuses_with_a_refusal_of_status_400_by_default():
    for kind in (JournalError, DiaryError, FamilyRecordError, ReplacementNotConfirmed):
        refusal = kind(N_("Дата согласия не может быть в будущем."))
        assert isinstance(refusal, Refusal) and not isinstance(refusal, ValueError)
        assert refusal.status == 400
    assert Conflict(N_("Клетку изменили."), "5").status == 409


def test_the_message_is_translated_with_its_params(app):
    refusal = FamilyRecordError(N_("Неизвестные пункты листа согласия: %(codes)s"), codes="9.1, 9.2")
    with app.test_request_context("/"):
        assert refusals.text(refusal) == "Неизвестные пункты листа согласия: 9.1, 9.2"


def test_undo_rolls_back_what_the_request_did(app):
    with app.test_request_context("/"):
        db.session.add(School(name="Несохранённая", short_name="Н"))
        db.session.flush()
        message = refusals.undo(JournalError(N_("Урок уже открыт.")))
        assert message == "Урок уже открыт."
        assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 0


@pytest.mark.parametrize(("status", "error"), [(403, Forbidden), (404, NotFound)])
def test_a_refusal_of_access_is_the_error_page_only_when_asked(app, status, error):
    refusal = JournalError(N_("Нет доступа."), status)
    with app.test_request_context("/"):
        assert refusals.undo(refusal) == "Нет доступа."
        with pytest.raises(error):
            refusals.undo(refusal, abort_access=True)
        assert refusals.undo(JournalError(N_("Занято."), 409), abort_access=True) == "Занято."


def test_a_form_goes_back_with_the_message_flashed(app):
    with app.test_request_context("/"):
        response = refusals.back_to("/journal/today", DiaryError(N_("Файл слишком большой.")))
        assert (response.status_code, response.location) == (303, "/journal/today")
        assert get_flashed_messages(with_categories=True) == [("error", "Файл слишком большой.")]
