"""Withdrawal by a parent, destruction tasks with their acts, and the school's corrections of the
production calendar (PD-2). Thin views: destruction_operations does the work."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

import policy
from blueprints.auth.access import roles_required
from blueprints.personal_data import bp
from blueprints.personal_data import destruction_operations as dops
from blueprints.personal_data import operations as ops
from blueprints.personal_data.destruction_forms import CorrectionForm, DeleteForm, ExecuteForm, ParentWithdrawForm
from domain import pd_destruction as rules
from domain.messages import N_, Refusal
from domain.working_days import official_days_off
from extensions import db
from models import Student, User
from models.pd_destruction import CalendarCorrection, DestructionTask
from models.personal_data import CONSENT_CATEGORIES, ConsentRecord
from utils import refusals
from utils.pd_access import personal_data_view, require
from utils.printouts import stored_path
from utils.timeutil import school_today
from utils.uploads import send_stored_file


def _actor() -> User:
    return current_user._get_current_object()


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


# --- A parent withdraws the consent for their own child -----------------------------------------


@bp.post("/my/consents/<int:consent_id>/withdraw")
@roles_required("parent")
def withdraw_own(consent_id: int):
    """The parent's withdrawal from their page, after the confirmation box: processing stops at
    once and the destruction task opens. Another family's sheet, or an id that is no sheet:
    refused with the reason, nothing changed."""
    form = ParentWithdrawForm()
    if not form.validate_on_submit():
        raise ops.FamilyRecordError(N_("Форма устарела: откройте страницу заново."))
    consent = db.session.get(ConsentRecord, consent_id)
    if consent is None or consent.school_id != current_user.school_id:
        raise Refusal(N_("Такого согласия нет: отозвать его нельзя."), status=404)
    if not policy.can_withdraw_own_consent(_actor(), consent):
        raise Refusal(N_("Это согласие не относится к вашим детям: отозвать его нельзя."), status=403)
    if not form.confirm.data:
        raise ops.FamilyRecordError(N_("Подтвердите отзыв согласия: отметьте флажок «Подтверждаю отзыв согласия»."))
    reason = (form.reason.data or "").strip() or _("Отозвано родителем в электронном дневнике")
    ops.withdraw_consent(consent, _actor(), reason)
    db.session.commit()
    flash(_("Согласие отозвано. Обработка персональных данных прекращена; данные будут уничтожены, "
            "об этом составят акт."), "success")
    return redirect(url_for("personal_data.my"))


# --- Destruction tasks ---------------------------------------------------------------------------


def _load_task(task_id: int) -> DestructionTask:
    task = db.session.get(DestructionTask, task_id, options=[
        joinedload(DestructionTask.student).joinedload(Student.current_class),
        joinedload(DestructionTask.consent), joinedload(DestructionTask.act),
        joinedload(DestructionTask.executed_by).lazyload(User.role_rows)])
    return policy.checked(task, policy.can_execute_destruction, _actor())


def _require_manager() -> None:
    if not policy.can_manage_destruction(_actor()):
        abort(403)


@bp.get("/destruction")
@login_required
@personal_data_view(*rules.DESTROYED_CATEGORIES)
def destruction_tasks():
    """The tasks: due date, working days left, overdue ones highlighted."""
    _require_manager()
    tasks = dops.tasks_of(current_user.school_id)
    require(_actor(), rules.DESTROYED_CATEGORIES, students=[t.student_id for t in tasks], what="destruction_tasks")
    today = _today()
    return render_template("personal_data/destruction.html", tasks=tasks, today=today,
                           left=dops.working_days_left(tasks, current_user.school_id, today))


@bp.route("/destruction/<int:task_id>", methods=["GET", "POST"])
@login_required
@personal_data_view(*rules.DESTROYED_CATEGORIES, all_of=True)
def destruction_task(task_id: int):
    """What will be destroyed and what is kept with the law's ground; execution after the
    confirmation produces the act."""
    task = _load_task(task_id)
    form = ExecuteForm()
    status = 200
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise dops.DestructionError(N_("Форма устарела: откройте страницу заново."))
            dops.execute(task, _actor(), bool(form.confirm.data))
            db.session.commit()
            flash(_("Данные уничтожены, акт об уничтожении составлен."), "success")
            return redirect(url_for("personal_data.destruction_task", task_id=task.id))
        except Refusal as refusal:
            flash(refusals.undo(refusal), "error")
            status = refusal.status
            task = _load_task(task_id)
    require(_actor(), rules.DESTROYED_CATEGORIES, students=[task.student_id], what=f"задача уничтожения № {task.id}",
            all_of=True)
    today = _today()
    return render_template(
        "personal_data/destruction_task.html", task=task, form=form, plan=dops.preview(task), today=today,
        left=dops.working_days_left([task], task.school_id, today).get(task.id), categories=CONSENT_CATEGORIES,
    ), status


@bp.get("/destruction/<int:task_id>/act")
@login_required
@personal_data_view(*rules.DESTROYED_CATEGORIES, all_of=True)
def destruction_act(task_id: int):
    """The certified act of destruction, as kept when it was printed."""
    task = _load_task(task_id)
    if task.act is None:
        abort(404)
    path = stored_path(task.act)
    if path is None:
        abort(404)
    require(_actor(), rules.DESTROYED_CATEGORIES, students=[task.student_id], action="download",
            what=f"акт об уничтожении, задача № {task.id}", all_of=True)
    db.session.commit()
    return send_stored_file(os.path.dirname(path), os.path.basename(path),
                            f"act-unichtozheniya-{task.id}.pdf", "application/pdf")


# --- The school's corrections of the production calendar -------------------------------------------


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    """The official days off of the year and the school's corrections (a transferred working
    Saturday, an extra day off), by which destruction deadlines are counted."""
    _require_manager()
    form = CorrectionForm()
    status = 200
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise dops.DestructionError(_first_error(form))
            dops.add_correction(current_user.school, form.day.data, form.is_working.data == "1",
                                form.note.data or "", _actor())
            db.session.commit()
            flash(_("Поправка календаря записана."), "success")
            return redirect(url_for("personal_data.calendar"))
        except Refusal as refusal:
            flash(refusals.undo(refusal), "error")
            status = refusal.status
    today = _today()
    return render_template("personal_data/calendar.html", form=form, delete_form=DeleteForm(),
                           corrections=dops.corrections_of(current_user.school_id),
                           official=official_days_off(today.year), year=today.year), status


@bp.post("/calendar/<int:correction_id>/delete")
@login_required
def calendar_delete(correction_id: int):
    _require_manager()
    correction = policy.checked(db.session.get(CalendarCorrection, correction_id), None, _actor())
    form = DeleteForm()
    if not form.validate_on_submit() or not form.confirm.data:
        raise dops.DestructionError(N_("Подтвердите удаление поправки: отметьте флажок рядом с кнопкой."))
    dops.remove_correction(correction, _actor())
    db.session.commit()
    flash(_("Поправка удалена."), "success")
    return redirect(url_for("personal_data.calendar"))


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if errors:
            field = getattr(form, name, None)
            label = field.label.text if field is not None and name != "csrf_token" else ""
            return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Проверьте поля формы.")
