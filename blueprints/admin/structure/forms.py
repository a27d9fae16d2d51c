"""Forms of the structure pages. Choices that depend on the school (classes, teachers,
subjects…) are filled by the views, so a posted id outside them is refused by the form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from domain.settings_rules import MAX_WEIGHT
from utils.forms import MultiCheckboxField, options
from utils.timeutil import current_school_today

SCHEME_LABELS = {
    "quarter": _l("Четверти"),
    "trimester": _l("Триместры"),
    "half_year": _l("Полугодия"),
    "year": _l("Год"),
}
KIND_LABELS = {"class": _l("Класс"), "extra": _l("Объединение доп. образования")}
ATTENDANCE_LABELS = {
    "auto": _l("По умолчанию: да для 1 класса"),
    "yes": _l("Да: только посещаемость, без отметок"),
    "no": _l("Нет: отметки и домашние задания"),
}


def _required(message):
    return DataRequired(message)


def _date(label, message, **kwargs):
    return DateField(label, validators=[InputRequired(message)], **kwargs)


def _weight_field():
    return CommaDecimalField(
        _l("Вес"),
        places=2,
        validators=[
            InputRequired(_l("Укажите вес.")),
            # the same bounds as the settings page (domain/settings_rules.py): one rule
            NumberRange(min=0.01, max=float(MAX_WEIGHT), message=_l("Вес — больше нуля, не больше 10.")),
        ],
        render_kw={"inputmode": "decimal", "step": "0.25"},
    )


class CommaDecimalField(DecimalField):
    """Accepts the Russian decimal comma (4,5) as well as the point: tablets type either."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.replace(",", ".").strip() for v in valuelist])


class YearForm(FlaskForm):
    name = StringField(
        _l("Название"),
        validators=[
            _required(_l("Укажите название учебного года.")),
            Regexp(r"^\s*\d{4}/\d{4}\s*$", message=_l("Название в виде 2026/2027.")),
        ],
        render_kw={"placeholder": "2026/2027", "inputmode": "numeric"},
    )
    start_date = _date(_l("Начало"), _l("Укажите дату начала."))
    end_date = _date(_l("Окончание"), _l("Укажите дату окончания."))


class CloseYearForm(FlaskForm):
    confirm = BooleanField(
        _l("Подтверждаю: год и все его периоды будут закрыты для изменений"),
        validators=[DataRequired(_l("Отметьте подтверждение закрытия года."))],
    )


def _period_fields(name_label) -> tuple:
    """Number, name and dates of a period, as the new-period and the edit forms ask them."""
    return (
        IntegerField(
            _l("Номер"),
            validators=[InputRequired(_l("Укажите номер периода.")), NumberRange(1, 4, _l("Номер — от 1 до 4."))],
        ),
        StringField(name_label, validators=[Length(max=60)]),
        _date(_l("Начало"), _l("Укажите дату начала.")),
        _date(_l("Окончание"), _l("Укажите дату окончания.")),
    )


class PeriodForm(FlaskForm):
    scheme = SelectField(_l("Схема"), choices=options(SCHEME_LABELS.items()))
    number, name, start_date, end_date = _period_fields(_l("Название (необязательно)"))


class PeriodEditForm(FlaskForm):
    number, name, start_date, end_date = _period_fields(_l("Название"))


class HolidayForm(FlaskForm):
    name = StringField(
        _l("Название"),
        validators=[_required(_l("Укажите название каникул.")), Length(max=100)],
        render_kw={"placeholder": _l("Осенние каникулы")},
    )
    start_date = _date(_l("Начало"), _l("Укажите дату начала."))
    end_date = _date(_l("Окончание"), _l("Укажите дату окончания."))


class ClassForm(FlaskForm):
    year_id = SelectField(_l("Учебный год"), coerce=int)
    grade = IntegerField(
        _l("Класс (параллель)"),
        validators=[InputRequired(_l("Укажите параллель.")), NumberRange(1, 11, _l("Параллель — от 1 до 11."))],
        render_kw={"inputmode": "numeric"},
    )
    letter = StringField(_l("Буква"), validators=[Length(max=5)])
    name = StringField(
        _l("Название"),
        validators=[Length(max=30)],
        description=_l("Пусто — из параллели и буквы, например 5А"),
    )
    kind = SelectField(_l("Вид"), choices=options(KIND_LABELS.items()))
    period_scheme = SelectField(_l("Периоды аттестации"), choices=options(SCHEME_LABELS.items()))
    attendance_only = SelectField(_l("Только посещаемость"), choices=options(ATTENDANCE_LABELS.items()))
    class_teacher_id = SelectField(_l("Классный руководитель"), coerce=int)
    # Which bells the class follows (ADM-1, blueprints/admin/timetable/bells.py).
    shift = SelectField(_l("Смена"), coerce=int, default=1,
                        choices=options([(1, _l("1 смена")), (2, _l("2 смена"))]))

    def attendance_only_value(self) -> bool | None:
        return {"auto": None, "yes": True, "no": False}[self.attendance_only.data]


