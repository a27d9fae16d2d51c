"""State exam results (JRN-11, 001:2.8.3-2.8.5) for the academic office (director, deputy,
journal administrator): the results and final marks of a grade 9 or 11 class, the entry of a
subject's results by hand, and the import of a protocol (CSV/XLSX) through a preview with every
error of every row, all or nothing. Use cases in exams_operations.py, rules in domain/exams.py."""
from __future__ import annotations

import base64
import os

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

import policy
from blueprints.admin.imports import pending as uploads
from blueprints.admin.imports.reading import import_limits
from blueprints.admin.people.forms import ConfirmForm
from blueprints.main import labels
from blueprints.reports import bp
from blueprints.reports import exams_operations as ops
from domain import exams as rules
from domain.messages import Refusal
from domain.personal_data import MARKS_CATEGORIES
from extensions import db
from models import ClassGroup
from utils import pd_access, spreadsheets
from utils.pd_access import personal_data_view

labels.register("exam_kind", rules.KIND_LABELS)
exam_uploads = uploads.PendingUploads("exam-imports")


class ProtocolForm(FlaskForm):
    file = FileField(_l("Протокол: файл .xlsx или .csv"), validators=[FileRequired(_l("Выберите файл."))])


def _office() -> None:
    if not policy.can_manage_exam_results(current_user):
        abort(403)


def _class_group(class_id: int) -> ClassGroup:
    found = ops.load_class(class_id)
    class_group = policy.checked(found, policy.can_manage_class_exam_results, current_user)
    if class_group.grade not in ops.EXAM_GRADES:
        abort(404)
    return class_group


@bp.get("/exams")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def exams_index():
    """The exam results and final marks of one class (and one subject, if chosen)."""
    _office()
    classes = ops.exam_classes(current_user.school_id)
    class_group = None
    wanted = request.args.get("class_id", "")
    if wanted:
        if not wanted.isdigit():
            abort(400)
        class_group = next((c for c in classes if c.id == int(wanted)), None)
        if class_group is None:
            abort(404)
    elif classes:
        class_group = classes[0]
    subject_id = request.args.get("subject_id", "")
    if subject_id and not subject_id.isdigit():
        abort(400)
    rows, subjects = [], []
    rule = ops.final_mark_rule(current_user.school)
    if class_group is not None:
        students = ops.class_students(class_group)
        pd_access.require(current_user, MARKS_CATEGORIES, students=[s.id for s in students], what="reports.exams")
        subjects = ops.class_subjects(class_group)
        ids = [s.id for s in students]
        rows = ops.final_rows(students, {s.id: s.name for s in subjects}, ops.year_marks(ids, class_group.year_id),
                              ops.results_of(ids, class_group.year_id), rule,
                              only_subject=int(subject_id) if subject_id else None)
    return render_template(
        "reports/exams.html", classes=classes, class_group=class_group, subjects=subjects,
        subject_id=int(subject_id) if subject_id else None, rows=rows, rule=rule,
        kinds=rules.kinds_for_grade(class_group.grade) if class_group else (),
    )


def _entry_lines(students) -> list[ops.EntryLine]:
    return [ops.EntryLine(s.id, request.form.get(f"p_{s.id}", "").strip()[:10], request.form.get(f"t_{s.id}", "").strip()[:10],
                          request.form.get(f"m_{s.id}", "").strip()[:10], request.form.get(f"min_{s.id}", "").strip()[:10])
            for s in students]


@bp.route("/exams/classes/<int:class_id>/entry", methods=["GET", "POST"])
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def exams_entry(class_id: int):
    """One subject's results of one exam for the whole class, typed from the protocol."""
    class_group = _class_group(class_id)
    students = ops.class_students(class_group)
    pd_access.require(current_user, MARKS_CATEGORIES, students=[s.id for s in students], what="reports.exams_entry")
    subjects = ops.class_subjects(class_group)
    kinds = rules.kinds_for_grade(class_group.grade)
    source = request.form if request.method == "POST" else request.args
    subject_text, kind = source.get("subject_id", ""), source.get("kind", "") or kinds[0]
    subject = next((s for s in subjects if str(s.id) == subject_text), None)
    if subject_text and subject is None:
        abort(404)
    if kind not in kinds:
        abort(400)
    exam_date = source.get("exam_date", "").strip()[:20]
    form = ConfirmForm()
    status, error = 200, ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        lines = _entry_lines(students)
        try:
            if subject is None:
                raise Refusal(_("Выберите предмет."))
            stored = ops.save_entry(class_group, subject, kind, exam_date, lines, current_user)
            db.session.commit()
        except Refusal as refused:
            db.session.rollback()
            status, error = refused.status, _(refused.message, **refused.params)
        else:
            flash(_("Результаты сохранены: %(n)s.", n=stored), "success")
            return redirect(url_for("reports.exams_index", class_id=class_group.id, subject_id=subject.id)), 303
    else:
        lines = [ops.EntryLine(s.id) for s in students]
        if subject is not None:
            for r in ops.results_of([s.id for s in students], class_group.year_id):
                if r.subject_id == subject.id and r.kind == kind:
                    line = next(x for x in lines if x.student_id == r.student_id)
                    line.primary = "" if r.primary_score is None else str(r.primary_score)
                    line.test = "" if r.test_score is None else str(r.test_score)
                    line.mark = r.mark or ""
                    line.min_score = "" if r.min_score is None or kind not in rules.SCORED_ONLY else str(r.min_score)
            if exam_date == "":
                dates = [r.exam_date for r in ops.results_of([s.id for s in students], class_group.year_id)
                         if r.subject_id == subject.id and r.kind == kind and r.exam_date]
                exam_date = dates[0].strftime("%d.%m.%Y") if dates else ""
    return render_template(
        "reports/exams_entry.html", class_group=class_group, subjects=subjects, subject=subject, kinds=kinds,
        kind=kind, exam_date=exam_date, rows=list(zip(students, lines, strict=True)), form=form, error=error,
        scored_only=kind in rules.SCORED_ONLY,
    ), status


