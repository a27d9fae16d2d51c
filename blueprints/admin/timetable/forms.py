"""Forms of the timetable editor and the rooms list (issue 10). The choices of a cell (the
class's assignments, the school's rooms) are filled by the view, so an id outside them is
refused by the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

NONE = 0


class RoomForm(FlaskForm):
    name = StringField(_l("Номер или название кабинета"), validators=[DataRequired(), Length(max=20)])
    note = StringField(_l("Примечание"), validators=[Optional(), Length(max=200)],
                       description=_l("Например: кабинет информатики, 30 мест."))


class CellForm(FlaskForm):
    """One cell of a class's week: a lesson, or two lessons of different subgroups."""

    valid_from = DateField(_l("Действует с"), validators=[DataRequired(_l("Укажите дату."))])
    assignment_1 = SelectField(_l("Урок"), coerce=int, default=NONE)
    room_1 = SelectField(_l("Кабинет"), coerce=int, default=NONE)
    assignment_2 = SelectField(_l("Второй урок (другая подгруппа)"), coerce=int, default=NONE)
    room_2 = SelectField(_l("Кабинет"), coerce=int, default=NONE)


class TimetableImportForm(FlaskForm):
    file = FileField(_l("Файл .xlsx или .csv"), validators=[FileRequired(_l("Выберите файл."))])
    valid_from = DateField(_l("Расписание действует с"), validators=[DataRequired(_l("Укажите дату."))])
