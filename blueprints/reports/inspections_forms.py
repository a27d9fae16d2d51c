"""The form of an inspection (REP-3): the journal, the inspector's kind, the date, the scope,
the deadline for correction and a fixed number of rows of remarks (item + remark); empty rows
are skipped. Choices are filled by the view from the school's journals and the user's roles."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from domain.inspections import MAX_REMARKS


class RemarkRowForm(Form):
    """One row of remarks (a plain Form: the CSRF token is the outer form's)."""

    item = StringField(_l("Что проверено"), validators=[Length(max=200, message=_l("Пункт — не длиннее 200 знаков."))])
    remark = TextAreaField(_l("Замечание"), validators=[Length(max=2000, message=_l("Замечание — не длиннее 2000 знаков."))])


class InspectionForm(FlaskForm):
    assignment_id = SelectField(_l("Журнал"), coerce=int, validators=[DataRequired(_l("Выберите журнал."))])
    kind = SelectField(_l("Вид контроля"), validators=[DataRequired()])
    date = DateField(_l("Дата проверки"), validators=[DataRequired(_l("Укажите дату проверки."))])
    scope = TextAreaField(_l("Что проверялось"), validators=[
        DataRequired(_l("Опишите, что проверялось.")), Length(max=2000, message=_l("Не длиннее 2000 знаков."))])
    correct_by = DateField(_l("Срок устранения замечаний"), validators=[Optional()])
    remarks = FieldList(FormField(RemarkRowForm), min_entries=MAX_REMARKS, max_entries=MAX_REMARKS)

    def remark_rows(self) -> list[tuple[str, str]]:
        """The filled rows as (item, remark); a row with only a remark gets a general item."""
        rows = []
        for row in self.remarks:
            item = (row.item.data or "").strip()
            remark = (row.remark.data or "").strip()
            if item or remark:
                rows.append((item or str(_l("Общее")), remark))
        return rows
