"""Forms of the paper documents as recorded by the class teacher: the consent sheet
(003 Приложение 2) and the parent's application (Приложение 1)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional

from models.personal_data import APPLICATION_SCOPES, CONSENT_ACTIONS, CONSENT_CATEGORIES
from utils.forms import MultiCheckboxField, options
from utils.timeutil import current_school_today

ACCESS_LEVEL_LABELS = {
    "electronic": _l("Электронный доступ к дневнику (уровень «Родитель»)"),
    "none": _l("Отказ от электронного доступа"),
}
DELIVERY_LABELS = {
    "electronic": _l("В электронном дневнике"),
    "print": _l("На бумажном носителе"),
    "email": _l("На адрес электронной почты"),
}
# What report_delivery answers, for the pages.
REPORT_DELIVERY_LABELS = {
    "electronic": _l("электронный дневник"),
    "print": _l("печатный отчёт"),
    "email": _l("письмо на электронную почту"),
    "print_no_consent": _l("печатный отчёт (нет согласия на рассылку по e-mail, п. 6.9)"),
}
SCOPE_LABELS = {
    "marks": _l("отметки"),
    "attendance": _l("посещаемость"),
    "homework": _l("домашние задания"),
    "topics": _l("темы уроков"),
    "schedule": _l("расписание и его изменения"),
    "period_results": _l("итоги четвертей и года"),
}


def _code_choices(items: dict) -> list[SelectChoice]:
    return options((code, f"{code}. {label}") for code, label in items.items())


class ConsentForm(FlaskForm):
    # The choice is checked by the operation (a parent of this student), with its own message.
    given_by = SelectField(
        _l("Подписал(а)"), coerce=int, validate_choice=False, validators=[InputRequired(_l("Выберите родителя."))]
    )
    number = StringField(_l("№ листа согласия"), validators=[Length(max=40)])
    given_on = DateField(
        _l("Дата подписания"), validators=[InputRequired(_l("Укажите дату подписания."))], default=current_school_today
    )
    valid_until = DateField(
        _l("Действует по"),
        validators=[Optional()],
        description=_l("Пусто — на период обучения в школе, как в листе согласия."),
    )
    categories = MultiCheckboxField(_l("I. Персональные данные"), choices=_code_choices(CONSENT_CATEGORIES))
    actions = MultiCheckboxField(_l("II. Действия с персональными данными"), choices=_code_choices(CONSENT_ACTIONS))
    # Needed only when the new sheet grants less than the one in force; the old one stays in the history.
    confirm_replace = BooleanField(_l("Подтверждаю замену действующего листа согласия"))


class WithdrawForm(FlaskForm):
    consent_id = HiddenField()
    reason = TextAreaField(
        _l("Основание отзыва"),
        validators=[InputRequired(_l("Укажите основание отзыва.")), Length(max=1000)],
        description=_l("Например: письменное заявление от 12.03.2027 № 15."),
    )


class ApplicationForm(FlaskForm):
    parent = SelectField(
        _l("Заявитель"), coerce=int, validate_choice=False, validators=[InputRequired(_l("Выберите родителя."))]
    )
    submitted_on = DateField(
        _l("Дата заявления"), validators=[InputRequired(_l("Укажите дату заявления."))], default=current_school_today
    )
    access_level = RadioField(
        _l("Уровень доступа"),
        choices=options(ACCESS_LEVEL_LABELS.items()),
        default="electronic",
        validators=[InputRequired(_l("Выберите уровень доступа."))],
    )
    delivery = RadioField(
        _l("Форма получения сведений (п. 3 заявления)"),
        choices=options(DELIVERY_LABELS.items()),
        default="electronic",
        validators=[InputRequired(_l("Выберите форму получения сведений."))],
    )
    email = StringField(
        _l("Адрес электронной почты"),
        validators=[Optional(), Email(_l("Адрес электронной почты указан неверно.")), Length(max=200)],
    )
    scope = MultiCheckboxField(
        _l("Объём сведений"), choices=options((code, SCOPE_LABELS[code]) for code in APPLICATION_SCOPES)
    )
    # Needed only when the new application narrows the one in force; the old one stays in the history.
    confirm_replace = BooleanField(_l("Подтверждаю замену действующего заявления"))
