"""Forms of the diary: the parent's absence note and the class teacher's decision (DIA-5)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from utils.forms import options

REASON_LABELS = {
    "ill": _l("Болезнь"),
    "excused": _l("Семейные обстоятельства"),
    "other": _l("Другая причина"),
}
STATUS_LABELS = {
    "submitted": _l("Ждёт решения"),
    "accepted": _l("Принято"),
    "rejected": _l("Отклонено"),
}


class AbsenceNoteForm(FlaskForm):
    date_from = DateField(_l("С какого дня"), validators=[DataRequired(_l("Укажите первый день отсутствия."))])
    date_to = DateField(_l("По какой день"), validators=[DataRequired(_l("Укажите последний день отсутствия."))])
    reason = SelectField(
        _l("Причина"),
        choices=options(REASON_LABELS.items()),
        validators=[DataRequired(_l("Выберите причину."))],
    )
    comment = TextAreaField(
        _l("Комментарий для классного руководителя"),
        validators=[Optional(), Length(max=1000, message=_l("Не больше 1000 знаков."))],
    )
    file = FileField(_l("Скан справки (PDF, JPG или PNG)"))


class DecisionForm(FlaskForm):
    comment = TextAreaField(
        _l("Комментарий"), validators=[Optional(), Length(max=1000, message=_l("Не больше 1000 знаков."))]
    )
