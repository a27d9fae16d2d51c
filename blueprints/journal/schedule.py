"""The timetable of a class and of a teacher with the changes of the week (ADM-9), and the
page where the academic office records substitutions and cancellations (JRN-5)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import bp, loaders, queries, schedule_operations, schedule_queries
from blueprints.journal.operations import JournalError
from blueprints.journal.schedule_forms import CHANGE_KIND_LABELS, ScheduleChangeForm
from blueprints.main import labels
from extensions import db
from models import AcademicYear, ClassGroup, TeachingAssignment, User, UserRole
from models.people import STAFF_ROLES
from utils import refusals
from utils.forms import options
from utils.timeutil import school_today

# `{{ kind|label("change_kind") }}`: the kinds of a timetable change, also the statuses of a lesson
labels.register("change_kind", CHANGE_KIND_LABELS)


def _week_arg() -> date:
    """The Monday of the week asked for (?week=2026-11-23, any day of it), this week by default."""
    raw = request.args.get("week", "")
    if not raw:
        return schedule_queries.monday_of(school_today(current_user.school.timezone))
    try:
        return schedule_queries.monday_of(date.fromisoformat(raw))
    except ValueError:
        abort(400)


def _require_manager() -> None:
    if not policy.can_manage_schedule(current_user):
        abort(403)


@bp.get("/schedule")
@roles_required(*STAFF_ROLES)
def schedule_index():
    """The classes whose timetable the user may open, and their own timetable."""
    query = (
        select(ClassGroup)
        .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
        .where(ClassGroup.school_id == current_user.school_id, AcademicYear.is_current.is_(True))
        .order_by(ClassGroup.grade, ClassGroup.name)
    )
    if not (policy.can_read_all_journals(current_user) or policy.can_administer(current_user)):
        taught = select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == current_user.id)
        query = query.where((ClassGroup.id.in_(taught)) | (ClassGroup.class_teacher_id == current_user.id))
    classes = db.session.scalars(query).all()
    return render_template(
        "journal/schedule_index.html",
        classes=classes,
        can_manage=policy.can_manage_schedule(current_user),
        is_teacher=current_user.has_role(*policy.TEACHING_ROLES),
    )


@bp.get("/schedule/classes/<int:class_id>")
@login_required
def class_schedule(class_id: int):
    class_group = loaders.class_group(class_id, policy.can_view_class)
    week = schedule_queries.week_schedule(class_group, _week_arg())
    return render_template(
        "journal/schedule_week.html",
        week=week,
        title=_("Расписание %(name)s", name=class_group.name),
        mode="class",
        week_url=lambda monday: url_for("journal.class_schedule", class_id=class_group.id, week=monday.isoformat()),
        today=school_today(current_user.school.timezone),
        can_manage=policy.can_manage_schedule(current_user),
    )


@bp.get("/schedule/teachers/<int:teacher_id>")
@login_required
def teacher_schedule(teacher_id: int):
    teacher = loaders.teacher(teacher_id, policy.can_view_teacher_schedule)
    week = schedule_queries.teacher_week_schedule(teacher, _week_arg())
    return render_template(
        "journal/schedule_week.html",
        week=week,
        title=_("Расписание: %(name)s", name=teacher.short_name),
        mode="teacher",
        teacher=teacher,
        week_url=lambda monday: url_for("journal.teacher_schedule", teacher_id=teacher.id, week=monday.isoformat()),
        today=school_today(current_user.school.timezone),
        can_manage=policy.can_manage_schedule(current_user),
    )


def _fill_change_form(form: ScheduleChangeForm) -> None:
    assignments = db.session.scalars(
        queries.assignments_in_force(current_user.school_id)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .options(
            selectinload(TeachingAssignment.class_group),
            selectinload(TeachingAssignment.subject),
            selectinload(TeachingAssignment.subgroup),
            selectinload(TeachingAssignment.teacher),
        )
        .order_by(ClassGroup.grade, ClassGroup.name, TeachingAssignment.id)
    ).all()
    form.assignment_id.choices = options([(0, "—")] + [
        (a.id, f"{a.class_group.name}{' (' + a.subgroup.name + ')' if a.subgroup else ''} — {a.subject.name} "
               f"({a.teacher.short_name})")
        for a in assignments
    ])
    teachers = db.session.scalars(
        select(User)
        .where(
            User.school_id == current_user.school_id,
            User.is_active_account.is_(True),
            User.is_blocked.is_(False),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(policy.TEACHING_ROLES))),
        )
        .order_by(User.last_name, User.first_name)
    ).all()
    form.substitute_id.choices = options([(0, "—")] + [(t.id, t.full_name) for t in teachers])


def _changes_page(form: ScheduleChangeForm, monday: date, status: int = 200, error: str | None = None):
    changes = schedule_queries.changes_between(current_user.school_id, monday, monday + timedelta(days=6))
    return render_template(
        "journal/schedule_changes.html",
        form=form,
        changes=changes,
        monday=monday,
        previous_monday=monday - timedelta(days=7),
        next_monday=monday + timedelta(days=7),
        error=error,
    ), status


@bp.get("/schedule/changes")
@login_required
def schedule_changes():
    _require_manager()
    monday = _week_arg()
    form = ScheduleChangeForm(formdata=None)
    _fill_change_form(form)
    # prefilled from a lesson of the timetable ("Замена / отмена" link)
    form.assignment_id.data = request.args.get("assignment_id", 0, type=int)
    form.lesson_number.data = request.args.get("lesson_number", None, type=int)
    try:
        form.date.data = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        form.date.data = school_today(current_user.school.timezone)
    form.kind.data = request.args.get("kind", "substitution")
    return _changes_page(form, monday)


@bp.post("/schedule/changes")
@login_required
def add_schedule_change():
    _require_manager()
    form = ScheduleChangeForm()
    _fill_change_form(form)
    monday = schedule_queries.monday_of(form.date.data) if form.date.data else _week_arg()
    if not form.validate():
        return _changes_page(form, monday, 400)
    assignment = loaders.assignment_of_school(form.assignment_id.data)
    substitute = db.session.get(User, form.substitute_id.data) if form.substitute_id.data else None
    try:
        schedule_operations.add_change(
            assignment, current_user, form.date.data, form.kind.data, form.lesson_number.data,
            substitute=substitute, room=form.room.data or "", note=form.note.data or "",
        )
        db.session.commit()
    except JournalError as error:
        return _changes_page(form, monday, error.status, refusals.undo(error))
    flash(_("Изменение расписания записано."), "success")
    return redirect(url_for("journal.schedule_changes", week=monday.isoformat())), 303


@bp.post("/schedule/changes/<int:change_id>/delete")
@login_required
def delete_schedule_change(change_id: int):
    change = loaders.schedule_change(change_id)
    monday = schedule_queries.monday_of(change.date)
    try:
        schedule_operations.delete_change(change, current_user)
        db.session.commit()
    except JournalError as error:
        return refusals.back_to(url_for("journal.schedule_changes", week=monday.isoformat()), error)
    flash(_("Изменение расписания удалено."), "success")
    return redirect(url_for("journal.schedule_changes", week=monday.isoformat())), 303
