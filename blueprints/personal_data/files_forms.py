"""Forms of the personal file (REP-6, PD-8): filling a year, the extract for a student leaving
mid-year, the previous school's statement of marks of a student arriving."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class FillForm(FlaskForm):
    year_id = HiddenField()
    reason = TextAreaField(_l("Причина повторного заполнения"), validators=[Optional(), Length(max=1000)])


class LeavingExtractForm(FlaskForm):
    """The extract of current marks of a student leaving mid-year (001:2.6.11)."""

    recipient = StringField(_l("Кому выдаётся (семья, новая школа)"),
                            validators=[InputRequired(_l("Укажите получателя выписки.")), Length(max=300)])
    purpose = StringField(_l("Цель"), default=_l("перевод в другую образовательную организацию"),
                          validators=[InputRequired(_l("Укажите цель выдачи выписки.")), Length(max=300)])


class StatementForm(FlaskForm):
    """The previous school's statement of marks (PD-8, 001:2.6.4)."""

    issued_by = StringField(_l("Школа, выдавшая ведомость"),
                            validators=[InputRequired(_l("Укажите школу, выдавшую ведомость.")), Length(max=300)])
    issued_on = DateField(_l("Дата ведомости"), validators=[InputRequired(_l("Укажите дату ведомости."))])
    file = FileField(_l("Файл ведомости (PDF, JPG или PNG)"))
