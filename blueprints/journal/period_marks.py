"""Period and year marks in the grid (JRN-7): one cell saved with htmx, and the template
helper that gives the grid its "Итог"/"Год" columns."""
from __future__ import annotations

from flask import abort, make_response, render_template, request
from flask_login import current_user, login_required

import policy
from blueprints.journal import bp, loaders
from blueprints.journal import period_marks_operations as pm_ops
from blueprints.journal.operations import Conflict, JournalError
from domain.settings import school_settings
from extensions import db
from utils import refusals


@bp.app_template_global()
def period_mark_columns(grid):
    """The grid's period-mark columns for the current user (a fixed number of queries)."""
    return pm_ops.grid_columns(grid, current_user)


@bp.app_template_global()
def period_mark_choices(assignment):
    return pm_ops.choices(assignment)


def _cell_response(assignment, column, student, status=200, message=None, conflict_text=None):
    html = render_template(
        "journal/_period_mark_response.html",
        assignment=assignment,
        column=column,
        student=student,
        message=message,
        conflict_text=conflict_text,
    )
    return make_response(html, status)


def _column_for(assignment, period, student_id):
    """The one cell's column, as the grid would show it after the save."""
    settings = school_settings(assignment.school.settings)
    column = pm_ops.new_column(assignment, period, current_user, settings)
    mark = pm_ops.load_mark(assignment, period, student_id)
    if mark is not None:
        column.marks[student_id] = mark
    column.suggestions[student_id] = pm_ops.suggestion_for(assignment, period, student_id, settings)
    return column


@bp.put("/assignments/<int:assignment_id>/periods/<int:period_id>/students/<int:student_id>")
@login_required
def set_period_mark(assignment_id: int, period_id: int, student_id: int):
    """Set one period or year mark: a tap confirms the suggestion, or another value with a
    reason. Answers the cell's fragment; 409 over a newer change or a closed period."""
    assignment = loaders.assignment(assignment_id, policy.can_set_period_marks)
    period = loaders.mark_period(assignment, period_id)
    student = loaders.student(student_id)
    value = request.form.get("value", "")
    reason = request.form.get("reason", "")
    if len(value) > 20:
        abort(400)
    try:
        pm_ops.set_period_mark(assignment, period, student, current_user, value, reason, request.form.get("base"))
        db.session.commit()
    except JournalError as error:
        message = refusals.undo(error, abort_access=True)
        column = _column_for(assignment, period, student.id)
        conflict_text = error.current_text if isinstance(error, Conflict) else None
        return _cell_response(assignment, column, student, error.status, message, conflict_text)
    column = _column_for(assignment, period, student.id)
    return _cell_response(assignment, column, student)


@bp.app_template_global()
def period_mark_column_of_lesson(lesson, student_id, forecast):
    """After a cell of the grid is saved, its row's "Итог" cell is re-rendered out of band so
    the suggestion follows the new average (two queries)."""
    return pm_ops.column_after_cell_save(lesson, student_id, forecast, current_user)
