"""The calendar-thematic plan (КТП) of an assignment and its correction sheet (JRN-2)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import policy
from blueprints.journal import bp, lessons_operations, loaders, plan_operations
from blueprints.journal.operations import JournalError
from blueprints.journal.plan_forms import PlanDeleteForm, PlanImportForm, PlanItemForm
from domain.messages import Refusal
from extensions import db
from models import Lesson, PlanCorrection, TeachingAssignment
from utils import refusals, spreadsheets
from utils.spreadsheets import TableLimits
from utils.timeutil import school_today


def _today(assignment: TeachingAssignment):
    return school_today(assignment.school.timezone)


def _plan_page(assignment: TeachingAssignment, status: int = 200, *, form=None, import_form=None, error=None,
               import_errors=None):
    today = _today(assignment)
    items = lessons_operations.plan_items(assignment)
    used = dict(
        db.session.execute(
            select(Lesson.plan_item_id, func.count(Lesson.id))
            .where(Lesson.assignment_id == assignment.id, Lesson.plan_item_id.is_not(None))
            .group_by(Lesson.plan_item_id)
        ).all()
    )
    corrections = db.session.scalars(
        select(PlanCorrection)
        .where(PlanCorrection.assignment_id == assignment.id)
        .options(selectinload(PlanCorrection.user))
        .order_by(PlanCorrection.at, PlanCorrection.id)
    ).all()
    if form is None:
        form = PlanItemForm(formdata=None)
        form.number.data = (items[-1].number + 1) if items else 1
        form.hours.data = 1
    can_edit = policy.can_edit_assignment(current_user, assignment) and not assignment.year.is_closed
    return render_template(
        "journal/plan.html",
        assignment=assignment,
        items=items,
        used=used,
        total_hours=sum(i.hours for i in items),
        corrections=corrections,
        correcting=plan_operations.corrections_required(assignment, today),
        form=form,
        import_form=import_form or PlanImportForm(formdata=None),
        can_edit=can_edit,
        error=error,
        import_errors=import_errors or [],
    ), status


@bp.get("/assignments/<int:assignment_id>/plan")
@login_required
def plan(assignment_id: int):
    return _plan_page(loaders.assignment(assignment_id, policy.can_view_assignment))


@bp.post("/assignments/<int:assignment_id>/plan")
@login_required
def add_plan_item(assignment_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_edit_assignment)
    form = PlanItemForm()
    if not form.validate():
        return _plan_page(assignment, 400, form=form)
    try:
        plan_operations.add_item(assignment, current_user, form.number.data, form.topic.data, form.hours.data,
                                 form.planned_date.data, form.reason.data or "", _today(assignment))
        db.session.commit()
    except JournalError as error:
        return _plan_page(assignment, error.status, form=form, error=refusals.undo(error))
    flash(_("Тема добавлена в план."), "success")
    return redirect(url_for("journal.plan", assignment_id=assignment.id)), 303


@bp.post("/assignments/<int:assignment_id>/plan/import")
@login_required
def import_plan(assignment_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_edit_assignment)
    import_form = PlanImportForm()
    upload = import_form.file.data
    if not import_form.validate() or upload is None or not getattr(upload, "filename", ""):
        return _plan_page(assignment, 400, import_form=import_form, error=_("Выберите файл CSV или XLSX."))
    limits = TableLimits.from_config(current_app.config)
    try:
        data = spreadsheets.read_upload(upload, limits)
        created = plan_operations.import_plan(assignment, current_user, upload.filename, data,
                                              import_form.reason.data or "", _today(assignment), limits)
        db.session.commit()
    except plan_operations.ImportRefused as refused:
        errors = [refusals.text(e) for e in refused.errors]
        return _plan_page(assignment, 400, import_form=import_form, error=refusals.undo(refused), import_errors=errors)
    except Refusal as error:
        return _plan_page(assignment, error.status, import_form=import_form, error=refusals.undo(error))
    flash(_("Загружено тем: %(n)s.", n=len(created)), "success")
    return redirect(url_for("journal.plan", assignment_id=assignment.id)), 303


@bp.get("/assignments/<int:assignment_id>/plan/<int:item_id>")
@login_required
def plan_item(assignment_id: int, item_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_edit_assignment)
    item = loaders.plan_item(assignment, item_id)
    form = PlanItemForm(formdata=None, obj=item)
    return _item_page(assignment, item, form)


def _item_page(assignment, item, form, status=200, error=None, delete_form=None):
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.plan_item_id == item.id).order_by(Lesson.date, Lesson.lesson_number)
    ).all()
    return render_template(
        "journal/plan_item.html",
        assignment=assignment,
        item=item,
        form=form,
        delete_form=delete_form or PlanDeleteForm(formdata=None),
        lessons=lessons,
        correcting=plan_operations.corrections_required(assignment, _today(assignment)),
        error=error,
    ), status


@bp.post("/assignments/<int:assignment_id>/plan/<int:item_id>")
@login_required
def update_plan_item(assignment_id: int, item_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_edit_assignment)
    item = loaders.plan_item(assignment, item_id)
    form = PlanItemForm()
    if not form.validate():
        return _item_page(assignment, item, form, 400)
    try:
        plan_operations.update_item(item, current_user, form.number.data, form.topic.data, form.hours.data,
                                    form.planned_date.data, form.reason.data or "", _today(assignment))
        db.session.commit()
    except JournalError as error:
        message = refusals.undo(error)
        item = loaders.plan_item(assignment, item_id)
        return _item_page(assignment, item, form, error.status, message)
    flash(_("Тема изменена."), "success")
    return redirect(url_for("journal.plan", assignment_id=assignment.id)), 303


@bp.post("/assignments/<int:assignment_id>/plan/<int:item_id>/delete")
@login_required
def delete_plan_item(assignment_id: int, item_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_edit_assignment)
    item = loaders.plan_item(assignment, item_id)
    delete_form = PlanDeleteForm()
    if not delete_form.validate():
        return _item_page(assignment, item, PlanItemForm(formdata=None, obj=item), 400, delete_form=delete_form)
    try:
        plan_operations.delete_item(item, current_user, delete_form.reason.data or "", _today(assignment))
        db.session.commit()
    except JournalError as error:
        message = refusals.undo(error)
        item = loaders.plan_item(assignment, item_id)
        return _item_page(assignment, item, PlanItemForm(formdata=None, obj=item), error.status, message,
                          delete_form=delete_form)
    flash(_("Тема удалена из плана."), "success")
    return redirect(url_for("journal.plan", assignment_id=assignment.id)), 303
