"""Additional-education groups: the administrator writes students of any class into a club and
ends their stay with a date (issue 10, item 7). The club's journal comes with a later issue."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, HiddenField
from wtforms.validators import InputRequired

import policy
from blueprints.admin import bp
from blueprints.admin.common import admin_only
from blueprints.admin.structure import club_operations as clubs
from domain.messages import Refusal
from extensions import db
from models import ClassGroup, ClubMembership
from utils.forms import MultiCheckboxField, options
from utils.timeutil import current_school_today, school_today


class AddMembersForm(FlaskForm):
    from_class = HiddenField()
    students = MultiCheckboxField(_l("Обучающиеся"), coerce=int)
    since = DateField(
        _l("Занимается с"), validators=[InputRequired(_l("Укажите дату записи."))], default=current_school_today
    )


class EndMembershipForm(FlaskForm):
    until = DateField(
        _l("Последний день занятий"),
        validators=[InputRequired(_l("Укажите последний день занятий."))],
        default=current_school_today,
    )


def _load_club(class_id: int) -> ClassGroup:
    group = policy.load(ClassGroup, class_id, policy.owns_class, current_user)
    if not clubs.is_club(group):
        abort(404)
    return group


def _classes_of_year(group: ClassGroup) -> list[ClassGroup]:
    return list(
        db.session.scalars(
            select(ClassGroup)
            .where(ClassGroup.year_id == group.year_id, ClassGroup.kind == "class")
            .order_by(ClassGroup.grade, ClassGroup.name)
        )
    )


def _picked_class(group: ClassGroup, classes: list[ClassGroup], value) -> ClassGroup | None:
    try:
        class_id = int(value or 0)
    except (TypeError, ValueError):
        return None
    return next((c for c in classes if c.id == class_id), None)


def _club_page(group: ClassGroup, status: int = 200, add_form: AddMembersForm | None = None, from_class=None):
    group = db.session.scalar(
        select(ClassGroup)
        .where(ClassGroup.id == group.id)
        .options(selectinload(ClassGroup.year), selectinload(ClassGroup.class_teacher))
    )
    today = school_today(group.school.timezone)
    classes = _classes_of_year(group)
    picked = _picked_class(group, classes, from_class)
    form = add_form or AddMembersForm(formdata=None, from_class=picked.id if picked else "")
    pupils = clubs.candidates(group, picked, today) if picked is not None else []
    if add_form is None:
        form.students.choices = options((s.id, s.full_name) for s in pupils)
    return render_template(
        "admin/club.html",
        club=group,
        today=today,
        members=clubs.current_members(group, today),
        past=clubs.past_members(group, today),
        classes=classes,
        picked=picked,
        add_form=form,
    ), status


@bp.get("/clubs/<int:class_id>")
@admin_only
def club_page(class_id: int):
    return _club_page(_load_club(class_id), from_class=request.args.get("from_class"))


@bp.post("/clubs/<int:class_id>/members")
@admin_only
def club_add_members(class_id: int):
    group = _load_club(class_id)
    form = AddMembersForm()
    picked = _picked_class(group, _classes_of_year(group), form.from_class.data)
    pupils = clubs.candidates(group, picked, school_today(group.school.timezone)) if picked is not None else []
    form.students.choices = options((s.id, s.full_name) for s in pupils)
    if not form.validate_on_submit():
        flash(_("Проверьте поля формы."), "error")
        return _club_page(group, 400, form, form.from_class.data)
    chosen = [s for s in pupils if s.id in set(form.students.data or [])]
    try:
        added = clubs.add_members(group, chosen, form.since.data)
        db.session.commit()
    except Refusal as refusal:
        db.session.rollback()
        flash(_(refusal.message, **refusal.params), "error")
        return _club_page(group, refusal.status, form, form.from_class.data)
    flash(_("Записано в объединение: %(n)s.", n=len(added)), "success")
    return redirect(url_for("admin.club_page", class_id=group.id, from_class=picked.id if picked else None))


@bp.post("/club-members/<int:membership_id>/end")
@admin_only
def club_end_membership(membership_id: int):
    membership = policy.load(ClubMembership, membership_id, policy.owns_club_membership, current_user)
    group = membership.group
    form = EndMembershipForm()
    if not form.validate_on_submit():
        flash(_("Укажите последний день занятий."), "error")
        return _club_page(group, 400)
    try:
        clubs.end_membership(membership, form.until.data)
        db.session.commit()
    except Refusal as refusal:
        db.session.rollback()
        flash(_(refusal.message, **refusal.params), "error")
        return _club_page(group, refusal.status)
    flash(_("%(name)s больше не занимается в объединении.", name=membership.student.full_name), "success")
    return redirect(url_for("admin.club_page", class_id=group.id))
