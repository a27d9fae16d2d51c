"""Subjects, kinds of work, marking scales and teaching assignments (ADM-1, ADM-8). Views
parse, load through policy.load, call an operation, commit."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only, apply, edit_page
from blueprints.admin.structure import operations
from blueprints.admin.structure.forms import (
    AssignmentForm,
    SubjectForm,
    WorkKindEditForm,
    WorkKindForm,
)
from blueprints.admin.structure.helpers import (
    class_label,
    current_school,
    load_class,
    load_subject,
    unbound,
)
from extensions import db
from models import (
    ClassGroup,
    MarkingScale,
    Subgroup,
    Subject,
    TeachingAssignment,
    User,
    WorkKind,
)
from utils.forms import options

# Subjects --------------------------------------------------------------------------------------


def _subjects_page(status: int = 200, form: FlaskForm | None = None):
    subjects = db.session.scalars(
        select(Subject)
        .where(Subject.school_id == current_user.school_id)
        .order_by(Subject.is_active.desc(), Subject.name)
    ).all()
    return render_template("admin/subjects.html", subjects=subjects, form=form or unbound(SubjectForm)), status


@bp.get("/subjects")
@admin_only
def subjects():
    return _subjects_page()


@bp.post("/subjects")
@admin_only
def subject_create():
    form = SubjectForm()
    return apply(
        form,
        lambda: operations.create_subject(current_school(), form.name.data, form.short_name.data or ""),
        lambda status: _subjects_page(status, form),
        _("Предмет добавлен."),
        url_for("admin.subjects"),
    )


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
@admin_only
def subject_edit(subject_id: int):
    subject = load_subject(subject_id)
    form = SubjectForm(obj=subject)
    return edit_page(
        form,
        lambda: operations.update_subject(subject, form.name.data, form.short_name.data or ""),
        title=_("Предмет: %(name)s", name=subject.name),
        back_url=url_for("admin.subjects"),
        success=_("Предмет сохранён."),
    )


@bp.post("/subjects/<int:subject_id>/deactivate")
@admin_only
def subject_deactivate(subject_id: int):
    subject = load_subject(subject_id)
    return apply(
        None,
        lambda: operations.set_subject_active(subject, False),
        _subjects_page,
        _("Предмет «%(name)s» отключён.", name=subject.name),
        url_for("admin.subjects"),
    )


@bp.post("/subjects/<int:subject_id>/activate")
@admin_only
def subject_activate(subject_id: int):
    subject = load_subject(subject_id)
    return apply(
        None,
        lambda: operations.set_subject_active(subject, True),
        _subjects_page,
        _("Предмет «%(name)s» снова используется.", name=subject.name),
        url_for("admin.subjects"),
    )


# Kinds of work and marking scales --------------------------------------------------------------


def _work_kinds_page(status: int = 200, form: FlaskForm | None = None):
    kinds = db.session.scalars(
        select(WorkKind)
        .where(WorkKind.school_id == current_user.school_id)
        .order_by(WorkKind.is_active.desc(), WorkKind.name)
    ).all()
    return render_template("admin/work_kinds.html", kinds=kinds, form=form or unbound(WorkKindForm)), status


@bp.get("/work-kinds")
@admin_only
def work_kinds():
    return _work_kinds_page()


@bp.post("/work-kinds")
@admin_only
def work_kind_create():
    form = WorkKindForm()
    return apply(
        form,
        lambda: operations.create_work_kind(current_school(), form.name.data, form.code.data or "", form.weight.data),
        lambda status: _work_kinds_page(status, form),
        _("Вид работы добавлен."),
        url_for("admin.work_kinds"),
    )


@bp.route("/work-kinds/<int:kind_id>/edit", methods=["GET", "POST"])
@admin_only
def work_kind_edit(kind_id: int):
    kind = policy.load(WorkKind, kind_id, policy.in_own_school, current_user)
    form = WorkKindEditForm(obj=kind)
    return edit_page(
        form,
        lambda: operations.update_work_kind(kind, form.name.data, form.weight.data, form.is_active.data),
        title=_("Вид работы: %(name)s", name=kind.name),
        subtitle=_("Код: %(code)s", code=kind.code),
        back_url=url_for("admin.work_kinds"),
        success=_("Вид работы сохранён."),
    )


@bp.get("/scales")
@admin_only
def scales():
    rows = queries.school_scales(current_user.school_id)
    return render_template("admin/scales.html", scales=rows, missing=queries.missing_scale_codes(rows))


@bp.post("/scales")
@admin_only
def scales_ensure():
    added = operations.ensure_scales(current_school())
    db.session.commit()
    if added:
        flash(_("Добавлены шкалы: %(names)s.", names=", ".join(s.name for s in added)), "success")
    else:
        flash(_("Все шкалы отметок уже есть."), "info")
    return redirect(url_for("admin.scales"))


# Teaching assignments --------------------------------------------------------------------------


def _fill_assignment_choices(form: AssignmentForm, school_id: int) -> None:
    classes = queries.open_classes(school_id)
    subgroups = db.session.scalars(
        select(Subgroup).where(Subgroup.class_id.in_([c.id for c in classes])).order_by(Subgroup.name)
    ).all()
    class_names = {c.id: c.name for c in classes}
    form.teacher_id.choices = options((t.id, t.full_name) for t in queries.teachers(school_id))
    form.class_id.choices = options((c.id, class_label(c)) for c in classes)
    form.subgroup_id.choices = options(
        [(0, _("Весь класс"))]
        + sorted(((g.id, f"{class_names[g.class_id]}: {g.name}") for g in subgroups), key=lambda choice: choice[1])
    )
    form.subject_id.choices = options((s.id, s.name) for s in queries.active_subjects(school_id))
    form.scale_id.choices = options(
        (s.id, s.name)
        for s in db.session.scalars(
            select(MarkingScale).where(MarkingScale.school_id == school_id).order_by(MarkingScale.id)
        )
    )


def _assignments_page(status: int = 200, form: AssignmentForm | None = None):
    school_id = current_user.school_id
    year = queries.latest_year(school_id)
    class_id = request.args.get("class_id", type=int)
    rows, year_classes = [], []
    if year is not None:
        year_classes = db.session.scalars(
            select(ClassGroup).where(ClassGroup.year_id == year.id).order_by(ClassGroup.grade, ClassGroup.name)
        ).all()
        query = (
            select(TeachingAssignment)
            .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .where(TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year.id)
            .options(
                selectinload(TeachingAssignment.class_group),
                selectinload(TeachingAssignment.subgroup),
                selectinload(TeachingAssignment.subject),
                selectinload(TeachingAssignment.teacher),
                selectinload(TeachingAssignment.scale),
            )
            .order_by(
                TeachingAssignment.is_active.desc(),
                ClassGroup.grade,
                ClassGroup.name,
                Subject.name,
                TeachingAssignment.id,
            )
        )
        if class_id:
            query = query.where(TeachingAssignment.class_id == class_id)
        rows = db.session.scalars(query).all()
    if form is None:
        form = unbound(AssignmentForm, class_id=class_id)
        _fill_assignment_choices(form, school_id)
    return render_template(
        "admin/assignments.html",
        year=year,
        assignments=rows,
        classes=year_classes,
        class_id=class_id,
        form=form,
    ), status


@bp.get("/assignments")
@admin_only
def assignments():
    return _assignments_page()


@bp.post("/assignments")
@admin_only
def assignment_create():
    form = AssignmentForm()
    _fill_assignment_choices(form, current_user.school_id)

    def create():
        teacher = policy.load(User, form.teacher_id.data, policy.in_own_school, current_user)
        class_group = load_class(form.class_id.data)
        subgroup = None
        if form.subgroup_id.data:
            subgroup = policy.load(Subgroup, form.subgroup_id.data, policy.owns_subgroup, current_user)
        subject = load_subject(form.subject_id.data)
        scale = policy.load(MarkingScale, form.scale_id.data, policy.in_own_school, current_user)
        return operations.create_assignment(current_school(), teacher, class_group, subgroup, subject, scale)

    return apply(
        form,
        create,
        lambda status: _assignments_page(status, form),
        _("Назначение добавлено."),
        lambda assignment: url_for("admin.assignments", class_id=assignment.class_id),
    )


def _load_assignment(assignment_id: int) -> TeachingAssignment:
    return policy.load(TeachingAssignment, assignment_id, policy.in_own_school, current_user)


@bp.post("/assignments/<int:assignment_id>/deactivate")
@admin_only
def assignment_deactivate(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    return apply(
        None,
        lambda: operations.set_assignment_active(assignment, False),
        _assignments_page,
        _("Назначение отключено: %(title)s.", title=assignment.title),
        url_for("admin.assignments", class_id=assignment.class_id),
    )


@bp.post("/assignments/<int:assignment_id>/activate")
@admin_only
def assignment_activate(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    return apply(
        None,
        lambda: operations.set_assignment_active(assignment, True),
        _assignments_page,
        _("Назначение снова действует: %(title)s.", title=assignment.title),
        url_for("admin.assignments", class_id=assignment.class_id),
    )
