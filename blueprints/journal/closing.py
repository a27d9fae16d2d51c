"""Closing periods (JRN-8, 001:2.5.6) and the academic office's reasoned corrections in a
closed period: the page of periods × classes, close, reopen, correct a cell or a period mark."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import bp, closing_operations, closing_queries, loaders, operations
from blueprints.journal import period_marks_operations as pm_ops
from domain import closing
from extensions import db
from models import AcademicYear, JournalChange
from utils import refusals
from utils.timeutil import school_today


def _year() -> AcademicYear | None:
    years = db.session.scalars(
        select(AcademicYear).where(AcademicYear.school_id == current_user.school_id)
        .order_by(AcademicYear.is_current.desc(), AcademicYear.start_date.desc())
    ).all()
    wanted = request.args.get("year", type=int)
    return next((y for y in years if y.id == wanted), years[0] if years else None)


@bp.get("/closing")
@roles_required(*closing.CLOSING_ROLES)
def closing_page():
    """Periods × classes with their state; «Закрыть период» for those that are over."""
    year = _year()
    rows, classes = closing_operations.closing_table(year) if year else ([], [])
    today = school_today(current_user.school.timezone)
    return render_template(
        "journal/closing.html", year=year, rows=rows, classes=classes,
        # «Закрыть» only for a period that is over (the same rule refuses the request otherwise)
        closable={row.period.id: closing.may_close(row.period.end_date, today) for row in rows},
        reopenings=closing_operations.recent_reopenings(year) if year else [],
        can_reopen=current_user.has_role(*closing.REOPENING_ROLES),
    )


@bp.post("/closing/periods/<int:period_id>/close")
@login_required
def close_period(period_id: int):
    period = loaders.study_period(period_id, policy.can_close_period)
    class_id = request.form.get("class_id", type=int)
    class_group = None
    if class_id:
        class_group = loaders.class_of_school(class_id)
    try:
        closing_operations.close_period(period, class_group, current_user, request.form.get("notes", ""))
        db.session.commit()
    except operations.JournalError as error:
        return refusals.back_to(url_for("journal.closing_page", year=period.year_id), error)
    who = class_group.name if class_group else _("всей школы")
    flash(_("Период «%(name)s» закрыт для %(who)s.", name=period.name, who=who), "success")
    return redirect(url_for("journal.closing_page", year=period.year_id)), 303


@bp.post("/closing/closures/<int:closure_id>/reopen")
@login_required
def reopen_period(closure_id: int):
    closure = loaders.period_closure(closure_id, policy.can_reopen_closure)
    try:
        closing_operations.reopen(closure, current_user, request.form.get("reason", ""))
        db.session.commit()
    except operations.JournalError as error:
        return refusals.back_to(url_for("journal.closing_page", year=closure.period.year_id), error)
    flash(_("Период «%(name)s» снова открыт.", name=closure.period.name), "success")
    return redirect(url_for("journal.closing_page", year=closure.period.year_id)), 303


# --- The deputy's reasoned correction in a closed period ------------------------------------------


@bp.post("/lessons/<int:lesson_id>/cells/<int:student_id>/correction")
@login_required
def correct_cell(lesson_id: int, student_id: int):
    """A mark or an attendance record of a closed period, changed by the deputy or the director
    with a reason, through the grid's own save (same validation, same history)."""
    lesson = loaders.lesson(lesson_id, policy.can_correct_closed_lesson)
    student = loaders.roster_student(student_id, lesson)
    try:
        operations.save_cell(lesson, student, current_user, request.form.get("value", "")[:40], key="", base=None,
                             reason=request.form.get("reason", ""), correction=True)
        db.session.commit()
    except operations.JournalError as error:
        return refusals.back_to(url_for("journal.cell_history", lesson_id=lesson.id, student_id=student.id), error)
    flash(_("Исправление записано с причиной."), "success")
    return redirect(url_for("journal.cell_history", lesson_id=lesson.id, student_id=student.id)), 303


@bp.get("/assignments/<int:assignment_id>/periods/<int:period_id>/students/<int:student_id>/correction")
@login_required
def period_mark_correction(assignment_id: int, period_id: int, student_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_correct_closed_assignment)
    period = loaders.mark_period(assignment, period_id)
    student = loaders.year_roster_student(assignment, student_id)
    mark = pm_ops.load_mark(assignment, period, student.id)
    changes = []
    if mark is not None:
        changes = db.session.scalars(
            select(JournalChange).where(JournalChange.period_mark_id == mark.id).order_by(JournalChange.at, JournalChange.id)
        ).all()
    return render_template(
        "journal/period_mark_correction.html", assignment=assignment, period=period, student=student, mark=mark,
        changes=changes, closed=closing_queries.is_period_closed_for(period, assignment.class_group),
        choices=pm_ops.choices(assignment),
    )


@bp.post("/assignments/<int:assignment_id>/periods/<int:period_id>/students/<int:student_id>/correction")
@login_required
def correct_period_mark(assignment_id: int, period_id: int, student_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_correct_closed_assignment)
    period = loaders.mark_period(assignment, period_id)
    student = loaders.year_roster_student(assignment, student_id)
    back = url_for("journal.period_mark_correction", assignment_id=assignment.id, period_id=period.id,
                   student_id=student.id)
    try:
        pm_ops.set_period_mark(assignment, period, student, current_user, request.form.get("value", "")[:20],
                               request.form.get("reason", ""), request.form.get("base"), correction=True)
        db.session.commit()
    except operations.JournalError as error:
        return refusals.back_to(back, error, abort_access=True)
    flash(_("Исправление записано с причиной."), "success")
    return redirect(back), 303


