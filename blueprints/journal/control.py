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
    """Per teacher: lessons not recorded, lessons without topic or homework, late entries; per
    journal the shares of lessons with a topic, with homework and recorded on the day, marks
    against the minimum; per class the families who opened the diary (REP-3)."""
    if not policy.can_view_journal_control(current_user):
        abort(403)
    now = utcnow()
    reports = control_queries.journal_deadlines(current_user.school, now)
    rows = sorted(reports.values(), key=lambda r: (-r.overdue_count, r.teacher.last_name, r.teacher.first_name))
    assignments = [a for report in reports.values() for a in report.assignments]
    figures, families = control_queries.journal_figures(current_user.school, now, assignments)
    return render_template("journal/control.html", rows=rows, figures=figures, families=families,
                           can_close=policy.can_close_periods(current_user),
                           can_inspect=policy.can_inspect_journals(current_user))
