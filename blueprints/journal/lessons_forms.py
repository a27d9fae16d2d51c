"""Forms of the lesson page with its homework, and of opening a lesson from today's list. Choices
that depend on the school are filled by the views, so a posted id outside them is refused by
the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from utils.forms import MultiCheckboxField


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
