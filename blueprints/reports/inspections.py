"""Inspections of journal keeping (REP-3, 002:5.2-5.4): the methodist (weekly), the deputy
(monthly) and the director (quarterly) record an inspection of a chosen journal with remarks per
item and a deadline; the teacher of the journal marks a remark corrected (from the panel above
the grid, templates/journal/parts/inspection_remarks.html); the inspector confirms or returns
it. The list of inspections and the journals overdue for inspection by the schedule."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import queries as journal_queries
from blueprints.main import labels
from blueprints.reports import bp, inspections_operations, inspections_queries
from blueprints.reports.inspections_forms import InspectionForm
from domain import inspections as rules
from domain.messages import Refusal
from extensions import db
from models import Inspection, InspectionRemark, TeachingAssignment
from utils import refusals
from utils.forms import options
from utils.paging import page_number, paginate
from utils.timeutil import school_today

INSPECTIONS_PAGE_SIZE = 40

KIND_LABELS = labels.register("inspection_kind", {
    "methodist": _l("методист (еженедельно)"),
    "deputy": _l("заместитель директора (ежемесячно)"),
    "director": _l("директор (ежеквартально)"),
})
labels.register("remark_status", {
    "open": _l("к исправлению"),
    "corrected": _l("исправлено, ждёт подтверждения"),
    "confirmed": _l("подтверждено"),
})
labels.register("inspection_status", {"open": _l("замечания не закрыты"), "closed": _l("закрыта")})


# --- Loaders: by id, through policy.checked (STYLE convention 2) --------------------------------


def _inspection(inspection_id: int) -> Inspection:
    return policy.checked(inspections_queries.load_inspection(inspection_id), policy.can_view_inspection, current_user)


def _remark(remark_id: int, allowed) -> InspectionRemark:
    """A remark has no school of its own: its inspection's decides (404 for another school's)."""
    remark = inspections_queries.load_remark(remark_id)
    policy.checked(remark.inspection if remark is not None else None, None, current_user)
    return policy.checked(remark, allowed, current_user)


def _assignment(assignment_id: int) -> TeachingAssignment:
    return policy.checked(journal_queries.load_assignment(assignment_id), policy.can_record_inspection, current_user)


# --- Pages ---------------------------------------------------------------------------------------


@bp.get("/inspections")
@roles_required(*policy.JOURNAL_READER_ROLES)
def inspections():
    """The school's inspections, newest first, with the state of their remarks."""
    page = paginate(inspections_queries.inspections_query(current_user.school_id),
                    page_number(request.args.get("page")), INSPECTIONS_PAGE_SIZE)
    counts = inspections_queries.remark_counts([i.id for i in page.items])
    return render_template("reports/inspections.html", page=page, counts=counts,
                           can_inspect=policy.can_inspect_journals(current_user))


def _form() -> InspectionForm:
    form = InspectionForm()
    journals = inspections_queries.journals_for_choice(current_user.school_id)
    form.assignment_id.choices = options((a.id, f"{a.title} — {a.teacher.short_name}") for a in journals)
    form.kind.choices = options((k, KIND_LABELS[k]) for k in rules.inspector_kinds(current_user.roles))
    return form


@bp.get("/inspections/new")
@roles_required(*policy.INSPECTOR_ROLES)
def new_inspection():
    form = _form()
    if not form.is_submitted():
        form.date.data = school_today(current_user.school.timezone)
        form.assignment_id.data = request.args.get("assignment_id", type=int)
    return render_template("reports/inspection_new.html", form=form)


@bp.post("/inspections/new")
@roles_required(*policy.INSPECTOR_ROLES)
def create_inspection():
    form = _form()
    if not form.validate_on_submit():
        return render_template("reports/inspection_new.html", form=form), 400
    assignment = _assignment(form.assignment_id.data)
    try:
        inspection = inspections_operations.record_inspection(
            assignment, current_user, kind=form.kind.data, day=form.date.data,
            today=school_today(current_user.school.timezone), scope=form.scope.data or "",
            correct_by=form.correct_by.data, remarks=form.remark_rows(),
        )
        db.session.commit()
    except Refusal as error:
        flash(refusals.undo(error), "error")
        return render_template("reports/inspection_new.html", form=form), error.status
    flash(_("Проверка журнала записана."), "success")
    return redirect(url_for("reports.inspection", inspection_id=inspection.id), 303)


@bp.get("/inspections/<int:inspection_id>")
@login_required
def inspection(inspection_id: int):
    found = _inspection(inspection_id)
    return render_template(
        "reports/inspection.html", inspection=found,
        can_confirm=policy.can_confirm_remarks_of(current_user, found),
        can_correct=policy.can_correct_remarks_of(current_user, found.assignment),
    )


@bp.get("/inspections/overdue")
@roles_required(*policy.JOURNAL_READER_ROLES)
def overdue_inspections():
    """The journals nobody inspected in this week (methodist), month (deputy) or quarter
    (director), 002:5.2."""
    today = school_today(current_user.school.timezone)
    chosen = request.args.get("kind") if request.args.get("kind") in rules.KINDS else None
    rows = inspections_queries.overdue_journals(current_user.school_id, today)
    if chosen:  # one inspector's schedule only
        rows = [row for row in rows if chosen in row.overdue]
    windows = {kind: rules.window(kind, today) for kind in rules.KINDS}
    return render_template("reports/inspections_overdue.html", rows=rows, windows=windows, kinds=rules.KINDS,
                           chosen=chosen, can_inspect=policy.can_inspect_journals(current_user))


# --- Remarks: corrected by the teacher, confirmed or returned by the inspector -----------------


def _change(remark: InspectionRemark, action: str, back: str):
    try:
        inspections_operations.change_remark(remark, current_user, action)
        db.session.commit()
    except Refusal as error:
        return refusals.back_to(back, error)
    messages = {"correct": _("Замечание отмечено исправленным."), "confirm": _("Исправление подтверждено."),
                "return": _("Замечание возвращено на исправление.")}
    flash(messages[action], "success")
    return redirect(back, 303)


@bp.post("/remarks/<int:remark_id>/correct")
@login_required
def correct_remark(remark_id: int):
    remark = _remark(remark_id, policy.can_correct_remark)
    return _change(remark, "correct", url_for("journal.grid", assignment_id=remark.inspection.assignment_id))


@bp.post("/remarks/<int:remark_id>/confirm")
@login_required
def confirm_remark(remark_id: int):
    remark = _remark(remark_id, policy.can_confirm_remark)
    return _change(remark, "confirm", url_for("reports.inspection", inspection_id=remark.inspection_id))


@bp.post("/remarks/<int:remark_id>/return")
@login_required
def return_remark(remark_id: int):
    remark = _remark(remark_id, policy.can_confirm_remark)
    return _change(remark, "return", url_for("reports.inspection", inspection_id=remark.inspection_id))
