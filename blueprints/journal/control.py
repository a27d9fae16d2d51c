"""Deadlines of the journal (JRN-6) and journal-keeping control (REP-3): a teacher's list of
what is overdue, and the academic office's summary per teacher."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import bp, control_queries
from domain.settings import school_settings
from models.base import utcnow


@bp.get("/overdue")
@roles_required(*policy.TEACHING_ROLES)
def overdue():
    """What the current teacher has not recorded in time, each item a link to where it is fixed."""
    reports = control_queries.journal_deadlines(current_user.school, utcnow(), teacher_id=current_user.id)
    report = reports.get(current_user.id) or control_queries.TeacherDeadlines(current_user)
    settings = school_settings(current_user.school.settings)
    return render_template("journal/overdue.html", report=report, settings=settings)


@bp.get("/control")
@roles_required(*policy.JOURNAL_READER_ROLES)
def control():
    """Per teacher: lessons not recorded, lessons without topic or homework, late entries."""
    if not policy.can_view_journal_control(current_user):
        abort(403)
    reports = control_queries.journal_deadlines(current_user.school, utcnow())
    rows = sorted(reports.values(), key=lambda r: (-r.overdue_count, r.teacher.last_name, r.teacher.first_name))
    return render_template("journal/control.html", rows=rows, can_close=policy.can_close_periods(current_user))