# The import of a protocol -------------------------------------------------------------------


def _gone() -> str:
    return _("Загруженный протокол не найден: он уже импортирован или устарел. Загрузите его снова.")


@bp.route("/exams/import", methods=["GET", "POST"])
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def exams_import():
    _office()
    form = ProtocolForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            upload = form.file.data
            try:
                data = spreadsheets.read_upload(upload, import_limits())
                table = ops.read_protocol(upload.filename or "", data)
                records, _ignored, file_errors = ops.table_records(ops.COLUMNS, table)
                if file_errors:
                    raise Refusal(_("Протокол не прочитан: %(e)s", e=" ".join(
                        (f"{e.column}: " if e.column else "") + e.message for e in file_errors)))
            except Refusal as refused:  # ImportFileError, TableRefused
                form.file.errors = list(form.file.errors) + [_(refused.message, **refused.params)]
                status = refused.status
            else:
                token = exam_uploads.save({
                    "school_id": current_user.school_id, "user_id": current_user.id,
                    "filename": os.path.basename(upload.filename or "")[:200], "table": table,
                    # the file itself, kept with the results when imported (001:2.8.5)
                    "file_b64": base64.b64encode(data).decode("ascii"),
                })
                return redirect(url_for("reports.exams_import_preview", token=token)), 303
    return render_template("reports/exams_import.html", form=form, columns=ops.COLUMNS,
                           protocols=ops.protocol_files(current_user.school_id)), status


def _render_preview(pending, plan, token: str, status: int = 200):
    return render_template("reports/exams_import_preview.html", pending=pending, plan=plan, token=token,
                           rows=ops.preview_rows(plan), form=ConfirmForm()), status


@bp.get("/exams/import/<token>")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def exams_import_preview(token: str):
    _office()
    pending = uploads.kept_or_flash(exam_uploads, token, _gone())
    if pending is None:
        return redirect(url_for("reports.exams_import"))
    plan = ops.plan_pending(pending, current_user.school)
    pd_access.require(current_user, MARKS_CATEGORIES, students=[r["student_id"] for r in plan.rows],
                      what="reports.exams_import_preview")
    return _render_preview(pending, plan, token)


@bp.post("/exams/import/<token>")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def exams_import_commit(token: str):
    """All rows in one transaction or none, checked again against the database as it is now."""
    _office()
    school = current_user.school
    store = ops.protocol_store()
    committed = []

    def finish(count):
        committed.append(True)
        flash(_("Протокол импортирован: результатов — %(n)s.", n=count), "success")
        return redirect(url_for("reports.exams_index")), 303

    def run(pending, plan):
        count = ops.apply_import(school, plan, pending.get("filename", ""), current_user)
        ops.keep_protocol_file(school, plan, pending.get("filename", ""),
                               base64.b64decode(pending.get("file_b64") or ""), current_user, store)
        return count

    try:
        return _commit_import(token, school, run, finish)
    finally:
        if not committed:
            store.rollback()  # an import refused or rolled back keeps no file


def _commit_import(token: str, school, run, finish):
    return uploads.commit(
        exam_uploads, token,
        back_url=url_for("reports.exams_import"),
        gone=_gone(),
        plan=lambda pending: ops.plan_pending(pending, school),
        page=lambda pending, plan, status: _render_preview(pending, plan, token, status),
        run=run,
        finish=finish,
        refused=_("Импорт невозможен: исправьте ошибки в протоколе и загрузите его снова. Ничего не изменено."),
        conflict=_("Результаты изменились во время импорта. Ничего не изменено; попробуйте ещё раз."),
    )


@bp.post("/exams/import/<token>/cancel")
@login_required
def exams_import_cancel(token: str):
    _office()
    return uploads.cancel(exam_uploads, token, url_for("reports.exams_import"))




@bp.get("/exams/protocols/<int:protocol_id>")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def exams_protocol_file(protocol_id: int):
    """An imported protocol as uploaded, kept 5 years (001:2.8.5); gone once destroyed by an act."""
    from blueprints.archive.retention_records import exam_protocol_path
    from models.year_archive import StateExamProtocolFile
    from utils.uploads import send_stored_file

    _office()
    protocol = policy.checked(db.session.get(StateExamProtocolFile, protocol_id), None, current_user)
    path = exam_protocol_path(protocol.stored_name) if protocol.status == "kept" else None
    if path is None or not os.path.isfile(path):
        abort(404)
    return send_stored_file(os.path.dirname(path), os.path.basename(path), protocol.original_name,
                            protocol.content_type)
