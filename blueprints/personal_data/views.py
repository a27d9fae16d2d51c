"""Personal-data pages: consents and parents' applications (delivery of reports).

The class teacher or an administrator records the paper forms as handed in; a parent sees
their own application and the consent sheets they signed, read-only (PD-1, DIA-4)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import policy
from blueprints.auth.access import roles_required
from blueprints.main import labels
from blueprints.personal_data import bp
from blueprints.personal_data import operations as ops
from blueprints.personal_data.destruction_forms import ParentWithdrawForm
from blueprints.personal_data.forms import (
    ACCESS_LEVEL_LABELS,
    DELIVERY_LABELS,
    REPORT_DELIVERY_LABELS,
    SCOPE_LABELS,
    SIGNER_LABELS,
    ApplicationForm,
    ConsentForm,
    ScanForm,
    WithdrawForm,
)
from domain.messages import Refusal
from extensions import db
from models import Student, User
from models.personal_data import (
    CONSENT_ACTIONS,
    CONSENT_CATEGORIES,
    CONSENT_CATEGORY_GROUPS,
    ConsentRecord,
)
from utils import refusals
from utils.family import children_of
from utils.forms import options
from utils.pd_access import personal_data_view, require
from utils.timeutil import school_today
from utils.uploads import send_stored_file

# The consent sheet and the application name the student and the parents who signed them.
CONSENT_PAGE_CATEGORIES = ("1.1", "2.1")


def _actor() -> User:
    return current_user._get_current_object()


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _load_student(student_id: int) -> Student:
    """404 for a student of another school (or none), 403 when the user may not manage it."""
    # with the class its pages' heading names (_student_head.html), read before rendering
    student = db.session.get(Student, student_id, options=[joinedload(Student.current_class)])
    return policy.checked(student, policy.can_manage_family_records, _actor())


# `{{ code|label("access_level") }}` and the like (blueprints/main/labels.py)
labels.register("access_level", ACCESS_LEVEL_LABELS)
labels.register("delivery", DELIVERY_LABELS)
labels.register("report_delivery", REPORT_DELIVERY_LABELS)
labels.register("data_scope", SCOPE_LABELS)


def _labels() -> dict:
    return {
        "category_groups": CONSENT_CATEGORY_GROUPS,
        "categories": CONSENT_CATEGORIES,
        "actions": CONSENT_ACTIONS,
        "signer_labels": SIGNER_LABELS,
    }


def _parent_choices(student: Student):
    return options((p.id, p.full_name) for p in ops.linked_parents(student))


@bp.route("/students/<int:student_id>/consent", methods=["GET", "POST"])
@login_required
@personal_data_view(*CONSENT_PAGE_CATEGORIES)
def consent(student_id: int):
    """Record the consent sheet as ticked on paper, or withdraw the sheet in force."""
    student = _load_student(student_id)
    require(current_user, CONSENT_PAGE_CATEGORIES, students=[student.id], what="consent")
    form = ConsentForm(prefix="consent")
    form.given_by.choices = _parent_choices(student)
    withdraw_form = WithdrawForm(prefix="withdraw")
    scan_form = ScanForm(prefix="scan")
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "record")
        files = ops.scan_files(current_app.config["UPLOAD_FOLDER"])
        try:
            if action == "scan":
                if not scan_form.validate_on_submit():
                    raise ops.FamilyRecordError(_first_error(scan_form))
                record = _consent_of(student, scan_form.consent_id.data)
                ops.attach_scan(record, ops.check_scan(scan_form.scan.data, _scan_limit()), files, _actor())
                db.session.commit()
                files.committed()
                flash(_("Скан листа согласия приложен."), "success")
                return redirect(url_for("personal_data.consent", student_id=student.id))
            if action == "withdraw":
                if not withdraw_form.validate_on_submit():
                    raise ops.FamilyRecordError(_first_error(withdraw_form))
                record = _consent_of(student, withdraw_form.consent_id.data)
                ops.withdraw_consent(record, _actor(), withdraw_form.reason.data or "")
                db.session.commit()
                flash(_("Отзыв согласия записан. Обработка по этому согласию прекращена."), "success")
                return redirect(url_for("personal_data.consent", student_id=student.id))
            if not form.validate_on_submit():
                raise ops.FamilyRecordError(_first_error(form))
            scan = ops.check_scan(form.scan.data, _scan_limit())
            ops.record_consent(
                student,
                form.given_by.data,
                set(form.categories.data or []) | set(form.actions.data or []),
                form.given_on.data,
                form.valid_until.data,
                form.number.data or "",
                _actor(),
                _today(),
                confirm_replace=bool(form.confirm_replace.data),
                signer=form.signer.data or "parent",
                third_parties=form.third_parties.data or "",
                scan=scan,
                files=files,
            )
            db.session.commit()
            files.committed()
            flash(_("Лист согласия записан."), "success")
            return redirect(url_for("personal_data.consent", student_id=student.id))
        except Refusal as refusal:
            files.rollback()
            flash(refusals.undo(refusal), "error")
            status = refusal.status
    today = _today()
    records = ops.consents_of(student)
    current = next((c for c in records if c.is_in_force(today)), None)
    return (
        render_template(
            "personal_data/consent.html",
            student=student,
            form=form,
            withdraw_form=withdraw_form,
            scan_form=scan_form,
            records=records,
            current=current,
            today=today,
            destroy_by=ops.destroy_by(student.school, records),
            **_labels(),
        ),
        status,
    )


def _scan_limit() -> int:
    return current_app.config.get("CONSENT_SCAN_MAX_BYTES") or current_app.config["MAX_CONTENT_LENGTH"]


@bp.get("/consents/<int:consent_id>/scan")
@login_required
@personal_data_view(*CONSENT_PAGE_CATEGORIES)
def consent_scan(consent_id: int):
    """The scanned signed sheet, for those who may see the consent (never cached)."""
    record = db.session.get(ConsentRecord, consent_id, options=[joinedload(ConsentRecord.student)])
    record = policy.checked(record, policy.can_view_consent_scan, _actor())
    if not record.scan_path:
        abort(404)
    require(_actor(), CONSENT_PAGE_CATEGORIES, students=[record.student_id], action="view",
                      what="consent scan")
    folder = ops.scan_files(current_app.config["UPLOAD_FOLDER"]).directory
    return send_stored_file(folder, record.scan_path, record.scan_name or record.scan_path, record.scan_mime)


def _first_error(form) -> str:
    """The first message of an invalid form, with its field's label (flashed at the top)."""
    for name, errors in form.errors.items():
        if errors:
            field = getattr(form, name, None)
            label = field.label.text if field is not None and name != "csrf_token" else ""
            return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Проверьте поля формы.")


