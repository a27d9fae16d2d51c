"""The subjects' requests (PD-7; 152-ФЗ art. 14): a parent's page of everything held about
each own child, with a correction request and an extract; the class teacher's and the
administrators' list of correction requests, applied or rejected within a month."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

import policy
from blueprints.auth.access import roles_required
from blueprints.main import labels
from blueprints.personal_data import bp
from blueprints.personal_data import requests_operations as ops
from domain import pd_requests as rules
from domain import personal_data as pd
from domain.messages import Refusal
from extensions import db
from models import Student
from models.pd_requests import CorrectionRequest, SubjectRequest
from utils import pd_access, refusals
from utils.printouts import Signer, certified_pdf, director_signer
from utils.timeutil import school_today

labels.register("pd_field", ops.FIELD_LABELS)
labels.register("correction_status", ops.STATUS_LABELS)
# The corrections list shows the fields of the record and of the card.
CORRECTION_CATEGORIES = tuple(sorted({"1.1", *pd.PROFILE_FIELDS.values()}))


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _own_child(student_id: int) -> Student:
    """404 for no such student or another school's; 403 unless the parent's own child."""
    student = db.session.get(Student, student_id, options=[joinedload(Student.current_class)])
    return policy.checked(student, policy.can_request_about_child, current_user._get_current_object())


@bp.get("/my/students/<int:student_id>")
@roles_required("parent")
@pd_access.personal_data_view(*ops.EXTRACT_CATEGORIES)
def my_child(student_id: int):
    """«Данные о ребёнке»: everything held about the child (152-ФЗ art. 14)."""
    student = _own_child(student_id)
    parent = current_user._get_current_object()
    pd_access.require(parent, ops.EXTRACT_CATEGORIES, students=[student.id], action="view", what=_("Данные о ребёнке"))
    data = ops.child_data(student)
    html = render_template(
        "personal_data/my_child.html", data=data, fields=ops.FIELD_LABELS, profile_fields=ops.PROFILE_FIELD_LABELS,
        today=_today(), days_left=rules.days_left, form=request.args,
    )
    db.session.commit()  # the access log entry
    return html


@bp.post("/my/students/<int:student_id>/corrections")
@roles_required("parent")
@pd_access.personal_data_view(*ops.EXTRACT_CATEGORIES)
def my_child_correction(student_id: int):
    student = _own_child(student_id)
    try:
        ops.request_correction(
            current_user._get_current_object(), student, field_name=request.form.get("field", ""),
            value=request.form.get("value", ""), comment=request.form.get("comment", ""), today=_today(),
        )
    except Refusal as refusal:
        message = refusals.undo(refusal)
        data = ops.child_data(student)
        return render_template(
            "personal_data/my_child.html", data=data, fields=ops.FIELD_LABELS, profile_fields=ops.PROFILE_FIELD_LABELS,
            today=_today(), days_left=rules.days_left, form=request.form, error=message,
        ), refusal.status
    db.session.commit()
    flash(_("Запрос на исправление отправлен. Срок рассмотрения — один месяц."), "success")
    return redirect(url_for("personal_data.my_child", student_id=student.id), 303)


@bp.post("/my/students/<int:student_id>/extract")
@roles_required("parent")
@pd_access.personal_data_view(*ops.EXTRACT_CATEGORIES)
def my_child_extract(student_id: int):
    """The extract is asked for and given at once (the request is kept with its due date)."""
    student = _own_child(student_id)
    subject_request = ops.ask_extract(current_user._get_current_object(), student, _today())
    db.session.commit()
    flash(_("Выписка готова: скачайте её в формате PDF или JSON."), "success")
    return redirect(url_for("personal_data.my_child", student_id=student.id, extract=subject_request.id) + "#extract", 303)


def _own_request(request_id: int) -> SubjectRequest:
    found = db.session.get(SubjectRequest, request_id)
    found = policy.checked(found, None, current_user._get_current_object())
    if found.requested_by_id != current_user.id:
        abort(403)
    _own_child(found.student_id)
    return found


@bp.get("/my/requests/<int:request_id>/extract.<fmt>")
@roles_required("parent")
@pd_access.personal_data_view(*ops.EXTRACT_CATEGORIES)
def my_extract(request_id: int, fmt: str):
    if fmt not in ("pdf", "json"):
        abort(404)
    subject_request = _own_request(request_id)
    student = _own_child(subject_request.student_id)
    parent = current_user._get_current_object()
    pd_access.require(parent, ops.EXTRACT_CATEGORIES, students=[student.id], action="extract", what=_("Выписка о ПДн"))
    data = ops.child_data(student)
    if fmt == "json":
        body, mimetype = ops.extract_json(data), "application/json"
    else:
        body, _printout = certified_pdf(
            "pdf/pd_extract.html", kind="pd_extract", title=_("Выписка о персональных данных обучающегося"),
            period=student.full_name, signers=[director_signer(student.school), Signer(_("Получил(а)"), parent.short_name)],
            user=parent, of={"student_id": student.id, "request_id": subject_request.id},
            data=data, extract=ops.extract_dict(data), fields=ops.FIELD_LABELS,
        )
        mimetype = "application/pdf"
    db.session.commit()
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="extract-{subject_request.id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# The staff's side: the correction requests -------------------------------------------------


def _handler():
    user = current_user._get_current_object()
    if not policy.can_handle_corrections(user):
        abort(403)
    return user


@bp.get("/corrections")
@login_required
@pd_access.personal_data_view(*CORRECTION_CATEGORIES)
def corrections():
    user = _handler()
    rows = ops.corrections_for(user, administrator=policy.can_administer(user))
    pd_access.require(user, CORRECTION_CATEGORIES, students={c.student_id for c in rows}, action="view",
                      what=_("Запросы на исправление ПДн"))
    html = render_template("personal_data/corrections.html", rows=rows, today=_today(), days_left=rules.days_left)
    db.session.commit()  # the access log entry
    return html


def _correction(correction_id: int) -> CorrectionRequest:
    correction = db.session.get(
        CorrectionRequest, correction_id,
        options=[joinedload(CorrectionRequest.student).joinedload(Student.current_class)],
    )
    correction = policy.checked(correction, None, current_user._get_current_object())
    if not policy.can_decide_correction(current_user._get_current_object(), correction.student):
        abort(403)
    return correction


@bp.post("/corrections/<int:correction_id>/apply")
@login_required
@pd_access.personal_data_view(*CORRECTION_CATEGORIES)
def correction_apply(correction_id: int):
    user = _handler()
    correction = _correction(correction_id)
    pd_access.require(user, {ops.field_category(correction.field)}, students=[correction.student_id], action="edit",
                      what=_("Исправление ПДн"), all_of=True)
    try:
        ops.apply_correction(correction, user)
    except Refusal as refusal:
        return refusals.back_to(url_for("personal_data.corrections"), refusal)
    db.session.commit()
    flash(_("Исправление внесено."), "success")
    return redirect(url_for("personal_data.corrections"), 303)


@bp.post("/corrections/<int:correction_id>/reject")
@login_required
@pd_access.personal_data_view(*CORRECTION_CATEGORIES)
def correction_reject(correction_id: int):
    user = _handler()
    correction = _correction(correction_id)
    try:
        ops.reject_correction(correction, user, request.form.get("reason", ""))
    except Refusal as refusal:
        return refusals.back_to(url_for("personal_data.corrections"), refusal)
    db.session.commit()
    flash(_("Запрос отклонён."), "success")
    return redirect(url_for("personal_data.corrections"), 303)
