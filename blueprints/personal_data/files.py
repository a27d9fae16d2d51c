"""The personal file (личное дело, REP-6, PD-8): a student's file page with the years written
into it, the button that fills (or, with a reason, refills) a year, the certified extract of
current marks for a student leaving mid-year, the previous school's statement of marks of a
student arriving, and the list of files not yet filled for the year. Who: the class teacher of
the student's class and the administrators (policy.can_manage_family_records), named in the
director's order for 1.1 and 4.3 (utils/pd_access.require logs every opening)."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

import policy
from blueprints.personal_data import bp
from blueprints.personal_data import files_operations as ops
from blueprints.personal_data.files_forms import FillForm, LeavingExtractForm, StatementForm
from blueprints.personal_data.files_labels import DECISION_LABELS  # noqa: F401  (the label filter's list)
from blueprints.personal_data.files_printing import leaving_extract
from domain import personal_files as rules
from domain.messages import Refusal
from domain.settings import school_settings
from extensions import db
from models import AcademicYear, Student, User
from models.personal_files import PreviousSchoolStatement
from models.year_closing import ensure_year_open
from utils import disclosures, pd_access, refusals
from utils.timeutil import school_today
from utils.uploads import send_stored_file

FILE = ("1.1", "4.3")


def _actor() -> User:
    return current_user._get_current_object()


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _load_student(student_id: int) -> Student:
    student = db.session.get(Student, student_id, options=[joinedload(Student.current_class),
                                                           joinedload(Student.school)])
    return policy.checked(student, policy.can_manage_family_records, _actor())


def _file_url(student: Student) -> str:
    return url_for("personal_data.personal_file", student_id=student.id)


def _render_file(student: Student, *, fill_form=None, extract_form=None, statement_form=None, status: int = 200):
    student = db.session.get(Student, student.id, options=[joinedload(Student.current_class)], populate_existing=True)
    user = _actor()
    year = ops.current_year(student.school_id)
    years = ops.file_years(student.id)
    current = ops.gather(student, year) if year is not None else None
    filled_now = next((e for e in years if year is not None and e.year_id == year.id), None)
    settings = school_settings(student.school.settings, current_app.config)
    due = rules.fill_date(year.end_date, settings.get("personal_file_fill_by")) if year is not None else None
    page = render_template(
        "personal_data/personal_file.html",
        student=student, year=year, years=years, current=current, filled_now=filled_now, due=due,
        current_copy=ops.shown_copy(current.copy) if current is not None else {},
        statements=ops.statements_of(student.id),
        fill_form=fill_form or FillForm(prefix="fill", year_id=year.id if year else ""),
        extract_form=extract_form or LeavingExtractForm(prefix="extract"),
        statement_form=statement_form or StatementForm(prefix="statement"),
        may_fill=year is not None and not year.is_closed,
        may_extract=year is not None and not student.is_withdrawn,
        may_admin=policy.can_administer(user),
    )
    return page, status


@bp.get("/students/<int:student_id>/file")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_file(student_id: int):
    """The personal file numbered by the alphabetical book: each year's marks, missed lessons
    and the council's decision as written, the current year's state, the statements."""
    student = _load_student(student_id)
    pd_access.require(_actor(), FILE, students=[student.id], action="view", what="personal file")
    page = _render_file(student)
    db.session.commit()  # the access log entry
    return page


@bp.post("/students/<int:student_id>/file/fill")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_file_fill(student_id: int):
    """Write the current year into the file (a frozen copy); a filled year only with a reason."""
    student = _load_student(student_id)
    pd_access.require(_actor(), FILE, students=[student.id], action="edit", what="personal file fill", all_of=True)
    form = FillForm(prefix="fill")
    try:
        if not form.validate_on_submit():
            raise Refusal(_("Форма устарела: обновите страницу."), 400)
        year = db.session.get(AcademicYear, int(form.year_id.data)) if (form.year_id.data or "").isdigit() else None
        if year is None or year.school_id != student.school_id:
            raise Refusal(_("Учебный год не найден."), 404)
        if year.is_closed:
            raise Refusal(_("Учебный год закрыт: личные дела этого года только для чтения."), 409)
        entry = ops.fill(student, year, _actor(), form.reason.data or "")
        db.session.commit()
    except Refusal as refusal:
        flash(refusals.undo(refusal), "error")
        return _render_file(student, fill_form=form, status=refusal.status)
    flash(_("Год %(y)s внесён в личное дело.", y=year.name) if entry.version == 1
          else _("Год %(y)s заполнен повторно; прежняя запись сохранена в истории.", y=year.name), "success")
    return redirect(_file_url(student), 303)


@bp.post("/students/<int:student_id>/file/leaving-extract")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_file_leaving_extract(student_id: int):
    """The certified extract of current marks of a student leaving mid-year (001:2.6.11),
    recorded in the disclosure register (PD-4)."""
    student = _load_student(student_id)
    pd_access.require(_actor(), FILE, students=[student.id], action="print", what="leaving extract", all_of=True)
    form = LeavingExtractForm(prefix="extract")
    year = ops.current_year(student.school_id)
    if not form.validate_on_submit() or year is None:
        db.session.rollback()
        flash(_("Укажите получателя и цель выдачи выписки."), "error")
        return _render_file(student, extract_form=form, status=400)
    recipient, purpose = form.recipient.data.strip(), form.purpose.data.strip()
    pdf, printout = leaving_extract(student, year, _actor(), _today(), recipient, purpose)
    disclosures.record(
        "print", document=_("Выписка текущих отметок (PDF), код %(code)s", code=printout.code),
        categories=FILE, students=[student.id], recipient=recipient, purpose=purpose,
        ground=_("273-ФЗ ст. 28 ч. 3 п. 11; приказ о порядке перевода обучающихся"), printout_id=printout.id,
    )
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="marks-extract-{student.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _statement_limit() -> int:
    return current_app.config.get("STATEMENT_MAX_BYTES") or current_app.config["MAX_CONTENT_LENGTH"]


@bp.post("/students/<int:student_id>/file/statements")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_file_statement_upload(student_id: int):
    """Attach the previous school's statement of marks (PDF/JPG/PNG, checked by its bytes)."""
    student = _load_student(student_id)
    pd_access.require(_actor(), FILE, students=[student.id], action="edit", what="previous school statement",
                      all_of=True)
    form = StatementForm(prefix="statement")
    files = ops.statement_files(current_app.config["UPLOAD_FOLDER"])
    try:
        if not form.validate_on_submit():
            errors = [e for field in (form.issued_by, form.issued_on) for e in field.errors]
            raise Refusal(str(errors[0]) if errors else _("Форма устарела: обновите страницу."), 400)
        upload = ops.check_statement(form.file.data, _statement_limit())
        ops.attach_statement(student, upload, form.issued_by.data, form.issued_on.data, files, _actor(), _today())
        db.session.commit()
        files.committed()
    except Refusal as refusal:
        files.rollback()
        flash(refusals.undo(refusal), "error")
        return _render_file(student, statement_form=form, status=refusal.status)
    flash(_("Ведомость предыдущей школы приложена к личному делу."), "success")
    return redirect(_file_url(student), 303)


