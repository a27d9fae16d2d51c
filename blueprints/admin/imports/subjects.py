"""Export and import of the list of subjects (ADM-4): the file is checked as a whole and shown
before anything is written; a file with a bad row changes nothing (004:3.1)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from blueprints.admin import bp
from blueprints.admin.common import admin_only
from blueprints.admin.imports import pending as uploads
from blueprints.admin.imports import subjects_operations as lists
from blueprints.admin.imports.reading import import_limits
from blueprints.admin.people import operations as people_ops
from blueprints.admin.people.forms import ConfirmForm
from domain.messages import Refusal
from utils import spreadsheets

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SubjectsImportForm(FlaskForm):
    file = FileField(_l("Файл .xlsx или .csv"), validators=[FileRequired(_l("Выберите файл."))])


def _import_page(form: SubjectsImportForm | None = None, status: int = 200):
    return render_template(
        "admin/subjects_import.html", form=form or SubjectsImportForm(formdata=None), columns=lists.COLUMNS
    ), status


@bp.get("/subjects/export")
@admin_only
def subjects_export():
    fmt = request.args.get("fmt", "")
    if fmt not in FORMATS:
        flash(_("Неизвестный формат файла: выберите Excel (.xlsx) или CSV."), "error")
        return _import_page(status=400)
    table = lists.export_table(current_user.school)
    if fmt == "csv":
        data = people_ops.export_csv(table)
    else:
        data = people_ops.export_xlsx(table, _("Предметы"))
    response = make_response(data)
    response.headers["Content-Type"] = FORMATS[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="subjects.{fmt}"'
    return response


@bp.route("/subjects/import", methods=["GET", "POST"])
@admin_only
def subjects_import():
    if request.method == "GET":
        return _import_page()
    form = SubjectsImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 400)
    upload = form.file.data
    try:
        data = spreadsheets.read_upload(upload, import_limits())
        token = lists.read_upload(upload.filename or "", data, current_user.school, import_limits())
    except Refusal as refused:  # ImportFileError, TableRefused
        form.file.errors.append(_(refused.message, **refused.params))
        return _import_page(form, refused.status)
    return redirect(url_for("admin.subjects_import_preview", token=token))


def _gone() -> str:
    return _("Загруженный файл не найден: он уже импортирован или устарел. Загрузите его снова.")


def _pending(token: str):
    return uploads.kept_or_flash(uploads.subject_uploads, token, _gone())


def _preview(pending, plan: lists.SubjectPlan, token: str, status: int = 200):
    return render_template(
        "admin/subjects_preview.html", pending=pending, plan=plan, token=token, form=ConfirmForm()
    ), status


@bp.get("/subjects/import/<token>")
@admin_only
def subjects_import_preview(token: str):
    pending = _pending(token)
    if pending is None:
        return redirect(url_for("admin.subjects_import"))
    return _preview(pending, lists.plan_pending(pending, current_user.school), token)


@bp.post("/subjects/import/<token>")
@admin_only
def subjects_import_commit(token: str):
    """All rows in one transaction or none, checked again against the subjects as they are now."""
    school = current_user.school

    def finish(counts):
        flash(
            _("Импорт выполнен: добавлено — %(c)s, обновлено — %(u)s, без изменений — %(s)s.",
              c=counts["created"], u=counts["updated"], s=counts["unchanged"]),
            "success",
        )
        return redirect(url_for("admin.subjects"))

    return uploads.commit(
        uploads.subject_uploads,
        token,
        back_url=url_for("admin.subjects_import"),
        gone=_gone(),
        plan=lambda pending: lists.plan_pending(pending, school),
        page=lambda pending, plan, status: _preview(pending, plan, token, status),
        run=lambda pending, plan: lists.apply_plan(school, plan, pending.get("filename", "")),
        finish=finish,
        refused=_("Импорт невозможен: исправьте ошибки в файле и загрузите его снова. Ничего не изменено."),
        conflict=_("Список предметов изменился во время импорта. Ничего не изменено; попробуйте ещё раз."),
    )


@bp.post("/subjects/import/<token>/cancel")
@admin_only
def subjects_import_cancel(token: str):
    return uploads.cancel(uploads.subject_uploads, token, url_for("admin.subjects_import"))
