"""The grid's form (a new lesson from the grid) and the fields shared by the journal's forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class NewLessonForm(FlaskForm):
    date = DateField(_l("Дата"), validators=[DataRequired(_l("Укажите дату урока."))])
    lesson_number = IntegerField(
        _l("№ урока"), validators=[Optional(), NumberRange(0, 12, _l("Номер урока — от 0 до 12."))]
    )
    topic = StringField(_l("Тема"), validators=[Length(max=500)])
    work_kinds = SelectMultipleField(_l("Виды работ"), coerce=int, validators=[Optional()])
