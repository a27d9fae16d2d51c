"""Distance assignments (JRN-10): the teacher's list and the form that gives an assignment, the
class list with every student's status, one student's work with the submit form (the student),
read-only (a parent) or the review form (the teacher), and the files. Every object is loaded and
checked by policy first (forged ids 404, not allowed 403)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import policy
from blueprints.assignments import bp
from blueprints.assignments import operations as ops
from blueprints.assignments.forms import GiveForm, ReviewForm, SubmitForm
from domain.messages import Refusal
from extensions import db
from models import Lesson, PlanItem, Student, TeachingAssignment, User, WorkKind
from models.assignments import DistanceAssignment, DistanceAssignmentFile
from utils import refusals
from utils.uploads import send_stored_file


def _actor() -> User:
    return current_user._get_current_object()


def _files():
    return ops.store(current_app.config["UPLOAD_FOLDER"])


def _max_size():
    return current_app.config.get("ASSIGNMENT_FILE_MAX_BYTES") or current_app.config.get("MAX_CONTENT_LENGTH")


@bp.context_processor
def _helpers():
    tz = getattr(getattr(current_user, "school", None), "timezone", None) or current_app.config["SCHOOL_TIMEZONE"]
    return {"due_text": lambda item: ops.due_text(item, tz),
            "submission_time": lambda submission: ops.local_time(submission.submitted_at, tz)}


def _load_journal(assignment_id: int) -> TeachingAssignment:
    journal = db.session.get(TeachingAssignment, assignment_id, options=[
        joinedload(TeachingAssignment.class_group), joinedload(TeachingAssignment.subject)])
    return policy.checked(journal, policy.can_give_distance_assignment, _actor())


def _load(item_id: int, allowed=None) -> DistanceAssignment:
    # Everything the page's header (assignments/parts/about.html) shows: templates run no queries.
    journal = joinedload(DistanceAssignment.assignment)
    item = db.session.get(DistanceAssignment, item_id, options=[
        journal.joinedload(TeachingAssignment.class_group), journal.joinedload(TeachingAssignment.subject),
        joinedload(DistanceAssignment.plan_item), joinedload(DistanceAssignment.lesson),
        joinedload(DistanceAssignment.work_kind), selectinload(DistanceAssignment.files)])
    if item is None or item.is_deleted:
        abort(404)
    return policy.checked(item, allowed, _actor())


def _load_student(item: DistanceAssignment, student_id: int) -> Student:
    student = db.session.get(Student, student_id)
    if student is None or student.school_id != item.school_id or not policy.is_given_to(student, item):
        abort(404)
    return student


def _refused(refusal: Refusal, files=None) -> str:
    if files is not None:
        files.rollback()
    if getattr(refusal, "year_closed", False):
        raise refusal
    return refusals.undo(refusal)


@bp.get("/")
@login_required
def index():
    """Teachers: the assignments they gave; students and parents: the assignments given to
    them or their children with the statuses."""
    user = _actor()
    given = ops.given_by(user) if user.has_role(*policy.TEACHING_ROLES) else []
    journals = []
    if user.has_role(*policy.TEACHING_ROLES):
        journals = list(db.session.scalars(
            select(TeachingAssignment).where(TeachingAssignment.teacher_id == user.id,
                                             TeachingAssignment.is_active.is_(True))
            .options(joinedload(TeachingAssignment.class_group), joinedload(TeachingAssignment.subject))))
        journals = [j for j in journals if not j.year.is_closed]
    rows = ops.given_to_students(policy.family_students(user))
    return render_template("assignments/index.html", given=given, journals=journals, rows=rows,
                           status_key=ops.status_key, labels=ops.STATUS_LABELS)


def _give_choices(journal: TeachingAssignment):
    topics = list(db.session.scalars(select(PlanItem).where(PlanItem.assignment_id == journal.id)
                                     .order_by(PlanItem.number)))
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.assignment_id == journal.id)
                                      .order_by(Lesson.date.desc(), Lesson.lesson_number.desc()).limit(60)))
    kinds = list(db.session.scalars(select(WorkKind).where(WorkKind.school_id == journal.school_id,
                                                           WorkKind.is_active.is_(True)).order_by(WorkKind.name)))
    return topics, lessons, kinds


def _render_give(journal, form, error=None, status=200):
    topics, lessons, kinds = _give_choices(journal)
    return render_template("assignments/give.html", journal=journal, form=form, topics=topics, lessons=lessons,
                           kinds=kinds, assessments=ops.allowed_assessments(journal),
                           assessment_labels=ops.ASSESSMENT_LABELS, error=error), status


def _int_or_none(value: str | None, prefix: str = "") -> int | None:
    value = (value or "").strip()
    if prefix:
        if not value.startswith(prefix):
            return None
        value = value[len(prefix):]
    if not value.isdigit():
        if value:
            abort(404)
        return None
    return int(value)


@bp.route("/journals/<int:assignment_id>/new", methods=["GET", "POST"])
@login_required
def give(assignment_id: int):
    journal = _load_journal(assignment_id)
    form = GiveForm()
    if request.method == "GET":
        return _render_give(journal, form)
    files = _files()
    try:
        if not form.validate_on_submit():
            errors = [str(e) for field in (form.due_date, form.due_time) for e in field.errors]
            raise ops.AssignmentRefusal(errors[0] if errors else _("Форма устарела: обновите страницу."), 400)
        tz = journal.school.timezone or current_app.config["SCHOOL_TIMEZONE"]
        item = ops.give(
            journal, _actor(), title=form.title.data, text=form.text.data,
            plan_item_id=_int_or_none(form.topic.data, "p"), lesson_id=_int_or_none(form.topic.data, "l"),
            work_kind_id=_int_or_none(form.work_kind_id.data),
            due_at=ops.due_moment(form.due_date.data, form.due_time.data, tz),
            assessment=(form.assessment.data or "").strip(),
            uploads=ops.check_files(request.files.getlist("files"), _max_size()), files=files,
        )
        db.session.commit()
        files.committed()
    except Refusal as refusal:
        return _render_give(journal, form, _refused(refusal, files), refusal.status)
    flash(_("Задание выдано."), "success")
    return redirect(url_for("assignments.show", item_id=item.id), 303)


@bp.get("/<int:item_id>")
@login_required
def show(item_id: int):
    """The class list with every student's status (the teacher, the class teacher, the office)."""
    item = _load(item_id, policy.can_view_distance_assignment)
    return render_template("assignments/show.html", item=item, rows=ops.class_list(item), lesson=ops.lesson_of(item),
                           status_key=ops.status_key, labels=ops.STATUS_LABELS,
                           assessment_labels=ops.ASSESSMENT_LABELS)


