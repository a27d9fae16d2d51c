"""The people import (ADM-4): upload a list, check it in a preview, import all of it or nothing,
then print the new accounts' credential slips. The views of the subjects' and the timetable's
imports are beside this one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import policy
from blueprints.admin import bp
from blueprints.admin.common import admin_only
from blueprints.admin.imports import pending as uploads
from blueprints.admin.imports import people_operations as ops
from blueprints.admin.imports.reading import COLUMNS, KIND_LABELS, preview_table
from blueprints.admin.people import operations as people_ops
from blueprints.admin.people.forms import ConfirmForm, ImportForm
from blueprints.admin.people.views import actor, slips_pdf
from domain.messages import Refusal
from domain.personal_data import PARENTS_CATEGORIES, STUDENT_RECORD_CATEGORIES
from models import AuditEntry
from utils import pd_access, spreadsheets
from utils.pd_access import personal_data_view

# A list of people carries the students' records (1.1) and their parents (2.1): the import and
# what it shows afterwards need both in the director's order (PD-3).
IMPORT_CATEGORIES = tuple(sorted(STUDENT_RECORD_CATEGORIES | PARENTS_CATEGORIES))


def _render_import(form: ImportForm, status: int = 200):
    return render_template("admin/people/import.html", form=form, kind_labels=KIND_LABELS, columns=COLUMNS), status


@bp.route("/people/import", methods=["GET", "POST"])
@admin_only
@personal_data_view(*IMPORT_CATEGORIES, all_of=True)
def people_import():
    form = ImportForm()
    if request.method == "GET":
        return _render_import(form)
    if not form.validate_on_submit():
        return _render_import(form, 400)
    upload = form.file.data
    try:
        data = spreadsheets.read_upload(upload, ops.import_limits())
        token = ops.read_upload(
            form.kind.data,
            upload.filename or "",
            data,
            current_user.school,
            actor(),
            form.order_number.data or "",
            form.enrol_date.data,
        )
    except Refusal as refused:  # ImportFileError, TableRefused
        form.file.errors.append(_(refused.message, **refused.params))
        return _render_import(form, refused.status)
    return redirect(url_for("admin.people_import_preview", token=token))


def _gone() -> str:
    return _("Загруженный файл не найден: он уже импортирован или устарел. Загрузите его снова.")


def _pending_or_redirect(token: str):
    return uploads.kept_or_flash(uploads.people_uploads, token, _gone())


def _render_preview(pending, plan, token: str, status: int = 200):
    headers, rows = preview_table(plan)
    return render_template(
        "admin/people/preview.html",
        pending=pending,
        plan=plan,
        token=token,
        headers=headers,
        rows=rows,
        kind_label=KIND_LABELS[plan.kind],
        form=ConfirmForm(),
    ), status


@bp.get("/people/import/<token>")
@admin_only
@personal_data_view(*IMPORT_CATEGORIES, all_of=True)
def people_import_preview(token: str):
    pending = _pending_or_redirect(token)
    if pending is None:
        return redirect(url_for("admin.people_import"))
    return _render_preview(pending, ops.plan_pending(pending, current_user.school), token)


@bp.post("/people/import/<token>")
@admin_only
@personal_data_view(*IMPORT_CATEGORIES, all_of=True)
def people_import_commit(token: str):
    """All rows in one transaction or none; the rows are checked again against the database
    as it is now, and a commit of a file with errors is refused (004:3.1)."""
    school = current_user.school

    def finish(done):
        entry, count = done
        flash(_("Импорт выполнен: создано записей — %(n)s.", n=count), "success")
        return redirect(url_for("admin.people_import_result", entry_id=entry.id))

    return uploads.commit(
        uploads.people_uploads,
        token,
        back_url=url_for("admin.people_import"),
        gone=_gone(),
        plan=lambda pending: ops.plan_pending(pending, school),
        page=lambda pending, plan, status: _render_preview(pending, plan, token, status),
        run=lambda pending, plan: (ops.apply_import(school, plan, pending.get("filename", "")), len(plan.rows)),
        finish=finish,
        refused=_("Импорт невозможен: исправьте ошибки в файле и загрузите его снова. Ничего не изменено."),
        conflict=_(
            "Данные изменились во время импорта (например, логин или номер заняли). Ничего не изменено; попробуйте ещё раз."
        ),
    )


@bp.post("/people/import/<token>/cancel")
@admin_only
def people_import_cancel(token: str):
    return uploads.cancel(uploads.people_uploads, token, url_for("admin.people_import"))


@bp.get("/people/imports/<int:entry_id>")
@admin_only
@personal_data_view(*IMPORT_CATEGORIES, all_of=True)
def people_import_result(entry_id: int):
    entry = policy.load(AuditEntry, entry_id, policy.owns_import, current_user)
    users = ops.imported_users(entry)
    pd_access.require(current_user, IMPORT_CATEGORIES, all_of=True, what="admin.people_import_result")
    return render_template(
        "admin/people/import_result.html",
        entry=entry,
        users=users,
        form=ConfirmForm(),
        kind_label=KIND_LABELS.get((entry.after or {}).get("kind"), ""),
    )


@bp.post("/people/imports/<int:entry_id>/slips")
@admin_only
@personal_data_view(*IMPORT_CATEGORIES, all_of=True)
def people_import_slips(entry_id: int):
    entry = policy.load(AuditEntry, entry_id, policy.owns_import, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    users = [u for u in ops.imported_users(entry) if not u.is_blocked and policy.can_reset_password(current_user, u)]
    if not users:
        flash(_("Нет учётных записей для печати карточек."), "error")
        return redirect(url_for("admin.people_import_result", entry_id=entry.id))
    issued = people_ops.issue_passwords(users, _("Карточки доступа после импорта"), actor())
    return slips_pdf(issued, f"credentials-import-{entry.id}.pdf")