@bp.get("/students/<int:student_id>/file/statements/<int:statement_id>")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_file_statement(student_id: int, statement_id: int):
    student = _load_student(student_id)
    statement = db.session.get(PreviousSchoolStatement, statement_id)
    if statement is None or statement.student_id != student.id:
        abort(404)
    pd_access.require(_actor(), FILE, students=[student.id], action="view", what="previous school statement")
    db.session.commit()
    folder = ops.statement_files(current_app.config["UPLOAD_FOLDER"]).directory
    return send_stored_file(folder, statement.file_path, statement.file_name, statement.file_mime)


@bp.get("/files/unfilled")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_files_unfilled():
    """The files not yet filled for the current year, by class, with what is still missing:
    class teachers their classes, administrators all."""
    user = _actor()
    if not policy.can_follow_consents(user):
        abort(403)
    year = ops.current_year(user.school_id)
    groups = ops.unfilled(user, year) if year is not None else []
    pd_access.require(user, FILE, students=[r.student.id for g in groups for r in g.students], what="files unfilled")
    settings = school_settings(user.school.settings, current_app.config)
    page = render_template(
        "personal_data/files_unfilled.html", year=year, groups=groups,
        total=sum(len(g.students) for g in groups),
        due=rules.fill_date(year.end_date, settings.get("personal_file_fill_by")) if year is not None else None,
        fill_form=FillForm(prefix="fill"),
        may_fill_all=policy.can_administer(user) and year is not None and not year.is_closed,
    )
    db.session.commit()
    return page


@bp.post("/files/unfilled/fill")
@login_required
@pd_access.personal_data_view(*FILE)
def personal_files_fill_ready():
    """An administrator fills every file of the current year that is ready (the same as the
    scheduled job on the school's date); filled years are not touched."""
    user = _actor()
    if not policy.can_administer(user):
        abort(403)
    pd_access.require(user, FILE, action="edit", what="personal files fill", all_of=True)
    form = FillForm(prefix="fill")
    year = ops.current_year(user.school_id)
    back = url_for("personal_data.personal_files_unfilled")
    if not form.validate_on_submit() or year is None:
        return refusals.back_to(back, Refusal(_("Форма устарела: обновите страницу."), 400))
    ensure_year_open(year)  # a closed year: the error page with the reason (409)
    result = ops.fill_ready(user.school, year, _today(), user, force_date=True)
    db.session.commit()
    flash(_("Внесено в личные дела: %(n)d; не готово: %(m)d.", n=result["filled"], m=result["not_ready"]), "success")
    return redirect(back, 303)
