"""Forms of the director's order on personal data and of suspensions (PD-3, PD-5)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from models.pd_register import ALL_CATEGORIES
from models.personal_data import CONSENT_CATEGORIES
from utils.forms import MultiCheckboxField, options

SCOPE_LABELS = {
    "school": _l("Вся школа"),
    "user": _l("Пользователь"),
    "category": _l("Категория персональных данных"),
}


def optional_id(value):
    """An id from a select whose first option is empty (none chosen: None)."""
    if value in ("", None):
        return None
    return int(value)


def category_choices():
    return options((code, f"{code}. {label}") for code, label in CONSENT_CATEGORIES.items())


class OrderForm(FlaskForm):
    number = StringField(_l("Номер приказа"), validators=[InputRequired(_l("Укажите номер приказа.")), Length(max=40)])
    signed_on = DateField(_l("Дата приказа"), validators=[InputRequired(_l("Укажите дату приказа."))])
    valid_from = DateField(_l("Действует с"), validators=[InputRequired(_l("Укажите начало действия."))])
    valid_until = DateField(_l("Действует по"), validators=[Optional()])
    note = TextAreaField(_l("Примечание"), validators=[Optional(), Length(max=2000)])


class OperatorForm(FlaskForm):
    # The choice (a member of staff of the school) is checked by the operation.
    user = SelectField(_l("Сотрудник"), coerce=int, validate_choice=False,
                       validators=[InputRequired(_l("Выберите сотрудника."))])
    all_categories = BooleanField(_l("Все категории персональных данных"))
    categories = MultiCheckboxField(_l("Категории персональных данных"), choices=category_choices())
    duties = StringField(_l("Обязанности"), validators=[Optional(), Length(max=300)])

    def chosen_categories(self) -> list[str]:
        if self.all_categories.data:
            return [ALL_CATEGORIES]
        return sorted(set(self.categories.data or []))


class RevokeForm(FlaskForm):
    confirm = BooleanField(_l("Подтверждаю отмену приказа"), validators=[InputRequired(_l("Подтвердите отмену приказа."))])


class SuspensionForm(FlaskForm):
    scope = SelectField(_l("Что приостановить"), choices=options(SCOPE_LABELS.items()),
                        validators=[InputRequired(_l("Выберите, что приостановить."))])
    user = SelectField(_l("Пользователь"), coerce=optional_id, validate_choice=False, validators=[Optional()])
    category = SelectField(_l("Категория"), choices=options([("", "—")]) + category_choices(), validators=[Optional()])
    reason = TextAreaField(_l("Причина (выявленное нарушение)"),
                           validators=[InputRequired(_l("Укажите причину приостановки.")), Length(max=2000)])


class LiftForm(FlaskForm):
    note = TextAreaField(_l("Как устранено нарушение"), validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("Подтверждаю возобновление доступа"),
                           validators=[InputRequired(_l("Подтвердите возобновление доступа."))])
