"""The statistics of study and their dynamics (REP-2, 002 section 5): thin views over
statistics_queries.py (the figures) and charts.py (the SVG charts).

Who: the deputy, the methodist and the director see the whole school; a class teacher sees their
own class (another class: 403); nobody else (policy.can_view_*_statistics)."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import policy
from blueprints.auth.access import roles_required
from blueprints.reports import bp, charts
from blueprints.reports import statistics_queries as queries
from domain import statistics as rules
from domain.periods import current_period
from domain.settings import school_settings
from extensions import db
from models import AcademicYear, ClassGroup, Student, StudyPeriod, Subject, User
from utils.timeutil import school_today

# The route's gate; the object's own check follows in each view (policy.can_view_*_statistics).
STATISTICS_READERS = tuple(sorted(policy.STATISTICS_ROLES | {"class_teacher"}))

bp.add_app_template_filter(charts.percent, "stat_percent")

RISK_LABELS = {
    rules.RISK_FEW_MARKS: "отметок %(detail)s, к этому дню нужно не меньше %(n)s",
    rules.RISK_LOW_AVERAGE: "средний балл %(detail)s",
    rules.RISK_UNEXCUSED: "без уважительной причины пропущено уроков: %(detail)s",
}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        abort(400)


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def _today() -> date:
    return school_today(current_user.school.timezone)


def _year() -> AcademicYear:
    year = db.session.scalar(
        select(AcademicYear)
        .where(AcademicYear.school_id == current_user.school_id, AcademicYear.is_current.is_(True))
        .options(joinedload(AcademicYear.periods))
    )
    if year is None:
        abort(404)
    return year


def _periods(year: AcademicYear) -> list[StudyPeriod]:
    """Quarters first (most classes have them, so today's quarter is the default), then the other
    schemes' periods, the year last."""
    return sorted(year.periods, key=lambda p: (p.scheme == "year", p.scheme != "quarter", p.scheme, p.start_date))


def _period(year: AcademicYear) -> StudyPeriod:
    wanted = _int_arg("period")
    period = current_period(_periods(year), _today(), wanted)
    if period is None:
        abort(404)
    return period


def _class(class_id: int) -> ClassGroup:
    return policy.checked(db.session.get(ClassGroup, class_id), policy.can_view_class_statistics, current_user)


def _own_classes(year: AcademicYear) -> list[ClassGroup]:
    return list(
        db.session.scalars(
            select(ClassGroup)
            .where(ClassGroup.year_id == year.id, ClassGroup.class_teacher_id == current_user.id, ClassGroup.kind == "class")
            .order_by(ClassGroup.grade, ClassGroup.name)
        )
    )


def _risk_text(risk: rules.Risk, min_marks: int) -> str:
    return _(RISK_LABELS[risk.kind], n=min_marks, detail=risk.detail.replace(".", ","))


def period_statistics() -> tuple[AcademicYear, StudyPeriod, bool, queries.Statistics]:
    """The request's filters checked and the figures of the period: (year, period, whole_school,
    stats) — the page and its certified PDF (statistics_printing.py) show the same."""
    year = _year()
    period = _period(year)
    whole_school = policy.can_view_school_statistics(current_user)
    class_id = _int_arg("class")
    if class_id is not None:
        class_ids = frozenset({_class(class_id).id})
    elif whole_school:
        class_ids = None
    else:
        own = _own_classes(year)
        if not own:
            abort(403)
        class_ids = frozenset(c.id for c in own)
    filters = queries.Filters(
        class_ids=class_ids,
        grade=_int_arg("grade") if whole_school else None,
        subject_id=_int_arg("subject"),
        teacher_id=_int_arg("teacher") if whole_school else None,
    )
    settings = school_settings(current_user.school.settings)
    stats = queries.school_statistics(current_user.school, period, settings, _today(), filters)
    return year, period, whole_school, stats


@bp.get("/statistics")
@roles_required(*STATISTICS_READERS)
def statistics():
    """The school's (or a class's) figures of a period: by class, parallel, subject and teacher,
    with the students at risk and a chart of performance and quality by class."""
    year, period, whole_school, stats = period_statistics()
    official = stats.has_period_marks
    chart_data = queries.Dynamics(
        "",
        [row.label for row in stats.by_class],
        [
            queries.Series(_("Успеваемость"), [(r.official if official else r.estimate).performance for r in stats.by_class]),
            queries.Series(_("Качество"), [(r.official if official else r.estimate).quality for r in stats.by_class]),
        ],
        "bar",
        "%",
    )
    chart = charts.render(chart_data, _("Успеваемость и качество по классам, в процентах"))
    if whole_school:
        classes = list(db.session.scalars(
            select(ClassGroup).where(ClassGroup.year_id == year.id, ClassGroup.kind == "class").order_by(ClassGroup.grade, ClassGroup.name)
        ))
        teachers = queries.teachers_of_school(current_user.school_id, year.id)
    else:
        classes, teachers = _own_classes(year), []
    subjects = list(db.session.scalars(
        select(Subject).where(Subject.school_id == current_user.school_id, Subject.is_active.is_(True)).order_by(Subject.name)
    ))
    class_names = {c.id: c.name for c in stats.classes}
    risks = [
        (item.student, class_names.get(item.student.current_class_id, ""),
         [(_risk_text(r, stats.expected_marks), r.assignment_id) for r in item.risks])
        for item in stats.at_risk
    ]
    return render_template(
        "reports/statistics.html",
        stats=stats,
        period=period,
        periods=_periods(year),
        official=official,
        chart=chart,
        chart_data=chart_data,
        risks=risks,
        assignments_by_id={a.id: a for a in stats.assignments},
        classes=classes,
        grades=sorted({c.grade for c in classes}),
        subjects=subjects,
        teachers=teachers,
        whole_school=whole_school,
        chosen={k: _int_arg(k) for k in ("class", "grade", "subject", "teacher")},
        unexcused_at_risk=rules.UNEXCUSED_AT_RISK,
        # the certified printout of the same figures (statistics_printing.py)
        pdf_url=url_for("reports.statistics_pdf", period=period.id, **{k: v for k, v in request.args.items() if k != "period"}),
    )


@bp.get("/statistics/dynamics")
@roles_required(*STATISTICS_READERS)
def dynamics():
    """Dynamics over an interval: ?student= (weighted average per subject by week), ?class=
    (quality by period) or ?teacher= (the teacher's classes side by side in a period)."""
    year = _year()
    today = _today()
    settings = school_settings(current_user.school.settings)
    start, end = _date_arg("from"), _date_arg("to")
    if start and end and start > end:
        abort(400)
    student_id, class_id, teacher_id = _int_arg("student"), _int_arg("class"), _int_arg("teacher")
    context: dict = {"periods": _periods(year), "period": None}
    if student_id is not None:
        student = policy.checked(
            db.session.scalar(select(Student).where(Student.id == student_id).options(joinedload(Student.current_class))),
            policy.can_view_student_dynamics, current_user,
        )
        period = current_period(_periods(year), today)
        start = start or (period.start_date if period else year.start_date)
        end = end or min(today, period.end_date if period else year.end_date)
        data = queries.student_dynamics(student, start, end, settings)
        title = _("Динамика среднего взвешенного балла: %(name)s", name=student.short_name)
        alt = _("Средний взвешенный балл по предметам по неделям")
        context.update(subject_kind="student", subject_obj=student)
    elif class_id is not None:
        class_group = _class(class_id)
        start = start or year.start_date
        end = end or year.end_date
        data, _class_periods = queries.class_quality_by_period(class_group, start, end)
        title = _("Успеваемость и качество по периодам: %(name)s", name=class_group.name)
        alt = _("Успеваемость и качество класса по периодам, в процентах")
        context.update(subject_kind="class", subject_obj=class_group)
    elif teacher_id is not None:
        teacher = policy.load(User, teacher_id, policy.can_view_teacher_statistics, current_user)
        period = _period(year)
        stats = queries.school_statistics(current_user.school, period, settings, today, queries.Filters(teacher_id=teacher.id))
        data = queries.teacher_assignments(stats)
        title = _("Классы учителя: %(name)s", name=teacher.short_name)
        alt = _("Успеваемость и качество по классам учителя, в процентах")
        start, end = period.start_date, period.end_date
        context.update(subject_kind="teacher", subject_obj=teacher, period=period, stats=stats,
                       official=stats.has_period_marks)
    else:
        abort(400)
    chart = charts.render(data, alt)
    return render_template("reports/statistics_dynamics.html", data=data, chart=chart, title=title,
                           start=start, end=end, args=request.args, **context)

