"""The student's own dynamics chart for the family (REP-2, issue 12): the weighted average per
subject by week over a period, the same figures the academic office sees
(blueprints/reports/statistics_queries.student_dynamics), drawn by blueprints/reports/charts.py.
Access exactly as the diary's other pages (views._load_student: policy.can_view_student)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_login import login_required

from blueprints.diary import bp
from blueprints.diary.views import _load_student, _page, _period_context, _today
from blueprints.reports import charts
from blueprints.reports.statistics_queries import student_dynamics
from domain.settings import school_settings


@bp.get("/students/<int:student_id>/dynamics")
@login_required
def dynamics(student_id: int):
    student = _load_student(student_id)
    periods, period = _period_context(student)
    data = chart = None
    if period is not None:
        end = min(_today(), period.end_date)
        data = student_dynamics(student, period.start_date, max(end, period.start_date), school_settings(student.school.settings))
        data.title = ""
        chart = charts.render(data, _("Средний взвешенный балл по предметам по неделям"))
    return _page("diary/dynamics.html", student, "dynamics", periods=periods, period=period, data=data, chart=chart)
