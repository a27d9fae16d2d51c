"""Period and year marks in the grid (JRN-7): one cell saved with htmx (the grid's "Итог"/"Год"
columns are built by period_mark_operations.grid_columns, called by the grid's view)."""
from __future__ import annotations

from flask import abort, make_response, render_template, request
from flask_login import current_user, login_required

import policy
from blueprints.journal import bp, loaders
from blueprints.journal import period_marks_operations as pm_ops
from blueprints.journal.operations import Conflict, JournalError
from extensions import db
from utils import refusals


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
        column = pm_ops.student_column(assignment, period, student.id, current_user)
        conflict_text = error.current_text if isinstance(error, Conflict) else None
        return _cell_response(assignment, column, student, error.status, message, conflict_text)
    column = pm_ops.student_column(assignment, period, student.id, current_user)
    return _cell_response(assignment, column, student)

