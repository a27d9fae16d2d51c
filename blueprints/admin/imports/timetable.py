"""Loading the weekly timetable from a CSV or XLSX file (issue 10, item 4): upload, a preview
naming every bad row in Russian, then commit or cancel. All or nothing, as the people import
(ADM-4): a file with one bad row changes nothing."""
from __future__ import annotations

import csv
import io
import os
from datetime import date

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.admin import bp
from blueprints.admin.imports import pending as uploads
from blueprints.admin.imports import timetable_plan as importing
from blueprints.admin.imports.reading import import_limits, read_table
from blueprints.admin.people.forms import ConfirmForm
from blueprints.admin.timetable import operations as ops
from blueprints.admin.timetable.forms import TimetableImportForm
from blueprints.admin.timetable.operations import TimetableError
from blueprints.admin.timetable.views import editors_only
from domain import timetable as rules
from domain.messages import Refusal
from utils import spreadsheets


def _render_form(form: TimetableImportForm, status: int = 200):
    return render_template("admin/timetable_import.html", form=form, columns=importing.COLUMNS), status


@bp.route("/timetable/import", methods=["GET", "POST"])
@editors_only
def timetable_import():
    today = ops.today_of(current_user.school)
    if request.method == "GET":
        start = request.args.get("from", "")
        try:
            day = date.fromisoformat(start) if start else rules.next_monday(today)
        except ValueError:
            day = rules.next_monday(today)
        return _render_form(TimetableImportForm(formdata=None, valid_from=max(day, today)))
    form = TimetableImportForm()
    if not form.validate_on_submit():
        return _render_form(form, 400)
    day = form.valid_from.data
    try:
        ops.check_editable_from(day, today)
    except TimetableError as refusal:
        form.valid_from.errors.append(_(refusal.message, **refusal.params))
        return _render_form(form, 400)
    upload = form.file.data
    try:
        data = spreadsheets.read_upload(upload, import_limits())
        table = read_table(upload.filename or "", data, import_limits())
    except Refusal as refused:  # ImportFileError, TableRefused
        form.file.errors.append(_(refused.message, **refused.params))
        return _render_form(form, refused.status)
    records, ignored, errors = importing.records_from_table(table)
    token = ops.save_pending({
        "school_id": current_user.school_id,
        "user_id": current_user.id,
        "filename": os.path.basename(upload.filename or "")[:200],
        "valid_from": day.isoformat(),
        "records": records,
        "ignored": ignored,
        "file_errors": [[e.row, e.column, e.message] for e in errors],
    })
    return redirect(url_for("admin.timetable_import_preview", token=token))


def _day(pending: dict) -> date:
    return date.fromisoformat(pending["valid_from"])


def _plan(pending: dict):
    day = _day(pending)
    plan = importing.build_plan(
        pending["records"],
        ops.import_context(current_user.school, day),
        ignored_columns=pending.get("ignored", []),
        file_errors=[importing.RowError(*e) for e in pending.get("file_errors", [])],
    )
    return day, plan


def _gone() -> str:
    return _("Загруженный файл не найден: он уже загружен или устарел. Загрузите его снова.")


def _pending(token: str):
    return uploads.kept_or_flash(uploads.timetable_uploads, token, _gone())


def _render_preview(pending: dict, token: str, day: date, plan, status: int = 200):
    return render_template(
        "admin/timetable_import_preview.html", pending=pending, token=token, day=day, plan=plan, form=ConfirmForm(),
        classes=sorted({(r["class_name"]) for r in plan.rows}),
    ), status


@bp.get("/timetable/import/<token>")
@editors_only
def timetable_import_preview(token: str):
    pending = _pending(token)
    if pending is None:
        return redirect(url_for("admin.timetable_import"))
    day, plan = _plan(pending)
    return _render_preview(pending, token, day, plan)


@bp.post("/timetable/import/<token>")
@editors_only
def timetable_import_commit(token: str):
    school = current_user.school

    def run(pending, plan):
        day = _day(pending)
        return day, ops.apply_import(school, plan, day, ops.today_of(school), pending.get("filename", ""))

    def finish(done):
        day, count = done
        flash(_("Расписание загружено: уроков — %(n)s, действует с %(date)s.", n=count, date=day.strftime("%d.%m.%Y")),
              "success")
        return redirect(url_for("admin.timetable", **{"from": day.isoformat()}))

    return uploads.commit(
        uploads.timetable_uploads,
        token,
        back_url=url_for("admin.timetable_import"),
        gone=_gone(),
        plan=lambda pending: _plan(pending)[1],
        page=lambda pending, plan, status: _render_preview(pending, token, _day(pending), plan, status),
        run=run,
        finish=finish,
        refused=_("Загрузка невозможна: исправьте ошибки в файле и загрузите его снова. Ничего не изменено."),
        conflict=_("Расписание изменилось во время загрузки. Ничего не изменено; попробуйте ещё раз."),
    )


@bp.post("/timetable/import/<token>/cancel")
@editors_only
def timetable_import_cancel(token: str):
    return uploads.cancel(uploads.timetable_uploads, token, url_for("admin.timetable_import"))


@bp.get("/timetable/import-sample.csv")
@editors_only
def timetable_import_sample():
    """A sample file: the Russian headers and a few rows (UTF-8 with BOM and `;`, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c.title) for c in importing.COLUMNS])
    writer.writerows(importing.SAMPLE_ROWS)
    response = make_response("\ufeff" + out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=timetable-sample.csv"
    return response
