"""Forms of the destruction pages and the parent's withdrawal (PD-2)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from utils.forms import options


class ParentWithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Причина (необязательно)"), validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_l("Подтверждаю отзыв согласия: обработка персональных данных ребёнка прекращается, "
                              "данные будут уничтожены"))


class ExecuteForm(FlaskForm):
    confirm = BooleanField(_l("Подтверждаю уничтожение данных"))


class CorrectionForm(FlaskForm):
    day = DateField(_l("Дата"), validators=[InputRequired(message=_l("Укажите дату."))])
    is_working = RadioField(
        _l("Поправка"),
        choices=options([("1", _l("рабочий день (перенесённый рабочий день, например суббота)")),
                         ("0", _l("выходной день"))]),
        validators=[InputRequired(message=_l("Выберите, рабочий это день или выходной."))],
    )
    note = StringField(_l("Основание"), validators=[Optional(), Length(max=200)])


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("Подтверждаю удаление поправки"))
