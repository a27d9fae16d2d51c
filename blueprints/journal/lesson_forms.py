"""Forms of the timetable changes, the lesson page with its homework, and the calendar-thematic
plan. Choices that depend on the school are filled by the views, so a posted id outside them is
refused by the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

CHANGE_KIND_LABELS = {
    "substitution": _l("Замена учителя"),
    "cancelled": _l("Отмена урока"),
    "moved": _l("Перенос урока на это время"),
    "extra": _l("Дополнительный урок"),
}


def options(pairs) -> list[SelectChoice]:
    """Choices in the form wtforms 3.2+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


class OpenLessonForm(FlaskForm):
    assignment_id = IntegerField(validators=[InputRequired()])
    date = DateField(validators=[DataRequired()])
    lesson_number = IntegerField(validators=[InputRequired(), NumberRange(0, 12)])


class LessonForm(FlaskForm):
    version = HiddenField()
    date = DateField(_l("Дата"), validators=[DataRequired(_l("Укажите дату урока."))])
    lesson_number = IntegerField(
        _l("№ урока"), validators=[InputRequired(_l("Укажите номер урока.")), NumberRange(0, 12, _l("Номер урока — от 0 до 12."))]
    )
    plan_item_id = SelectField(_l("Тема из тематического плана"), coerce=int, validators=[Optional()])
    topic = StringField(_l("Или своя тема"), validators=[Length(max=500, message=_l("Тема — не длиннее 500 знаков."))])
    work_kinds = MultiCheckboxField(_l("Виды работ на уроке"), coerce=int, validators=[Optional()])
    homework_text = TextAreaField(_l("Домашнее задание для всего класса"),
                                  validators=[Length(max=5000, message=_l("Задание — не длиннее 5000 знаков."))])
    homework_pages = StringField(_l("Страницы"), validators=[Length(max=100)])
    homework_exercises = StringField(_l("Упражнения, номера"), validators=[Length(max=200)])
    homework_file = FileField(_l("Файл к заданию (pdf, jpg, png, docx, odt)"))
    # Set by the «Сохранить без темы» button of the warning: the teacher saw that the topic is empty.
    confirm_no_topic = BooleanField()


class IndividualHomeworkForm(FlaskForm):
    text = TextAreaField(_l("Индивидуальное задание"),
                         validators=[Length(max=5000, message=_l("Задание — не длиннее 5000 знаков."))])
    pages = StringField(_l("Страницы"), validators=[Length(max=100)])
    exercises = StringField(_l("Упражнения, номера"), validators=[Length(max=200)])
    students = MultiCheckboxField(_l("Кому"), coerce=int,
                                  validators=[DataRequired(_l("Выберите хотя бы одного обучающегося."))])
    file = FileField(_l("Файл к заданию (pdf, jpg, png, docx, odt)"))


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
