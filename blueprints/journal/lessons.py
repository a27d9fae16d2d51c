"""Today's lessons (the teacher's entry point) and the lesson record: date, topic from the plan,
kinds of work, homework for the class or for chosen students with files (JRN-1, JRN-5, JRN-6)."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import bp, lessons_operations, loaders, queries, schedule_queries
from blueprints.journal.grid import JOURNAL_ROLES
from blueprints.journal.lessons_forms import IndividualHomeworkForm, LessonForm, OpenLessonForm
from blueprints.journal.operations import JournalError, ReasonRequired, check_lesson_open
from domain import closing, deadlines
from domain.messages import Refusal
from extensions import db
from models import Homework, HomeworkStudent, JournalChange, Lesson, PlanItem, WorkKind
from models.base import utcnow
from utils import refusals
from utils.forms import options
from utils.timeutil import school_today
from utils.uploads import send_stored_file


def _file_store():
    return lessons_operations.file_store(current_app.config["UPLOAD_FOLDER"])


# --- Today's lessons -------------------------------------------------------------------------------


@bp.get("/today")
@roles_required(*JOURNAL_ROLES)
def today():
    """The user's lessons of today in the school's timezone: their own (cancelled ones and those
    taken by a substitute marked), and those they give as a substitute."""
    day = school_today(current_user.school.timezone)
    items = schedule_queries.teacher_day(current_user, day)
    recorded = {
        (lesson.assignment_id, lesson.lesson_number): lesson
        for lesson in db.session.scalars(
            select(Lesson).where(
                Lesson.date == day, Lesson.assignment_id.in_({i.assignment_id for i in items} or {0})
            )
        )
    }
    return render_template("journal/today.html", day=day, items=items, recorded=recorded, user_id=current_user.id)


@bp.post("/lessons/open")
@roles_required(*JOURNAL_ROLES)
def open_lesson():
    """Create (or find) the lesson of the timetable and go to its page."""
    form = OpenLessonForm()
    if not form.validate():
        abort(400)
    day = form.date.data
    assignment = loaders.assignment(form.assignment_id.data, lambda user, a: policy.can_record_lesson(user, a, day))
    try:
        lesson = lessons_operations.open_lesson(assignment, current_user, day, form.lesson_number.data)
        db.session.commit()
    except JournalError as error:
        return refusals.back_to(url_for("journal.today"), error, abort_access=True)
    return redirect(url_for("journal.lesson", lesson_id=lesson.id)), 303


# --- The lesson page ------------------------------------------------------------------------------


def _lesson_context(lesson: Lesson, form: LessonForm | None = None, hw_form: IndividualHomeworkForm | None = None,
                    no_topic_warning: bool = False):
    assignment = lesson.assignment
    can_edit = policy.can_edit_lesson(current_user, lesson)
    read_only_reason = None
    if can_edit:
        try:
            check_lesson_open(lesson)
        except JournalError as error:
            can_edit, read_only_reason = False, refusals.text(error)
    items = lessons_operations.plan_items(assignment)
    kinds = _work_kinds(lesson)
    students = list(db.session.scalars(queries.roster_query(assignment, lesson.date, lesson.date)))
    proposed = None
    if form is None:
        form = LessonForm(formdata=None, obj=None)
        form.version.data = str(lesson.version)
        form.date.data = lesson.date
        form.lesson_number.data = lesson.lesson_number
        if lesson.plan_item_id is None and not lesson.topic:
            proposed = lessons_operations.next_plan_item(assignment, items, lesson)
        form.plan_item_id.data = lesson.plan_item_id or (proposed.id if proposed else 0)
        form.topic.data = lesson.topic if lesson.plan_item_id is None else ""
        form.work_kinds.data = [w.work_kind_id for w in lesson.works]
        homework = lessons_operations.collective_homework(lesson)
        if homework is not None:
            form.homework_text.data = homework.text
            form.homework_pages.data = homework.pages
            form.homework_exercises.data = homework.exercises
    _fill_lesson_choices(form, items, kinds)
    if hw_form is None:
        hw_form = IndividualHomeworkForm(formdata=None)
    hw_form.students.choices = options((s.id, s.short_name) for s in students)
    homeworks = db.session.scalars(
        select(Homework)
        .where(Homework.lesson_id == lesson.id, Homework.is_deleted.is_(False))
        .options(selectinload(Homework.files), selectinload(Homework.students).selectinload(HomeworkStudent.student))
        .order_by(Homework.id)
    ).all()
    changes = db.session.scalars(
        select(JournalChange)
        .where(JournalChange.lesson_id == lesson.id, JournalChange.entity.in_(("lesson", "homework")))
        .options(selectinload(JournalChange.user))
        .order_by(JournalChange.at.desc(), JournalChange.id.desc())
        .limit(30)
    ).all()
    after_deadline = can_edit and closing.needs_reason(
        utcnow(), deadlines.lesson_deadline(lesson.date, assignment.school.timezone)
    )
    return dict(
        after_deadline=after_deadline,
        lesson=lesson,
        assignment=assignment,
        form=form,
        hw_form=hw_form,
        can_edit=can_edit,
        read_only_reason=read_only_reason,
        proposed=proposed,
        no_topic_warning=no_topic_warning,
        collective=next((h for h in homeworks if not h.is_individual), None),
        individual=[h for h in homeworks if h.is_individual],
        changes=changes,
        homework_allowed=not assignment.class_group.attendance_only,
        plan_url=url_for("journal.plan", assignment_id=assignment.id),
    )


def _work_kinds(lesson: Lesson) -> list[WorkKind]:
    """The school's active kinds of work, in the order of the grid's form, plus any kind the
    lesson already has (even if deactivated since)."""
    present = {w.work_kind_id for w in lesson.works}
    kinds = db.session.scalars(
        select(WorkKind)
        .where(WorkKind.school_id == lesson.school_id, (WorkKind.is_active.is_(True)) | (WorkKind.id.in_(present or {0})))
        .order_by(WorkKind.weight, WorkKind.name)
    ).all()
    return list(kinds)


def _fill_lesson_choices(form: LessonForm, items: list[PlanItem], kinds: list[WorkKind]) -> None:
    form.plan_item_id.choices = options(
        [(0, _("— своя тема (впишите ниже) —"))] + [(item.id, f"{item.number}. {item.topic}") for item in items]
    )
    form.work_kinds.choices = options((k.id, f"{k.name} (×{k.weight.normalize()})") for k in kinds)


def _render_lesson(lesson: Lesson, status: int = 200, error: str | None = None, reason_required: bool = False,
                   **forms):
    context = _lesson_context(lesson, **forms)
    return render_template("journal/lesson.html", error=error, reason_required=reason_required, **context), status


@bp.get("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    return _render_lesson(loaders.lesson(lesson_id, policy.can_view_lesson))


@bp.post("/lessons/<int:lesson_id>")
@login_required
def update_lesson(lesson_id: int):
    lesson = loaders.lesson(lesson_id, policy.can_edit_lesson)
    form = LessonForm()
    items = lessons_operations.plan_items(lesson.assignment)
    kinds = _work_kinds(lesson)
    _fill_lesson_choices(form, items, kinds)
    if not form.validate():
        return _render_lesson(lesson, 400, form=form)
    plan_item = next((i for i in items if i.id == form.plan_item_id.data), None)
    if plan_item is None and not (form.topic.data or "").strip() and not form.confirm_no_topic.data:
        # The journal records the topic of every lesson (JRN-1); an empty one is saved only when the teacher
        # confirms it (nothing is written until then, the typed form is shown again).
        return _render_lesson(lesson, 422, form=form, no_topic_warning=True)
    store = _file_store()
    try:
        lessons_operations.check_version(lesson, form.version.data)
        upload = lessons_operations.check_upload(form.homework_file.data, current_app.config.get("MAX_CONTENT_LENGTH"))
        by_id = {k.id: k for k in kinds}
        changed = lessons_operations.update_lesson(
            lesson,
            current_user,
            day=form.date.data,
            lesson_number=form.lesson_number.data,
            plan_item=plan_item,
            topic=form.topic.data or "",
            work_kinds=[by_id[i] for i in form.work_kinds.data or [] if i in by_id],
            reason=request.form.get("reason", ""),
        )
        homework, homework_changed = lessons_operations.set_collective_homework(
            lesson, current_user, form.homework_text.data or "", form.homework_pages.data or "",
            form.homework_exercises.data or "", keep_empty=upload is not None,
        )
        if upload is not None:
            lessons_operations.attach_file(homework, current_user, upload, store)
        if not changed and (homework_changed or upload is not None):
            lesson.version += 1  # the homework changed: a form opened before must not overwrite it
        db.session.commit()
        store.committed()
    except Refusal as error:  # the journal's, or the upload's (utils/uploads.py)
        message = refusals.undo(error)
        store.rollback()
        lesson = loaders.lesson(lesson_id, policy.can_edit_lesson)
        return _render_lesson(lesson, error.status, message, form=form,
                              reason_required=isinstance(error, ReasonRequired))
    flash(_("Урок сохранён."), "success")
    return redirect(url_for("journal.lesson", lesson_id=lesson.id)), 303


@bp.post("/lessons/<int:lesson_id>/homework")
@login_required
def add_individual_homework(lesson_id: int):
    lesson = loaders.lesson(lesson_id, policy.can_edit_lesson)
    hw_form = IndividualHomeworkForm(prefix="")
    students = list(db.session.scalars(queries.roster_query(lesson.assignment, lesson.date, lesson.date)))
    hw_form.students.choices = options((s.id, s.short_name) for s in students)
    if not hw_form.validate():
        return _render_lesson(lesson, 400, hw_form=hw_form)
    store = _file_store()
    try:
        upload = lessons_operations.check_upload(hw_form.file.data, current_app.config.get("MAX_CONTENT_LENGTH"))
        chosen = [s for s in students if s.id in set(hw_form.students.data or [])]
        homework = lessons_operations.add_individual_homework(
            lesson, current_user, hw_form.text.data or "", hw_form.pages.data or "", hw_form.exercises.data or "",
            chosen, has_file=upload is not None,
        )
        if upload is not None:
            lessons_operations.attach_file(homework, current_user, upload, store)
        db.session.commit()
        store.committed()
    except Refusal as error:  # the journal's, or the upload's (utils/uploads.py)
        message = refusals.undo(error)
        store.rollback()
        lesson = loaders.lesson(lesson_id, policy.can_edit_lesson)
        return _render_lesson(lesson, error.status, message, hw_form=hw_form)
    flash(_("Индивидуальное задание записано."), "success")
    return redirect(url_for("journal.lesson", lesson_id=lesson.id, _anchor="homework")), 303


@bp.post("/lessons/<int:lesson_id>/homework/<int:homework_id>/delete")
@login_required
def delete_homework(lesson_id: int, homework_id: int):
    lesson = loaders.lesson(lesson_id, policy.can_edit_lesson)
    homework = loaders.homework(homework_id, policy.can_edit_lesson)
    if homework.lesson_id != lesson.id:
        abort(404)
    try:
        lessons_operations.delete_homework(homework, current_user)
        db.session.commit()
    except JournalError as error:
        return refusals.back_to(url_for("journal.lesson", lesson_id=lesson_id), error)
    flash(_("Задание удалено."), "success")
    return redirect(url_for("journal.lesson", lesson_id=lesson_id, _anchor="homework")), 303


@bp.get("/homework-files/<int:file_id>")
@login_required
def homework_file(file_id: int):
    row, _homework = loaders.homework_file(file_id, policy.can_view_lesson)
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], lessons_operations.HOMEWORK_SUBFOLDER)
    return send_stored_file(folder, row.stored_name, row.original_name, row.content_type)


@bp.post("/homework-files/<int:file_id>/delete")
@login_required
def delete_homework_file(file_id: int):
    row, homework = loaders.homework_file(file_id, policy.can_edit_lesson)
    lesson_id = homework.lesson_id
    store = _file_store()
    try:
        lessons_operations.delete_file(row, current_user, store)
        db.session.commit()
        store.committed()
    except JournalError as error:
        store.rollback()
        return refusals.back_to(url_for("journal.lesson", lesson_id=lesson_id), error)
    flash(_("Файл удалён."), "success")
    return redirect(url_for("journal.lesson", lesson_id=lesson_id, _anchor="homework")), 303

