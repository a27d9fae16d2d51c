"""The list of journals and the grid of one journal: lessons × students, each cell (attendance
and marks) saved on its own with htmx, a column filled at once, a cell's history (JRN-3, JRN-4)."""
from __future__ import annotations

from datetime import date

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import bp, closing_queries, loaders, operations, queries
from blueprints.journal import period_marks_operations as pm_ops
from blueprints.journal.forms import NewLessonForm
from blueprints.reports import inspections_queries
from domain.cell import VIA
from domain.settings import school_settings
from extensions import db
from models import ClassGroup, JournalChange, Subject, TeachingAssignment, User, WorkKind
from utils import refusals
from utils.forms import options
from utils.htmx import is_htmx
from utils.paging import contains, page_number, paginate
from utils.timeutil import school_today

JOURNAL_ROLES = policy.TEACHING_ROLES | policy.JOURNAL_READER_ROLES
JOURNALS_PAGE_SIZE = 40  # the list of journals, a page at a time (issue 9)


@bp.get("/")
@roles_required(*JOURNAL_ROLES)
def index():
    """The journals a user may open: their own assignments, or all for the academic office,
    filtered by class, subject and teacher's name, a page at a time (issue 9: 169 journals)."""
    read_all = policy.can_read_all_journals(current_user)
    query = (
        select(TeachingAssignment)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(TeachingAssignment.school_id == current_user.school_id, TeachingAssignment.is_active.is_(True))
        .options(
            selectinload(TeachingAssignment.class_group),
            selectinload(TeachingAssignment.subject),
            selectinload(TeachingAssignment.subgroup),
            selectinload(TeachingAssignment.teacher),
        )
        .order_by(ClassGroup.grade, ClassGroup.name, TeachingAssignment.id)
    )
    if not read_all:
        query = query.where(TeachingAssignment.teacher_id == current_user.id)
    class_id = request.args.get("class_id", type=int)
    subject_id = request.args.get("subject_id", type=int)
    search = (request.args.get("q") or "").strip()[:80]
    if class_id:
        query = query.where(TeachingAssignment.class_id == class_id)
    if subject_id:
        query = query.where(TeachingAssignment.subject_id == subject_id)
    for term in search.split()[:4]:
        teacher_ids = select(User.id).where(
            User.school_id == current_user.school_id,
            or_(*(contains(c, term) for c in (User.last_name, User.first_name, User.middle_name))),
        )
        query = query.where(TeachingAssignment.teacher_id.in_(teacher_ids))
    page = paginate(query, page_number(request.args.get("page")), JOURNALS_PAGE_SIZE)
    all_classes = db.session.scalars(
        select(ClassGroup).where(ClassGroup.school_id == current_user.school_id).order_by(ClassGroup.grade, ClassGroup.name)
    ).all()
    classes = [c for c in all_classes if read_all or c.class_teacher_id == current_user.id]
    subjects = db.session.scalars(
        select(Subject).where(Subject.school_id == current_user.school_id).order_by(Subject.name)
    ).all()
    return render_template(
        "journal/index.html", assignments=page.items, page=page, classes=classes, filter_classes=all_classes,
        subjects=subjects, chosen=dict(class_id=class_id, subject_id=subject_id, q=search),
        # which entries the page offers: the rules of the pages they open (policy), not the template's
        teaches=current_user.has_role(*policy.TEACHING_ROLES), read_all=read_all,
        can_close=policy.can_close_periods(current_user),
    )


@bp.get("/assignments/<int:assignment_id>")
@login_required
def grid(assignment_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_view_assignment)
    today = school_today(assignment.school.timezone)
    data = queries.load_grid(assignment, today, request.args.get("period", type=int))
    # Every period of the grid and the year, closed or not for this class: one statement, kept on
    # the grid for its period buttons and period-mark columns. A closed year period closes every
    # lesson of the class.
    data.closed = closing_queries.closed_periods(assignment.class_group, [*data.periods, data.period, data.year_period])
    closed = None
    if data.period is not None:
        closed = data.closed.get(data.period.id) or (data.closed.get(data.year_period.id) if data.year_period else None)
    can_edit = policy.can_edit_assignment(current_user, assignment) and closed is None
    form = NewLessonForm(prefix="lesson")
    _fill_lesson_form_choices(form, assignment, today)
    can_correct = (
        closed is not None and not closed.is_year and policy.can_correct_closed_assignment(current_user, assignment)
    )
    context = dict(grid=data, can_edit=can_edit, form=form, today=today, settings=data.settings, closed=closed,
                   can_correct=can_correct, pm_columns=pm_ops.grid_columns(data, current_user))
    if is_htmx() and request.args.get("fragment") == "grid":
        return render_template("journal/_grid.html", **context)
    # The open remarks of inspections of this journal, for the panel above the grid (REP-3).
    context.update(remarks=inspections_queries.open_remarks(assignment.id),
                   can_correct_remarks=policy.can_correct_remarks_of(current_user, assignment))
    return render_template("journal/grid.html", **context)


def _fill_lesson_form_choices(form: NewLessonForm, assignment: TeachingAssignment, today: date) -> None:
    kinds = db.session.scalars(
        select(WorkKind)
        .where(WorkKind.school_id == assignment.school_id, WorkKind.is_active.is_(True))
        .order_by(WorkKind.weight, WorkKind.name)
    ).all()
    form.work_kinds.choices = options((k.id, f"{k.name} (×{k.weight.normalize()})") for k in kinds)
    if not form.date.data:
        form.date.data = today


