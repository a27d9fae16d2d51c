"""Forms of the paper documents as recorded by the class teacher: the consent sheet
(003 Приложение 2) and the parent's application (Приложение 1)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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


SIGNER_LABELS = {
    "parent": _l("Родитель (законный представитель)"),
    "student": _l("Обучающийся (с 14 лет) за себя"),
}


def _code_choices(items: dict) -> list[SelectChoice]:
    return options((code, f"{code}. {label}") for code, label in items.items())


class ConsentForm(FlaskForm):
    signer = RadioField(
        _l("Кто подписал"), choices=options(SIGNER_LABELS.items()), default="parent",
    )
    # The choice is checked by the operation (a parent of this student), with its own message;
    # empty when the student of 14+ signed for themselves.
    given_by = SelectField(_l("Родитель (законный представитель)"), coerce=int, validate_choice=False,
                           validators=[Optional()])
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
    third_parties = TextAreaField(
        _l("Третьи лица для передачи (п. 6.8)"), validators=[Length(max=2000)],
        description=_l("По одному на строку, как в листе согласия; обязательно, если отмечен п. 6.8."),
    )
    scan = FileField(_l("Скан подписанного листа"), description=_l("PDF, JPG или PNG; можно приложить позже."))
    # Needed only when the new sheet grants less than the one in force; the old one stays in the history.
    confirm_replace = BooleanField(_l("Подтверждаю замену действующего листа согласия"))


class ScanForm(FlaskForm):
    """The scanned signed sheet attached to a recorded consent later."""

    consent_id = HiddenField()
    scan = FileField(_l("Скан подписанного листа"), description=_l("PDF, JPG или PNG."))


class PhotoForm(FlaskForm):
    photo = FileField(_l("Фотография"), description=_l("JPG или PNG."))


class ExtractForm(FlaskForm):
    """Who receives the extract of the personal file and why (the disclosure register, PD-4)."""

    recipient = StringField(_l("Кому выдаётся"), validators=[InputRequired(_l("Укажите получателя выписки.")),
                                                             Length(max=300)])
    purpose = StringField(_l("Цель"), validators=[InputRequired(_l("Укажите цель выдачи выписки.")),
                                                  Length(max=300)])


# The card's fields (StudentProfile) in the interface.
PROFILE_LABELS = {
    "citizenship": _l("Гражданство"),
    "native_language": _l("Родной язык"),
    "registration_address": _l("Адрес регистрации"),
    "home_address": _l("Адрес проживания"),
    "phone": _l("Телефон"),
    "email": _l("Электронная почта"),
    "arrival_note": _l("Прибытие и выбытие (откуда, куда, приказ)"),
    "family_notes": _l("Состав семьи"),
    "family_category": _l("Категория семьи"),
    "guardianship": _l("Попечительство, опека, социальная незащищённость"),
    "support": _l("Виды помощи, оказываемые школой"),
    "risk_group": _l("Группа риска, поведенческий статус"),
    "offences": _l("Сведения о правонарушениях"),
    "education_form": _l("Форма получения образования, профиль"),
    "languages": _l("Изучаемые родные и иностранные языки"),
    "snils": _l("СНИЛС"),
    "document_kind": _l("Документ, удостоверяющий личность"),
    "document_number": _l("Серия и номер документа"),
    "medical_notes": _l("Медицинские сведения"),
    "photo_path": _l("Фотография"),
}


def profile_form(fields: list[str], long_fields) -> FlaskForm:
    """The card's edit form with only the fields of the categories the user may edit."""

    class ProfileForm(FlaskForm):
        pass

    for name in fields:
        kind = TextAreaField if name in long_fields else StringField
        setattr(ProfileForm, name, kind(PROFILE_LABELS[name], validators=[Length(max=4000)]))
    return ProfileForm(prefix="card")


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