def _render_work(item, student, *, submit_form=None, review_form=None, error=None, status=200):
    user = _actor()
    submission = ops.submission_of(item, student)
    return render_template(
        "assignments/work.html", item=item, student=student, submission=submission,
        status=ops.status_key(submission), labels=ops.STATUS_LABELS, assessment_labels=ops.ASSESSMENT_LABELS,
        may_submit=policy.can_submit_distance_work(user, item, student)
        and (submission is None or submission.status != "checked"),
        may_review=policy.can_review_distance_work(user, item) and submission is not None
        and submission.status != "checked",
        may_see_list=policy.can_view_distance_assignment(user, item),
        values=ops.result_values(item), lesson=ops.lesson_of(item),
        submit_form=submit_form or SubmitForm(), review_form=review_form or ReviewForm(), error=error,
    ), status


@bp.get("/<int:item_id>/students/<int:student_id>")
@login_required
def work(item_id: int, student_id: int):
    """One student's work: the student (submit), a parent (read-only), the teacher (review)."""
    item = _load(item_id)
    student = _load_student(item, student_id)
    if not policy.can_view_distance_work(_actor(), item, student):
        abort(403)
    return _render_work(item, student)


@bp.post("/<int:item_id>/students/<int:student_id>/submit")
@login_required
def submit(item_id: int, student_id: int):
    item = _load(item_id)
    student = _load_student(item, student_id)
    if not policy.can_submit_distance_work(_actor(), item, student):
        abort(403)
    form = SubmitForm()
    files = _files()
    try:
        if not form.validate_on_submit():
            raise ops.AssignmentRefusal(_("Форма устарела: обновите страницу."), 400)
        submission = ops.submit(item, student, _actor(), text=form.text.data,
                                uploads=ops.check_files(request.files.getlist("files"), _max_size()), files=files)
        db.session.commit()
        files.committed()
    except Refusal as refusal:
        return _render_work(item, student, submit_form=form, error=_refused(refusal, files), status=refusal.status)
    flash(_("Работа сдана с опозданием.") if submission.is_late else _("Работа сдана."), "success")
    return redirect(url_for("assignments.work", item_id=item.id, student_id=student.id), 303)


@bp.post("/<int:item_id>/students/<int:student_id>/review")
@login_required
def review(item_id: int, student_id: int):
    item = _load(item_id, policy.can_review_distance_work)
    student = _load_student(item, student_id)
    submission = ops.submission_of(item, student)
    if submission is None:
        abort(404)
    form = ReviewForm()
    try:
        if not form.validate_on_submit():
            raise ops.AssignmentRefusal(_("Форма устарела: обновите страницу."), 400)
        ops.review(item, submission, _actor(), action=(form.action.data or "").strip(), comment=form.comment.data,
                   value=form.value.data or "")
        db.session.commit()
    except Refusal as refusal:
        return _render_work(item, student, review_form=form, error=_refused(refusal), status=refusal.status)
    flash(_("Работа возвращена на доработку.") if submission.status == "returned" else _("Работа проверена."),
          "success")
    return redirect(url_for("assignments.show", item_id=item.id), 303)


@bp.get("/<int:item_id>/files/<int:file_id>")
@login_required
def file(item_id: int, file_id: int):
    """A file of the materials or of a submission, to those who may see it."""
    item = _load(item_id)
    stored = db.session.get(DistanceAssignmentFile, file_id)
    if stored is None or stored.distance_assignment_id != item.id:
        abort(404)
    user = _actor()
    if stored.submission_id is None:
        allowed = policy.can_open_distance_materials(user, item)
    else:
        allowed = policy.can_view_distance_work(user, item, _submission_student(stored))
    if not allowed:
        abort(403)
    return send_stored_file(_files().directory, stored.file_path, stored.file_name, stored.file_mime)


def _submission_student(stored: DistanceAssignmentFile) -> Student:
    from models.assignments import DistanceSubmission

    return db.session.get(DistanceSubmission, stored.submission_id).student
