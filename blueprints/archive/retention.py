"""Retention and destruction acts (ARC-2): the proposals of the monthly job and the approved
acts, the director's approval (which alone destroys), the act's PDF and the legal hold of a
package. Thin views: retention_operations does the work."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

import policy
from blueprints.archive import bp
from blueprints.archive import retention_operations as ops
from blueprints.archive.retention_forms import ApproveForm, HoldForm
from blueprints.archive.retention_records import REGISTRY
from blueprints.main import labels
from domain import retention as rules
from domain.messages import N_
from extensions import db
from models import User
from models.archive import ArchivePackage
from models.retention import DestructionAct
from utils import refusals
from utils.printouts import stored_path
from utils.timeutil import school_today
from utils.uploads import send_stored_file

RETENTION_KIND_LABELS = {
    "journal": N_("классный журнал"),
    "summary_sheet": N_("сводная ведомость"),
    "personal_file": N_("личное дело"),
    "attestation_protocol": N_("протокол промежуточной аттестации"),
    "monitoring": N_("результаты мониторинга"),
    "state_exam_protocol": N_("протокол ГИА"),
    "certificate_book": N_("книга выдачи аттестатов"),
    "destruction_act": N_("акт об уничтожении"),
}
SKIP_LABELS = {
    "legal_hold": N_("удерживается (legal hold)"),
    "gone": N_("уже нет в архиве"),
    "not_due": N_("срок хранения ещё не истёк"),
}
ACT_STATUS_LABELS = {"proposed": N_("предложение (проект акта)"), "approved": N_("утверждён")}
labels.register("retention_kind", RETENTION_KIND_LABELS)
labels.register("record_kind", {code: kind.label for code, kind in REGISTRY.items()})
labels.register("retention_skip", SKIP_LABELS)
labels.register("destruction_act_status", ACT_STATUS_LABELS)


def _actor() -> User:
    return current_user._get_current_object()


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _require_viewer() -> None:
    if not policy.can_view_retention(_actor()):
        abort(403)


def _load_act(act_id: int) -> DestructionAct:
    act = db.session.get(DestructionAct, act_id, options=[
        selectinload(DestructionAct.approved_by).lazyload(User.role_rows), selectinload(DestructionAct.printout)])
    return policy.checked(act, lambda user, _act: policy.can_view_retention(user), _actor())


def _ends(packages: list[ArchivePackage]) -> dict[int, object]:
    overrides = ops.overrides(current_user.school)
    return {p.id: (rules.retention_ends(p.retention_kind, p.counted_from, overrides)
                   if p.retention_kind in rules.SCHEDULE else None) for p in packages}


@bp.get("/destruction")
@login_required
def destruction():
    """The proposals awaiting the director, the approved acts, and the packages with their
    retention end and legal hold."""
    _require_viewer()
    return _list_page()


COUNTED_FROM_LABELS = {
    "year_end": N_("с окончания учебного года"),
    "leaving": N_("с выбытия ученика"),
    "never": N_("постоянно"),
}


def _schedule() -> list[dict]:
    """Every kind of record with its period (the school's setting or the law's) and its ground."""
    overrides = ops.overrides(current_user.school)
    from blueprints.diary.wording import plural_ru

    rows = []
    for kind, (_years, start, ground) in rules.SCHEDULE.items():
        years = rules.years_for(kind, overrides)
        rows.append({"kind": kind, "years": years, "counted_from": start, "ground": ground,
                     "years_text": f"{years} " + plural_ru(years, _("год"), _("года"), _("лет"))})
    return rows


def _list_page(status: int = 200):
    packages = ops.packages_of(current_user.school_id)
    return render_template(
        "archive/destruction.html", acts=ops.acts_of(current_user.school_id), packages=packages,
        schedule=_schedule(), counted_from_labels=COUNTED_FROM_LABELS,
        ends=_ends(packages), hold_form=HoldForm(), today=_today(),
        may={"hold": policy.can_hold_package(_actor()), "approve": policy.can_approve_destruction_act(_actor())},
    ), status


@bp.route("/destruction/<int:act_id>", methods=["GET", "POST"])
@login_required
def destruction_act(act_id: int):
    """One act: the records it lists; the director approves it (after the confirmation) with
    the number, the date and the commission, and only then are the records destroyed."""
    act = _load_act(act_id)
    form = ApproveForm()
    status = 200
    if request.method == "POST":
        if not policy.can_approve_destruction_act(_actor(), act):
            abort(403)
        try:
            if not form.validate_on_submit():
                raise ops.RetentionError(N_("Форма устарела: откройте страницу заново."))
            paths = ops.approve(act, _actor(), form.number.data, form.act_date.data, form.commission.data or "",
                                bool(form.confirm.data), _today())
            db.session.commit()
            failed = ops.remove_paths(paths)
            if failed:
                flash(_("Не удалось удалить папки: %(paths)s. Удалите их вручную.", paths=", ".join(failed)), "error")
            flash(_("Акт утверждён, документы уничтожены."), "success")
            return redirect(url_for("archive.destruction_act", act_id=act_id))
        except ops.RetentionError as refusal:
            flash(refusals.undo(refusal), "error")
            status = refusal.status
            act = _load_act(act_id)
    elif not form.act_date.data:
        form.act_date.data = _today()
    return render_template(
        "archive/destruction_act.html", act=act, form=form, records=ops.shown(act.records),
        may={"approve": policy.can_approve_destruction_act(_actor(), act)},
    ), status


@bp.get("/destruction/<int:act_id>/pdf")
@login_required
def destruction_act_pdf(act_id: int):
    """The certified act, as kept when it was approved."""
    act = _load_act(act_id)
    path = stored_path(act.printout) if act.printout is not None else None
    if path is None:
        abort(404)
    return send_stored_file(os.path.dirname(path), os.path.basename(path), f"akt-unichtozheniya-{act.number}.pdf",
                            "application/pdf")


@bp.post("/packages/<int:package_id>/hold")
@login_required
def package_hold(package_id: int):
    """The director's legal hold (with its ground) or its release."""
    package = policy.checked(db.session.get(ArchivePackage, package_id), policy.can_hold_package, _actor())
    form = HoldForm()
    try:
        if not form.validate_on_submit():
            raise ops.RetentionError(N_("Форма устарела: откройте страницу заново."))
        ops.set_hold(package, _actor(), bool(form.hold.data), form.reason.data or "")
        db.session.commit()
    except ops.RetentionError as refusal:
        flash(refusals.undo(refusal), "error")
        return _list_page(refusal.status)
    flash(_("Пакет удерживается: он не будет уничтожен.") if package.legal_hold
          else _("Удержание снято."), "success")
    return redirect(url_for("archive.destruction"))
