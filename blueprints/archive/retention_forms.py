"""Forms of the retention page (ARC-2): the approval of an act, the legal hold of a package."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ApproveForm(FlaskForm):
    number = StringField(_l("Номер акта"), validators=[Optional(), Length(max=40)])
    act_date = DateField(_l("Дата акта"), validators=[Optional()])
    commission = TextAreaField(
        _l("Комиссия: ФИО и должность через запятую, по одному в строке (первый — председатель)"),
        validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("Подтверждаю уничтожение перечисленных документов без возможности восстановления"))


class HoldForm(FlaskForm):
    hold = BooleanField(_l("Удерживать (не уничтожать)"))
    reason = StringField(_l("Основание"), validators=[Optional(), Length(max=500)])