@bp.post("/assignments/<int:assignment_id>/lessons")
@login_required
def create_lesson(assignment_id: int):
    assignment = loaders.assignment(assignment_id, policy.can_edit_assignment)
    today = school_today(assignment.school.timezone)
    form = NewLessonForm(prefix="lesson")
    _fill_lesson_form_choices(form, assignment, today)
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("journal.grid", assignment_id=assignment.id)), 303
    kinds = {k.id: k for k in db.session.scalars(select(WorkKind).where(WorkKind.id.in_(form.work_kinds.data or [])))}
    try:
        lesson = operations.create_lesson(
            assignment,
            current_user,
            form.date.data,
            form.lesson_number.data or 0,
            form.topic.data or "",
            [kinds[i] for i in (form.work_kinds.data or []) if i in kinds],
        )
        db.session.commit()
    except operations.JournalError as error:
        return refusals.back_to(url_for("journal.grid", assignment_id=assignment.id), error)
    return redirect(url_for("journal.grid", assignment_id=assignment.id, _anchor=f"lesson-{lesson.id}")), 303


def _cell_response(lesson, student, state, settings, period, status=200, message=None, conflict_text=None):
    forecast = (
        queries.forecast_for_student(lesson.assignment, period, student.id, settings) if period is not None else None
    )
    # The row's "Итог" cell follows the new average (out of band): built here, not by the template.
    pm_column = (
        pm_ops.column_after_cell_save(lesson, period, student.id, forecast, current_user) if status == 200 else None
    )
    html = render_template(
        "journal/_cell_response.html",
        lesson=lesson,
        student=student,
        state=state,
        settings=settings,
        notations=settings["notations"],
        can_edit=True,
        forecast=forecast,
        pm_column=pm_column,
        message=message,
        conflict_text=conflict_text,
        status=status,
    )
    return make_response(html, status)


@bp.put("/lessons/<int:lesson_id>/cells/<int:student_id>")
@login_required
def save_cell(lesson_id: int, student_id: int):
    """Save one cell (attendance and marks) as a PUT of its whole value: repeatable with the
    same key, refused over someone else's newer change (409)."""
    lesson = loaders.lesson(lesson_id, policy.can_edit_lesson, for_update=True)
    student = loaders.cell_student(student_id, lesson)
    settings = school_settings(lesson.assignment.school.settings)
    value = request.form.get("value", "")  # parse_cell refuses a too long one with a message
    period = queries.period_of_lesson(lesson)
    try:
        state, _changed = operations.save_cell(
            lesson, student, current_user, value, request.form.get("key", "")[:64], request.form.get("base"),
            reason=request.form.get("reason", ""),
        )
        # Rendered inside the transaction, sent only once the commit succeeded: nothing is
        # reloaded after the commit, and on SQLite the write lock is not taken a second time.
        response = _cell_response(lesson, student, state, settings, period)
        db.session.commit()
    except operations.JournalError as error:
        message = refusals.undo(error)
        state, _a, _m = operations.load_cell(lesson, student.id)
        conflict_text = error.current_text if isinstance(error, operations.Conflict) else None
        return _cell_response(lesson, student, state, settings, period, error.status, message, conflict_text)
    return response


@bp.post("/lessons/<int:lesson_id>/fill")
@login_required
def fill_column(lesson_id: int):
    """Fill a whole column: everyone present, or one mark for all who wrote the work."""
    lesson = loaders.lesson(lesson_id, policy.can_edit_lesson)
    value = request.form.get("value", "").strip()
    try:
        count = operations.fill_column(lesson, current_user, value, reason=request.form.get("reason", ""))
        db.session.commit()
    except operations.JournalError as error:
        return refusals.back_to(url_for("journal.grid", assignment_id=lesson.assignment_id), error)
    if value:
        flash(_("Отметка «%(v)s» поставлена %(n)s обучающимся; исправьте отдельные клетки.", v=value, n=count), "success")
    else:
        flash(_("Отмечено: присутствуют все, кроме отмеченных «Н»."), "success")
    return redirect(url_for("journal.grid", assignment_id=lesson.assignment_id, _anchor=f"lesson-{lesson.id}")), 303


@bp.get("/lessons/<int:lesson_id>/cells/<int:student_id>/history")
@login_required
def cell_history(lesson_id: int, student_id: int):
    lesson = loaders.lesson(lesson_id, policy.can_view_lesson)
    student = loaders.roster_student(student_id, lesson)
    changes = db.session.scalars(
        select(JournalChange)
        .where(JournalChange.lesson_id == lesson.id, JournalChange.student_id == student.id)
        .options(selectinload(JournalChange.user))
        .order_by(JournalChange.at, JournalChange.id)
    ).all()
    kinds = {w.work_kind_id: w.work_kind.name for w in lesson.works}
    settings = school_settings(lesson.assignment.school.settings)
    template = "journal/_history.html" if is_htmx() else "journal/history.html"
    # In a closed period the deputy or the director corrects the cell here, with a reason.
    correctable = None
    if policy.can_correct_closed_lesson(current_user, lesson):
        closed = closing_queries.closed_days(lesson.assignment.class_group, lesson.date)
        correctable = closed if closed is not None and not closed.is_year else None
    current = operations.load_cell(lesson, student.id)[0].text(settings["notations"]) if correctable else ""
    return render_template(
        template, lesson=lesson, student=student, changes=changes, kinds=kinds, notations=settings["notations"],
        correctable=correctable, current=current, via={code: _(label) for code, label in VIA.items()},
    )
