"""The class page for its class teacher and the academic office (ADM-6), and the daily
attendance kept by the class teacher (JRN-4)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import policy
from blueprints.journal import bp, closing_queries, loaders
from blueprints.journal import classes_operations as class_ops
from blueprints.journal.operations import JournalError
from domain.settings import school_settings
from extensions import db
from models import Student
from models.journal import PLANNED_CODES
from utils import refusals
from utils.timeutil import school_today


@bp.get("/classes/<int:class_id>")
@login_required
def class_page(class_id: int):
    class_group = loaders.class_group(class_id, policy.can_view_class_journal)
    today = school_today(class_group.school.timezone)
    periods, period = class_ops.period_for(class_group, today, request.args.get("period", type=int))
    summaries = class_ops.class_summary(class_group, period)
    students = db.session.scalars(
        select(Student).where(Student.current_class_id == class_group.id).order_by(Student.last_name, Student.first_name)
    ).all()
    return render_template(
        "journal/class.html",
        students=students,
        # the consent sheet and applications are the class teacher's and the administrator's
        can_manage_families=policy.is_class_teacher_of(current_user, class_group) or policy.can_administer(current_user),
        class_group=class_group,
        periods=periods,
        period=period,
        closed=closing_queries.closed_periods(class_group, periods),
        summaries=summaries,
        today=today,
        can_keep_attendance=policy.can_keep_daily_attendance(current_user, class_group),
        can_view_results=policy.can_view_class_results(current_user, class_group),
    )


def _parse_day(text: str | None, default: date) -> date | None:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _upcoming_plans(class_group, state):
    """The class's planned absences from the shown day on, for the list under the table."""
    students = {row.student.id: row.student for row in state.rows}
    if not students:
        return []
    plans = class_ops.live_plans(list(students), state.day, class_group.year.end_date)
    return [(students[p.student_id], p) for p in sorted(plans, key=lambda p: (p.date_from, p.student_id))]


def _render_day(class_group, day, status=200, problems=(), choices=None, notes=None, plan_form=None):
    state = class_ops.load_day(class_group, day)
    return render_template(
        "journal/class_attendance.html",
        class_group=class_group,
        day=day,
        state=state,
        problems=problems,
        choices=choices or {},
        notes=notes or {},
        plan_form=plan_form or {},
        plans=_upcoming_plans(class_group, state),
        planned_codes=PLANNED_CODES,
        can_write=policy.can_keep_daily_attendance(current_user, class_group),
        codes=class_ops.DAY_CHOICES,
        settings_notations=school_settings(class_group.school.settings)["notations"],
    ), status


@bp.route("/classes/<int:class_id>/attendance", methods=["GET", "POST"])
@login_required
def class_attendance(class_id: int):
    """The class's students and the lessons of one day; the class teacher sets each
    student's attendance for the whole day."""
    class_group = loaders.class_group(class_id, policy.can_view_class_journal)
    today = school_today(class_group.school.timezone)
    day = _parse_day(request.values.get("date"), today)
    if day is None or not (class_group.year.start_date <= day <= class_group.year.end_date):
        if request.method == "POST" and not policy.can_keep_daily_attendance(current_user, class_group):
            abort(403)
        flash(_("Укажите дату учебного года в формате ГГГГ-ММ-ДД."), "error")
        return _render_day(class_group, today, 400)
    if request.method == "GET":
        return _render_day(class_group, day)
    if not policy.can_keep_daily_attendance(current_user, class_group):
        abort(403)
    choices, notes = {}, {}
    for key, value in request.form.items():
        if key.startswith("code-") and key[5:].isdigit():
            choices[int(key[5:])] = value.strip()
        elif key.startswith("note-") and key[5:].isdigit():
            notes[int(key[5:])] = value
    try:
        changed = class_ops.save_day(class_group, day, current_user, choices, notes)
        db.session.commit()
    except class_ops.DayRefused as refused:
        db.session.rollback()
        problems = [_(message, **params) for message, params in refused.problems]
        return _render_day(class_group, day, 400, problems, choices, notes)
    except JournalError as error:
        return _render_day(class_group, day, error.status, [refusals.undo(error)], choices, notes)
    flash(_("Посещаемость за %(d)s сохранена: изменено записей — %(n)s.", d=day.strftime("%d.%m.%Y"), n=changed), "success")
    return redirect(url_for("journal.class_attendance", class_id=class_group.id, date=day.isoformat())), 303


@bp.post("/classes/<int:class_id>/attendance/planned")
@login_required
def plan_absence(class_id: int):
    """The class teacher marks a student absent (ill, excused…) for a range of days, in
    advance: carried into each lesson of those days as it is opened (JRN-4)."""
    class_group = loaders.class_group(class_id, policy.can_keep_daily_attendance)
    today = school_today(class_group.school.timezone)
    day = _parse_day(request.args.get("date"), today) or today
    form = {key: request.form.get(key, "").strip() for key in ("student_id", "date_from", "date_to", "code", "reason")}
    start, end = _parse_day(form["date_from"], None), _parse_day(form["date_to"], None)
    year = class_group.year
    if start is None or end is None or not (year.start_date <= start <= year.end_date and year.start_date <= end <= year.end_date):
        return _render_day(class_group, day, 400, [_("Укажите даты учебного года в формате ГГГГ-ММ-ДД.")], plan_form=form)
    student_id = int(form["student_id"]) if form["student_id"].isdigit() else None
    if student_id is None or student_id not in {s.id for s in class_ops.class_roster(class_group, start, end)}:
        return _render_day(class_group, day, 400, [_("Обучающийся не числится в классе на эти даты.")], plan_form=form)
    try:
        class_ops.check_days_open(class_group, start, end)
        _plan, carried = class_ops.plan_absence(
            class_group.school_id, student_id, start, end, form["code"], form["reason"], current_user
        )
        db.session.commit()
    except JournalError as error:
        return _render_day(class_group, day, error.status, [refusals.undo(error)], plan_form=form)
    flash(_("Отмечено на %(a)s–%(b)s; уже открытых уроков — %(n)s, остальные получат отметку при открытии.",
            a=start.strftime("%d.%m.%Y"), b=end.strftime("%d.%m.%Y"), n=carried), "success")
    return redirect(url_for("journal.class_attendance", class_id=class_group.id, date=day.isoformat())), 303
