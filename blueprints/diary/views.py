"""The diary of students and parents (DIA-1 … DIA-5, ADM-9): thin views over
blueprints/diary/queries.py (plain data) and operations.py (absence notes).

Every view that takes a student, a class or a note loads it through one helper here, which
answers 404 for an unknown object or one of another school and 403 unless policy allows."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import policy
from blueprints.auth.access import roles_required
from blueprints.diary import bp, operations, queries
from blueprints.diary.forms import REASON_LABELS, STATUS_LABELS, AbsenceNoteForm, DecisionForm
from blueprints.diary.wording import forecast_phrase
from blueprints.journal import clubs_queries
from blueprints.journal.lessons_operations import HOMEWORK_SUBFOLDER
from blueprints.main import labels
from domain.messages import Refusal
from domain.periods import current_period
from domain.settings import school_settings
from extensions import db
from models import ClassGroup, Homework, HomeworkFile, ParentLink, Student
from models.diary import AbsenceNote
from utils import refusals
from utils.timeutil import school_today
from utils.uploads import send_stored_file

# `{{ note.reason|label("note_reason") }}` (blueprints/main/labels.py)
labels.register("note_reason", REASON_LABELS)
labels.register("note_status", STATUS_LABELS)


# --- Loading objects: 404 for unknown or another school's, 403 by policy -----------------------


def _load_student(student_id: int) -> Student:
    student = db.session.scalar(
        select(Student).where(Student.id == student_id).options(joinedload(Student.current_class))
    )
    return policy.checked(student, policy.can_view_student, current_user)


def _load_class(class_id: int) -> ClassGroup:
    return policy.checked(db.session.get(ClassGroup, class_id), policy.can_view_class_absence_notes, current_user)


def _load_note(note_id: int, allowed) -> AbsenceNote:
    note = db.session.scalar(
        select(AbsenceNote)
        .where(AbsenceNote.id == note_id)
        .options(joinedload(AbsenceNote.student).joinedload(Student.current_class))
    )
    return policy.checked(note, allowed, current_user)


def _bad_request(message: str):
    return render_template("errors/error.html", code=400, message=message), 400


def _date_arg(name: str) -> date | None:
    """A date from the query string; None when absent; ValueError when malformed."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    return date.fromisoformat(raw)


def _period_arg() -> int | None:
    raw = request.args.get("period", "").strip()
    if not raw:
        return None
    return int(raw)


def _family() -> list[Student]:
    """The children whose diary the user reads as family: themselves, or their own children."""
    # Two indexed lookups (the student's own account, the parent's links) instead of an OR over
    # an outer join, which scans every school's students and links (bench/README.md, finding 5).
    own = select(Student.id).where(Student.user_id == current_user.id)
    children = select(ParentLink.student_id).where(ParentLink.parent_id == current_user.id)
    return list(
        db.session.scalars(
            select(Student)
            .where(Student.school_id == current_user.school_id, Student.id.in_(own.union(children)))
            .options(selectinload(Student.current_class))
            .order_by(Student.last_name, Student.first_name, Student.id)
        )
    )


def _page(template: str, student: Student, section: str, **context):
    """Render a diary page with the tabs of the user's children and the section menu."""
    children = _family() if current_user.has_role("parent", "student") else []
    may_see_notes = policy.can_submit_absence_note(current_user, student) or (
        student.current_class is not None and policy.can_view_class_absence_notes(current_user, student.current_class)
    )
    return render_template(
        template,
        student=student,
        children=children,
        section=section,
        may_see_notes=may_see_notes,
        # the school's own notations («Н», «Б», … unless it changed them), as the journal shows them
        notations=school_settings(student.school.settings)["notations"],
        **context,
    )


def _today() -> date:
    return school_today(current_user.school.timezone)


# --- Pages -------------------------------------------------------------------------------------


@bp.get("/")
@roles_required("student", "parent")
def index():
    """The children whose diary this user may read: themselves, or their own children."""
    # a parent reads and may withdraw the consent sheets from here (PD-2, «in the diary»)
    return render_template("diary/index.html", children=_family(), today=_today(),
                           is_parent=current_user.has_role("parent"))


@bp.get("/students/<int:student_id>/week")
@login_required
def week(student_id: int):
    student = _load_student(student_id)
    try:
        day = _date_arg("date") or _today()
    except ValueError:
        return _bad_request(_("Дата указана неверно: нужна дата в виде ГГГГ-ММ-ДД."))
    data = queries.week_data(student, day)
    phrases = {s.subject_name: forecast_phrase(s.forecast) for s in data.subjects}
    return _page("diary/week.html", student, "week", data=data, today=_today(), phrases=phrases,
                 clubs=clubs_queries.diary_pages(student))


