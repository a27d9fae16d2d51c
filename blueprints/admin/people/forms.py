"""Forms of people administration, imports, exports and credential slips."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blueprints.admin.imports.reading import KIND_LABELS
from blueprints.main.labels import ROLE_LABELS
from models import ROLES
from utils.forms import MultiCheckboxField, options

EXPORT_FORMATS = (("xlsx", "Excel (.xlsx)"), ("csv", "CSV (;)"))


def _kind_choices() -> list[SelectChoice]:
    return options(KIND_LABELS.items())


class ConfirmForm(FlaskForm):
    """A button that changes data: only the CSRF token (and the data-confirm of the page)."""


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search, nothing changes

    q = StringField(_l("ФИО или логин"), validators=[Optional(), Length(max=80)])
    role = SelectField(_l("Роль"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = options([("", _l("Все роли")), *((r, ROLE_LABELS[r]) for r in ROLES)])


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Роли"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = options((r, ROLE_LABELS[r]) for r in ROLES)

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Отметьте хотя бы одну роль."))


class BlockForm(FlaskForm):
    reason = StringField(
        _l("Причина блокировки"),
        validators=[DataRequired(_l("Укажите причину блокировки.")), Length(max=300)],
    )


class ResetPasswordForm(FlaskForm):
    reason = StringField(_l("Основание (необязательно)"), validators=[Length(max=300)])


class ParentLinkForm(FlaskForm):
    parent_login = StringField(
        _l("Логин родителя"), validators=[DataRequired(_l("Введите логин родителя.")), Length(max=60)]
    )
    relation = StringField(_l("Кем приходится (мать, отец, опекун…)"), validators=[Length(max=40)])


class ImportForm(FlaskForm):
    kind = SelectField(_l("Что загружаем"), validators=[DataRequired()])
    file = FileField(_l("Файл .xlsx или .csv"), validators=[FileRequired(_l("Выберите файл."))])
    order_number = StringField(
        _l("Номер приказа о зачислении"),
        validators=[Length(max=40)],
        description=_l("Для обучающихся: если в файле нет столбца «Номер приказа»."),
    )
    enrol_date = DateField(
        _l("Дата зачисления"),
        validators=[Optional()],
        description=_l("Для обучающихся: если в файле нет столбца «Дата зачисления»; по умолчанию — сегодня."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _kind_choices()


class ExportForm(FlaskForm):
    kind = SelectField(_l("Список"), validators=[DataRequired()])
    fmt = SelectField(_l("Формат"), choices=options(EXPORT_FORMATS), validators=[DataRequired()])
    # The register of disclosures (PD-4, 000:5.5.4): to whom, why, on which ground.
    recipient = StringField(
        _l("Кому передаются данные"),
        validators=[DataRequired(_l("Укажите, кому передаются данные.")), Length(max=300)],
    )
    purpose = TextAreaField(
        _l("Цель передачи"),
        validators=[DataRequired(_l("Укажите, зачем передаются данные.")), Length(max=500)],
    )
    ground = StringField(_l("Основание (необязательно)"), validators=[Optional(), Length(max=300)])
    # A transfer to a third party leaves out the students whose consent does not grant it (6.8).
    third_party = BooleanField(_l("Передача третьему лицу (п. 6.8 листа согласия)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _kind_choices()


class ClassSlipsForm(FlaskForm):
    # No defaults: a form posted with both boxes cleared must not fall back to "students".
    students = BooleanField(_l("Обучающиеся"))
    parents = BooleanField(_l("Родители"))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not (self.students.data or self.parents.data):
            self.students.errors.append(_l("Выберите, для кого печатать карточки."))
            return False
        return True