def _consent_of(student: Student, raw_id) -> ConsentRecord:
    try:
        consent_id = int(raw_id)
    except (TypeError, ValueError):
        raise ops.FamilyRecordError(_("Не выбрано согласие для отзыва.")) from None
    record = db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.id == consent_id, ConsentRecord.student_id == student.id)
    )
    return policy.checked(record, None, _actor())


@bp.route("/students/<int:student_id>/applications", methods=["GET", "POST"])
@login_required
@personal_data_view(*CONSENT_PAGE_CATEGORIES)
def applications(student_id: int):
    """Record a parent's application (Приложение 1): access level and form of delivery."""
    student = _load_student(student_id)
    require(current_user, CONSENT_PAGE_CATEGORIES, students=[student.id], what="applications")
    form = ApplicationForm()
    form.parent.choices = _parent_choices(student)
    status = 200
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise ops.FamilyRecordError(_first_error(form))
            ops.record_application(
                student,
                form.parent.data,
                form.submitted_on.data,
                form.access_level.data,
                form.delivery.data,
                form.email.data or "",
                form.scope.data or [],
                _actor(),
                _today(),
                confirm_replace=bool(form.confirm_replace.data),
            )
            db.session.commit()
            flash(_("Заявление записано."), "success")
            return redirect(url_for("personal_data.applications", student_id=student.id))
        except Refusal as refusal:
            flash(refusals.undo(refusal), "error")
            status = refusal.status
    today = _today()
    parents = ops.linked_parents(student)
    deliveries = [(parent, ops.report_delivery(parent, student, today)) for parent in parents]
    return (
        render_template(
            "personal_data/applications.html",
            student=student,
            form=form,
            records=ops.applications_of(student),
            deliveries=deliveries,
            today=today,
            **_labels(),
        ),
        status,
    )


@bp.get("/my")
@roles_required("parent")
def my():
    """A parent's own applications and the consent sheets for their children, read-only."""
    parent = _actor()
    today = _today()
    children = children_of(parent)
    rows = []
    for child in children:
        application = ops.current_application(parent.id, child.id, today)
        consent = ops.current_consent(child.id, today)
        rows.append(
            {
                "student": child,
                "application": application,
                "consent": consent,
                "delivery": ops.delivery_from(application, consent, today),
            }
        )
    return render_template("personal_data/my.html", rows=rows, today=today, withdraw_form=ParentWithdrawForm(),
                           **_labels())