class ClassEditForm(ClassForm):
    year_id = None  # a class stays in its year


class SubgroupForm(FlaskForm):
    name = StringField(
        _l("Название подгруппы"),
        validators=[_required(_l("Укажите название подгруппы.")), Length(max=60)],
        render_kw={"placeholder": _l("1 группа")},
    )


class SubgroupMembersForm(SubgroupForm):
    members = MultiCheckboxField(_l("Состав"), coerce=int)


class SubjectForm(FlaskForm):
    name = StringField(_l("Название"), validators=[_required(_l("Укажите название предмета.")), Length(max=120)])
    short_name = StringField(_l("Сокращение"), validators=[Length(max=30)])


class CurriculumForm(FlaskForm):
    subject_id = SelectField(_l("Предмет"), coerce=int)
    hours = CommaDecimalField(
        _l("Часов в неделю"),
        places=1,
        validators=[
            InputRequired(_l("Укажите число часов.")),
            NumberRange(min=0.5, max=40, message=_l("Часов в неделю — от 0,5 до 40.")),
        ],
        render_kw={"inputmode": "decimal", "step": "0.5"},
    )


class WorkKindForm(FlaskForm):
    name = StringField(_l("Название"), validators=[_required(_l("Укажите название вида работы.")), Length(max=80)])
    code = StringField(
        _l("Код (необязательно)"),
        validators=[
            Optional(),
            Length(max=30),
            Regexp(r"^[a-z0-9_]+$", message=_l("Код — латинские буквы, цифры и «_».")),
        ],
    )
    weight = _weight_field()


class WorkKindEditForm(FlaskForm):
    name = StringField(_l("Название"), validators=[_required(_l("Укажите название вида работы.")), Length(max=80)])
    weight = _weight_field()
    is_active = BooleanField(_l("Используется"))


class AssignmentForm(FlaskForm):
    teacher_id = SelectField(_l("Учитель"), coerce=int)
    class_id = SelectField(_l("Класс"), coerce=int)
    subgroup_id = SelectField(_l("Подгруппа"), coerce=int)
    subject_id = SelectField(_l("Предмет"), coerce=int)
    scale_id = SelectField(_l("Шкала отметок"), coerce=int)


class EnrolForm(FlaskForm):
    last_name = StringField(_l("Фамилия"), validators=[_required(_l("Укажите фамилию.")), Length(max=80)])
    first_name = StringField(_l("Имя"), validators=[_required(_l("Укажите имя.")), Length(max=80)])
    middle_name = StringField(_l("Отчество"), validators=[Length(max=80)])
    birth_date = DateField(_l("Дата рождения"), validators=[Optional()])
    book_number = StringField(
        _l("№ в алфавитной книге"),
        validators=[_required(_l("Укажите номер в алфавитной книге.")), Length(max=20)],
    )
    date = _date(_l("Дата зачисления"), _l("Укажите дату зачисления."), default=current_school_today)
    order_number = StringField(
        _l("№ приказа"), validators=[_required(_l("Укажите номер приказа директора.")), Length(max=40)]
    )


class TransferForm(FlaskForm):
    student_id = SelectField(_l("Обучающийся"), coerce=int)
    to_class_id = SelectField(_l("В класс"), coerce=int)
    date = _date(_l("Дата перевода"), _l("Укажите дату перевода."), default=current_school_today)
    order_number = StringField(
        _l("№ приказа"), validators=[_required(_l("Укажите номер приказа директора.")), Length(max=40)]
    )


class WithdrawForm(FlaskForm):
    student_id = SelectField(_l("Обучающийся"), coerce=int)
    date = _date(_l("Дата выбытия"), _l("Укажите дату выбытия."), default=current_school_today)
    order_number = StringField(
        _l("№ приказа"), validators=[_required(_l("Укажите номер приказа директора.")), Length(max=40)]
    )
    reason = TextAreaField(
        _l("Причина выбытия"),
        validators=[_required(_l("Укажите причину выбытия.")), Length(max=300)],
        render_kw={"placeholder": _l("Например: переезд, перевод в школу № 5")},
    )
