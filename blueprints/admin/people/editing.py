"""Corrections of people's records (PD-7: data are kept accurate; parents report changes within
a month, 003 Приложение 2, 004:3.5): a student's record and a parent's names and contacts by an
administrator or the class teacher of the student's class; a staff member's profile by an
administrator. Every change goes to the history shown on the person's page."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only, apply
from blueprints.admin.imports.reading import EMAIL_RE, NAME_EXTRA_CHARS, phone_digits
from blueprints.admin.people import records
from domain.personal_data import PARENTS_CATEGORIES, STUDENT_RECORD_CATEGORIES
from models import Student, User
from utils import pd_access
from utils.family import children_of
from utils.forms import options
from utils.pd_access import personal_data_view
from utils.timeutil import school_today


def _strip(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _person_name(form, field):
    value = field.data or ""
    if value and not (all(ch.isalpha() or ch in NAME_EXTRA_CHARS for ch in value) and any(ch.isalpha() for ch in value)):
        raise ValidationError(_l("Только буквы, пробел, дефис и апостроф."))


def _phone(form, field):
    value = field.data or ""
    if value and (not 10 <= len(phone_digits(value)) <= 15 or any(not (ch.isdigit() or ch in " ()+-") for ch in value)):
        raise ValidationError(_l("Неверный номер телефона: 10–15 цифр, например +7 900 123-45-67."))


def _name_field(label, required: bool):
    checks = [DataRequired(_l("Заполните поле «%(f)s».", f=label))] if required else [Optional()]
    return StringField(label, filters=[_strip], validators=[*checks, Length(max=80), _person_name])


class _NamesForm(FlaskForm):
    last_name = _name_field(_l("Фамилия"), True)
    first_name = _name_field(_l("Имя"), True)
    middle_name = _name_field(_l("Отчество"), False)


class StudentRecordForm(_NamesForm):
    birth_date = DateField(_l("Дата рождения"), validators=[Optional()])
    gender = SelectField(_l("Пол"), validators=[Optional()])
    book_number = StringField(
        _l("Номер в алфавитной книге"),
        filters=[_strip],
        validators=[DataRequired(_l("Укажите номер в алфавитной книге.")), Length(max=20)],
    )
    reason = StringField(_l("Основание изменения (необязательно)"), filters=[_strip], validators=[Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = options((code, label) for code, label in (("", records.GENDER_LABELS[""]),
                                                                         ("m", records.GENDER_LABELS["m"]),
                                                                         ("f", records.GENDER_LABELS["f"])))


class ContactsForm(_NamesForm):
    email = StringField(
        _l("E-mail"),
        filters=[_strip],
        validators=[Optional(), Length(max=200), Regexp(EMAIL_RE, message=_l("Неверный адрес электронной почты."))],
    )
    phone = StringField(_l("Телефон"), filters=[_strip], validators=[Optional(), Length(max=40), _phone])
    reason = StringField(_l("Основание изменения (необязательно)"), filters=[_strip], validators=[Length(max=300)])


def _values(form: FlaskForm, fields: tuple[str, ...]) -> dict:
    values = {}
    for name in fields:
        data = getattr(form, name).data
        values[name] = data if name == "birth_date" else (data or "")
    return values


def _save(form: FlaskForm, change, page, to: str):
    """Validate, change, commit (common.apply); bad input re-renders the page with 400 and
    nothing stored; a concurrent change that took the same book number first answers 409."""
    return apply(
        form,
        change,
        page,
        lambda changed: (_("Данные сохранены."), "success") if changed else (_("Изменений нет."), "info"),
        to,
        invalid=_("Проверьте поля формы: ничего не изменено."),
        conflict=_("Данные изменились одновременно с вашими: ничего не изменено. Проверьте и сохраните снова."),
    )


# A student's record -----------------------------------------------------------------------------


def _student_page(student: Student, form: StudentRecordForm, status: int = 200):
    shown = pd_access.require(current_user, STUDENT_RECORD_CATEGORIES | PARENTS_CATEGORIES,
                              students=[student.id], what="admin.student_record_edit")
    queries.load_shown_with(student, selectinload(Student.current_class))
    # the parents' names only for those named for 2.1 in the order (PD-3)
    links = queries.parent_links(student) if shown & PARENTS_CATEGORIES else []
    return render_template(
        "admin/people/edit_student.html",
        student=student,
        form=form,
        parents=[(link, policy.can_edit_parent_record(current_user, link.parent)) for link in links],
        history=records.history("student", student.id),
        is_admin=policy.can_administer(current_user),
    ), status


@bp.route("/people/students/<int:student_id>/edit", methods=["GET", "POST"])
@login_required
@personal_data_view(*STUDENT_RECORD_CATEGORIES)
def student_record_edit(student_id: int):
    student = policy.load(Student, student_id, policy.can_edit_student_record, current_user)
    form = StudentRecordForm(obj=student)
    if not form.is_submitted():
        return _student_page(student, form)
    today = school_today(student.school.timezone)
    if policy.can_administer(current_user):
        to = url_for("admin.people_student", student_id=student.id)
    else:
        to = url_for("admin.student_record_edit", student_id=student.id)
    return _save(
        form,
        lambda: records.update_student(student, _values(form, records.STUDENT_FIELDS), form.reason.data or "", today),
        lambda status: _student_page(student, form, status),
        to,
    )


# A parent's and a staff member's names and contacts ------------------------------------------------


def _contacts_page(person: User, form: ContactsForm, kind: str, status: int = 200):
    children = children_of(person) if kind == "parent" else []
    if kind == "parent":
        pd_access.require(current_user, PARENTS_CATEGORIES, students=[c.id for c in children],
                          what="admin.parent_record_edit")
    return render_template(
        "admin/people/edit_contacts.html",
        person=person,
        form=form,
        kind=kind,
        children=[(c, policy.can_edit_student_record(current_user, c)) for c in children],
        history=records.history("user", person.id),
        is_admin=policy.can_administer(current_user),
    ), status


def _edit_contacts(person: User, kind: str):
    form = ContactsForm(obj=person)
    if not form.is_submitted():
        return _contacts_page(person, form, kind)
    if policy.can_administer(current_user):
        to = url_for("admin.people_user", user_id=person.id)
    else:
        to = url_for("admin.parent_record_edit", user_id=person.id)
    return _save(
        form,
        lambda: records.update_contacts(person, _values(form, records.CONTACT_FIELDS), form.reason.data or ""),
        lambda status: _contacts_page(person, form, kind, status),
        to,
    )


@bp.route("/people/parents/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@personal_data_view(*PARENTS_CATEGORIES)
def parent_record_edit(user_id: int):
    return _edit_contacts(policy.load(User, user_id, policy.can_edit_parent_record, current_user), "parent")


@bp.route("/people/users/<int:user_id>/profile", methods=["GET", "POST"])
@admin_only
def staff_profile_edit(user_id: int):
    return _edit_contacts(policy.load(User, user_id, policy.can_edit_staff_profile, current_user), "staff")