@bp.get("/students/<int:student_id>/weekly-report")
@login_required
def weekly_report(student_id: int):
    """The weekly report of one student as a PDF (the page parents without electronic access
    receive on paper, 003:2.6): the week of ?date=, or the last complete week."""
    from jobs.weekly_reports import page_data, render_page_html, report_certificate, report_week
    from models.base import utcnow
    from utils.pdf import html_to_pdf
    from utils.printouts import record_printout

    student = _load_student(student_id)
    try:
        day = _date_arg("date")
    except ValueError:
        return _bad_request(_("Дата указана неверно: нужна дата в виде ГГГГ-ММ-ДД."))
    school = student.school
    monday = day - timedelta(days=day.weekday()) if day else report_week(utcnow(), school.timezone)[0]
    page = page_data(queries.week_data(student, monday), school, school_settings(school.settings), utcnow())
    recipient = current_user.full_name if current_user.has_role("parent") else ""
    # A certified printout (REP-4): whoever opens it, the copy carries a code and is recorded.
    cert = report_certificate(page, school, utcnow(), current_user.id if recipient else None,
                              current_app.config["SCHOOL_TIMEZONE"])
    cert.of["class_id"] = student.current_class_id
    pdf = html_to_pdf(render_page_html(current_app._get_current_object(), page, recipient, cert),
                      current_app.static_folder)
    printout = record_printout(pdf, cert, current_user)
    # A print of the child's marks and attendance is a disclosure (PD-4, 000:5.5.4).
    from jobs.weekly_reports import DISCLOSURE_CATEGORIES, DISCLOSURE_REASON
    from utils import disclosures

    disclosures.record(
        "print", document=_("Еженедельный отчёт за неделю с %(d)s", d=monday.strftime("%d.%m.%Y")),
        categories=DISCLOSURE_CATEGORIES, students=[student.id], recipient=recipient or current_user.full_name,
        purpose=DISCLOSURE_REASON, ground=_("заявление родителя (003 Приложение 1)"), printout_id=printout.id,
    )
    db.session.commit()
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="weekly-report-{monday.isoformat()}.pdf"'
    return response


@bp.get("/students/<int:student_id>/schedule")
@login_required
def schedule(student_id: int):
    student = _load_student(student_id)
    try:
        day = _date_arg("date") or _today()
    except ValueError:
        return _bad_request(_("Дата указана неверно: нужна дата в виде ГГГГ-ММ-ДД."))
    monday = queries.monday_of(day)
    days = queries.week_timetable(student, monday)
    return _page("diary/schedule.html", student, "schedule", days=days, monday=monday, today=_today(),
                 previous_monday=monday - timedelta(days=7), next_monday=monday + timedelta(days=7))


def _period_context(student: Student):
    """The class's periods and the chosen one (?period=, else the one of today)."""
    periods = queries.class_periods(student.current_class)
    try:
        wanted = _period_arg()
    except ValueError:
        abort(400)
    period = current_period(periods, _today(), wanted)
    if wanted is not None and period is None:
        abort(404)
    return periods, period


@bp.get("/students/<int:student_id>/marks")
@login_required
def marks(student_id: int):
    student = _load_student(student_id)
    periods, period = _period_context(student)
    subjects = queries.marks_data(student, period) if period else []
    phrases = {s.subject_name: forecast_phrase(s.forecast) for s in subjects}
    return _page("diary/marks.html", student, "marks", periods=periods, period=period, subjects=subjects, phrases=phrases)


@bp.get("/students/<int:student_id>/attendance")
@login_required
def attendance(student_id: int):
    student = _load_student(student_id)
    periods, period = _period_context(student)
    summary = queries.attendance_summary(student, period)
    return _page("diary/attendance.html", student, "attendance", periods=periods, period=period, summary=summary)


@bp.get("/students/<int:student_id>/results")
@login_required
def results(student_id: int):
    student = _load_student(student_id)
    data = queries.final_results(student, queries.year_of(student))
    return _page("diary/results.html", student, "results", data=data)


# --- Absence notes (DIA-5) ---------------------------------------------------------------------


def _notes_allowed(student: Student) -> bool:
    return policy.can_submit_absence_note(current_user, student) or (
        student.current_class is not None and policy.can_view_class_absence_notes(current_user, student.current_class)
    )


def _student_notes(student: Student) -> list[AbsenceNote]:
    return list(
        db.session.scalars(
            select(AbsenceNote)
            .where(AbsenceNote.student_id == student.id)
            .options(joinedload(AbsenceNote.parent), joinedload(AbsenceNote.decided_by))
            .order_by(AbsenceNote.date_from.desc(), AbsenceNote.id.desc())
        )
    )


def _note_size_limit() -> int:
    """ABSENCE_NOTE_MAX_BYTES if set, else the upload limit of the whole application."""
    return current_app.config.get("ABSENCE_NOTE_MAX_BYTES") or current_app.config["MAX_CONTENT_LENGTH"]


