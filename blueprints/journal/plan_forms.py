"""Forms of the calendar-thematic plan (КТП) and its correction sheet."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class PlanItemForm(FlaskForm):
    number = IntegerField(_l("№"), validators=[InputRequired(_l("Укажите номер темы.")),
                                               NumberRange(1, 10000, _l("Номер — целое число от 1."))])
    topic = StringField(_l("Тема"), validators=[DataRequired(_l("Укажите тему.")),
                                                Length(max=500, message=_l("Тема — не длиннее 500 знаков."))])
    hours = IntegerField(_l("Часов"), default=1, validators=[InputRequired(_l("Укажите число часов.")),
                                                             NumberRange(1, 500, _l("Часов — целое число от 1."))])
    planned_date = DateField(_l("Плановая дата"), validators=[Optional()])
    reason = TextAreaField(_l("Причина изменения (для листа корректировки)"), validators=[Length(max=2000)])


class PlanDeleteForm(FlaskForm):
    reason = TextAreaField(_l("Причина удаления (для листа корректировки)"), validators=[Length(max=2000)])


class PlanImportForm(FlaskForm):
    file = FileField(_l("Файл CSV или XLSX: номер; тема; часы"))
    reason = TextAreaField(_l("Причина изменения (для листа корректировки)"), validators=[Length(max=2000)])
