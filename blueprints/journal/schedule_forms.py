"""The form of a timetable change (a substitution, a cancellation, a move, an extra lesson).
Choices that depend on the school are filled by the view, so a posted id outside them is
refused by the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from utils.forms import options

CHANGE_KIND_LABELS = {
    "substitution": _l("Замена учителя"),
    "cancelled": _l("Отмена урока"),
    "moved": _l("Перенос урока на это время"),
    "extra": _l("Дополнительный урок"),
}


class ScheduleChangeForm(FlaskForm):
    date = DateField(_l("Дата"), validators=[DataRequired(_l("Укажите дату."))])
    assignment_id = SelectField(_l("Урок (предмет, класс, учитель)"), coerce=int,
                                validators=[DataRequired(_l("Выберите урок."))])
    lesson_number = IntegerField(
        _l("№ урока"),
        validators=[InputRequired(_l("Укажите номер урока.")), NumberRange(0, 12, _l("Номер урока — от 0 до 12."))],
    )
    kind = SelectField(_l("Изменение"), choices=options(CHANGE_KIND_LABELS.items()))
    substitute_id = SelectField(_l("Замещающий учитель"), coerce=int, validators=[Optional()])
    room = StringField(_l("Кабинет"), validators=[Length(max=20)])
    note = StringField(_l("Примечание"), validators=[Length(max=300)])