@bp.route("/students/<int:student_id>/absence-notes", methods=["GET", "POST"])
@login_required
def absence_notes(student_id: int):
    """The child's notes and, for their parent, the form of a new one."""
    student = _load_student(student_id)
    if not _notes_allowed(student):
        abort(403)
    may_submit = policy.can_submit_absence_note(current_user, student)
    form = AbsenceNoteForm()
    status = 200
    if request.method == "POST":
        if not may_submit:
            abort(403)
        if form.validate():
            files = operations.note_files(current_app.config["UPLOAD_FOLDER"])
            limit = _note_size_limit()
            try:
                upload = operations.check_upload(form.file.data, limit)
                operations.submit_note(student, current_user, form.date_from.data, form.date_to.data,
                                       form.reason.data, form.comment.data, upload, files)
                db.session.commit()
                files.committed()
            except Refusal as error:  # the diary's, or the upload's (utils/uploads.py)
                files.rollback()
                form.date_from.errors = list(form.date_from.errors) + [refusals.undo(error)]
                status = error.status
            else:
                flash(_("Заявление отправлено классному руководителю."), "success")
                return redirect(url_for("diary.absence_notes", student_id=student.id)), 303
        else:
            status = 400
    notes = [n for n in _student_notes(student) if policy.can_view_absence_note(current_user, n)]
    return _page("diary/absence_notes.html", student, "notes", form=form, notes=notes, may_submit=may_submit,
                 max_mb=round(_note_size_limit() / 1048576, 1)), status


@bp.get("/classes/<int:class_id>/absence-notes")
@login_required
def class_absence_notes(class_id: int):
    """The notes of a class for its class teacher (who decides them) and the academic office."""
    class_group = _load_class(class_id)
    notes = list(
        db.session.scalars(
            select(AbsenceNote)
            .join(Student, Student.id == AbsenceNote.student_id)
            .where(Student.current_class_id == class_group.id, AbsenceNote.school_id == class_group.school_id)
            .options(
                joinedload(AbsenceNote.student), joinedload(AbsenceNote.parent), joinedload(AbsenceNote.decided_by)
            )
            .order_by(AbsenceNote.status != "submitted", AbsenceNote.date_from.desc(), AbsenceNote.id.desc())
        )
    )
    return render_template(
        "diary/class_notes.html",
        class_group=class_group,
        notes=notes,
        may_decide=policy.is_class_teacher_of(current_user, class_group),
        form=DecisionForm(),
    )


def _after_decision(note: AbsenceNote):
    return redirect(url_for("diary.class_absence_notes", class_id=note.student.current_class_id)), 303


@bp.post("/absence-notes/<int:note_id>/accept")
@login_required
def accept_note(note_id: int):
    note = _load_note(note_id, policy.can_decide_absence_note)
    form = DecisionForm()
    if not form.validate():
        return _bad_request(_("Комментарий слишком длинный: не больше 1000 знаков."))
    try:
        result = operations.accept_note(note, current_user, form.comment.data)
        db.session.commit()
    except operations.DiaryError as error:
        flash(refusals.undo(error), "error")
        return _after_decision(note)
    message = _("Заявление принято; исправлено отметок посещаемости: %(n)s.", n=result.changed)
    if result.closed_periods:
        message += " " + _(
            "Пропуски в закрытом периоде (%(names)s) не изменены: их исправляет администратор журнала.",
            names=", ".join(result.closed_periods),
        )
    flash(message, "success" if not result.closed_periods else "warning")
    return _after_decision(note)


@bp.post("/absence-notes/<int:note_id>/reject")
@login_required
def reject_note(note_id: int):
    note = _load_note(note_id, policy.can_decide_absence_note)
    form = DecisionForm()
    if not form.validate():
        return _bad_request(_("Комментарий слишком длинный: не больше 1000 знаков."))
    try:
        operations.reject_note(note, current_user, form.comment.data)
        db.session.commit()
    except operations.DiaryError as error:
        flash(refusals.undo(error), "error")
        return _after_decision(note)
    flash(_("Заявление отклонено; родитель увидит ваш комментарий."), "success")
    return _after_decision(note)


@bp.get("/students/<int:student_id>/homework-files/<int:file_id>")
@login_required
def homework_file(student_id: int, file_id: int):
    """A file of the homework given to the student (the class, the subgroup or the student by
    name), linked from the diary's week: the student, their parents and the staff who read the
    student's diary; another family's child or another class's or group's file is refused."""
    student = _load_student(student_id)
    row = policy.checked(db.session.get(HomeworkFile, file_id), None, current_user)
    policy.checked(
        db.session.get(Homework, row.homework_id),
        lambda user, homework: policy.can_open_homework_file(user, student, homework),
        current_user,
    )
    folder = f"{current_app.config['UPLOAD_FOLDER']}/{HOMEWORK_SUBFOLDER}"
    return send_stored_file(folder, row.stored_name, row.original_name, row.content_type)


@bp.get("/absence-notes/<int:note_id>/file")
@login_required
def note_file(note_id: int):
    """The scanned doctor's note: its parent, the class teacher and the academic office only."""
    note = _load_note(note_id, policy.can_view_absence_note)
    if not note.file_stored_name:
        abort(404)
    folder = f"{current_app.config['UPLOAD_FOLDER']}/{operations.NOTES_SUBFOLDER}"
    response = send_from_directory(
        folder,
        note.file_stored_name,
        as_attachment=True,
        download_name=note.file_original_name or note.file_stored_name,
        mimetype=note.file_content_type or "application/octet-stream",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

