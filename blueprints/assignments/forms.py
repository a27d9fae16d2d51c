"""Forms of distance assignments (JRN-10). Lengths, markup and ids are checked by the
operations (Russian messages, forged ids 404); the forms carry CSRF and the raw values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired


class GiveForm(FlaskForm):
    title = StringField(_l("Название"))
    text = TextAreaField(_l("Текст задания"))
    topic = StringField(_l("Тема плана или урок"))  # "p<plan item id>" or "l<lesson id>"
    work_kind_id = StringField(_l("Вид работы"))
    due_date = DateField(_l("Срок сдачи: дата"), validators=[InputRequired(_l("Укажите дату срока сдачи."))])
    due_time = TimeField(_l("время"), validators=[InputRequired(_l("Укажите время срока сдачи."))])
    assessment = StringField(_l("Форма оценивания"))
    files = MultipleFileField(_l("Материалы (PDF, JPG, PNG, DOCX, ODT)"))


class SubmitForm(FlaskForm):
    text = TextAreaField(_l("Ответ"))
    files = MultipleFileField(_l("Файлы (PDF, JPG, PNG, DOCX, ODT)"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Комментарий"))
    value = StringField(_l("Отметка"))
    action = StringField()
