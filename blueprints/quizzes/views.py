"""Electronic tests (JRN-10): the teacher builds a test of a journal's lesson, opens and closes
it, reads the results; the student takes it (answers saved one by one as they go, the deadline
kept by the server) and sees the score and which answers were right — never the right answers.
Every view loads its object and checks the policy first (another's or a forged id → 404)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

import policy
from blueprints.quizzes import bp
from blueprints.quizzes import operations as ops
from database import writing_in_a_read
from domain.messages import Refusal
from extensions import db
from models import TeachingAssignment
from models.base import as_utc, utcnow
from models.quizzes import Attempt, Question, Quiz
from utils import refusals


def _user():
    return current_user._get_current_object()


def _assignment(assignment_id: int, allowed) -> TeachingAssignment:
    # the journal's title (subject, class, group) is on the page: loaded here, not in the template
    assignment = db.session.get(TeachingAssignment, assignment_id, options=[
        joinedload(TeachingAssignment.class_group), joinedload(TeachingAssignment.subject),
        joinedload(TeachingAssignment.subgroup)])
    return policy.checked(assignment, allowed, _user())


def _quiz(quiz_id: int, allowed) -> Quiz:
    return policy.checked(db.session.get(Quiz, quiz_id), allowed, _user())


def _edit(quiz_id: int) -> Quiz:
    quiz = _quiz(quiz_id, policy.can_view_quiz)
    if not policy.can_edit_quizzes(_user(), quiz.assignment):
        abort(403)
    return quiz


def _attempt(quiz_id: int, number: int) -> Attempt:
    """The student's own attempt, named by the test and its number among the student's own
    attempts: another student's attempt has no address of this student's (a forged number → 404)."""
    quiz = _quiz(quiz_id, policy.can_take_quiz)
    student = ops.student_of(_user())
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.student_id == student.id,
                                                         Attempt.number == number))
    if attempt is None or not policy.owns_attempt(_user(), attempt):
        abort(404)
    return attempt


def _attempt_url(attempt: Attempt) -> str:
    return url_for("quizzes.attempt", quiz_id=attempt.quiz_id, number=attempt.number)


def _refused(refusal: Refusal, url: str):
    """Bad input is answered 4xx with its Russian reason (app.py's error page), nothing stored."""
    raise refusal


# The teacher's side -----------------------------------------------------------------------


@bp.get("/assignments/<int:assignment_id>")
@login_required
def for_assignment(assignment_id: int):
    assignment = _assignment(assignment_id, policy.can_view_quizzes)
    quizzes = db.session.scalars(db.select(Quiz).where(Quiz.assignment_id == assignment.id).order_by(Quiz.id)).all()
    may_edit = policy.can_edit_quizzes(_user(), assignment)
    return render_template(
        "quizzes/assignment.html", assignment=assignment, quizzes=quizzes, may_edit=may_edit,
        lessons=ops.lessons_for(assignment) if may_edit else [], kinds=ops.work_kinds_for(assignment.school_id),
        counts_labels=ops.COUNTS_LABELS, form=request.args)


@bp.post("/assignments/<int:assignment_id>")
@login_required
def create(assignment_id: int):
    assignment = _assignment(assignment_id, policy.can_edit_quizzes)
    try:
        quiz = ops.create_quiz(assignment, _user(), request.form)
    except Refusal as refusal:
        return _refused(refusal, url_for("quizzes.for_assignment", assignment_id=assignment.id))
    db.session.commit()
    flash(_("Тест создан. Добавьте вопросы и откройте его для класса."), "success")
    return redirect(url_for("quizzes.edit", quiz_id=quiz.id), 303)


@bp.get("/<int:quiz_id>")
@login_required
def edit(quiz_id: int):
    quiz = _quiz(quiz_id, policy.can_view_quiz)
    may_edit = policy.can_edit_quizzes(_user(), quiz.assignment)
    started = ops.is_started(quiz)
    return render_template(
        "quizzes/edit.html", quiz=quiz, may_edit=may_edit, started=started, questions=ops._questions(quiz),
        lessons=ops.lessons_for(quiz.assignment), kinds=ops.work_kinds_for(quiz.school_id),
        kind_labels=ops.KIND_LABELS, counts_labels=ops.COUNTS_LABELS)


@bp.post("/<int:quiz_id>/settings")
@login_required
def settings(quiz_id: int):
    quiz = _edit(quiz_id)
    try:
        ops.update_settings(quiz, request.form)
    except Refusal as refusal:
        return _refused(refusal, url_for("quizzes.edit", quiz_id=quiz_id))
    db.session.commit()
    flash(_("Настройки теста сохранены."), "success")
    return redirect(url_for("quizzes.edit", quiz_id=quiz.id), 303)


@bp.post("/<int:quiz_id>/questions")
@login_required
def add_question(quiz_id: int):
    quiz = _edit(quiz_id)
    try:
        ops.add_question(quiz, request.form)
    except Refusal as refusal:
        return _refused(refusal, url_for("quizzes.edit", quiz_id=quiz_id))
    db.session.commit()
    flash(_("Вопрос добавлен."), "success")
    return redirect(url_for("quizzes.edit", quiz_id=quiz.id) + "#questions", 303)


@bp.post("/<int:quiz_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(quiz_id: int, question_id: int):
    quiz = _edit(quiz_id)
    question = db.session.get(Question, question_id)
    if question is None or question.quiz_id != quiz.id:
        abort(404)
    try:
        ops.delete_question(quiz, question)
    except Refusal as refusal:
        return _refused(refusal, url_for("quizzes.edit", quiz_id=quiz_id))
    db.session.commit()
    flash(_("Вопрос удалён."), "success")
    return redirect(url_for("quizzes.edit", quiz_id=quiz.id) + "#questions", 303)


@bp.post("/<int:quiz_id>/open")
@login_required
def open_quiz(quiz_id: int):
    quiz = _edit(quiz_id)
    is_open = request.form.get("open") == "1"
    try:
        ops.set_open(quiz, is_open)
    except Refusal as refusal:
        return _refused(refusal, url_for("quizzes.edit", quiz_id=quiz_id))
    db.session.commit()
    flash(_("Тест открыт для класса.") if is_open else _("Тест закрыт."), "success")
    return redirect(url_for("quizzes.edit", quiz_id=quiz.id), 303)


@bp.get("/<int:quiz_id>/results")
@login_required
def results(quiz_id: int):
    quiz = _quiz(quiz_id, policy.can_view_quiz)
    rows, stats = ops.results(quiz)
    return render_template("quizzes/results.html", quiz=quiz, rows=rows, stats=stats)


# The student's side -----------------------------------------------------------------------


def _score_late(attempts) -> bool:
    """An attempt past its deadline is scored on the next visit; a read of a closed year stays a
    read (the refusal of the write is rolled back, the page still opens)."""
    late = [a for a in attempts if ops.is_overdue(a)]
    if not late:
        return False
    try:
        with writing_in_a_read(db.session()):  # a GET that writes: the write lock at BEGIN
            scored = any([ops.finish_if_late(a) for a in late])
            db.session.commit()
        return scored
    except Refusal:
        db.session.rollback()
        return False


@bp.get("/my")
@login_required
def my():
    user = _user()
    student = ops.student_of(user) if user.has_role("student") else None
    if student is None:
        abort(403)
    quizzes = ops.open_quizzes_for(student)
    return render_template("quizzes/my.html", quizzes=quizzes)


@bp.get("/<int:quiz_id>/take")
@login_required
def take(quiz_id: int):
    """The test's cover: its rules and the student's attempts; no question before the start."""
    quiz = _quiz(quiz_id, policy.can_take_quiz)
    student = ops.student_of(_user())
    attempts = ops.attempts_of(quiz, student)
    _score_late(attempts)
    running = next((a for a in attempts if a.finished_at is None), None)
    return render_template("quizzes/take.html", quiz=quiz, attempts=attempts, running=running,
                           question_count=len(quiz.questions), counts_labels=ops.COUNTS_LABELS)


@bp.post("/<int:quiz_id>/start")
@login_required
def start(quiz_id: int):
    quiz = _quiz(quiz_id, policy.can_take_quiz)
    student = ops.student_of(_user())
    try:
        try:
            attempt = ops.start_attempt(quiz, student)
            db.session.commit()
        except IntegrityError:
            # a second «Начать» raced the first (a double tap): the first made the attempt,
            # which this one now finds and continues
            db.session.rollback()
            attempt = ops.start_attempt(_quiz(quiz_id, policy.can_take_quiz), student)
            db.session.commit()
    except Refusal as refusal:
        db.session.rollback()
        return _refused(refusal, url_for("quizzes.take", quiz_id=quiz.id))
    return redirect(_attempt_url(attempt), 303)


@bp.get("/<int:quiz_id>/attempts/<int:number>")
@login_required
def attempt(quiz_id: int, number: int):
    found = _attempt(quiz_id, number)
    if _score_late([found]):
        flash(_("Время на тест истекло: попытка завершена и оценена."), "warning")
    questions = ops._questions(found.quiz)
    answers = {a.question_id: a for a in found.answers}
    seconds_left = None
    if found.finished_at is None and found.deadline is not None:
        seconds_left = max(0, int((as_utc(found.deadline) - utcnow()).total_seconds()))
    return render_template("quizzes/attempt.html", attempt=found, quiz=found.quiz, questions=questions,
                           answers=answers, seconds_left=seconds_left)


@bp.post("/<int:quiz_id>/attempts/<int:number>/answers/<int:question_id>")
@login_required
def save_answer(quiz_id: int, number: int, question_id: int):
    found = _attempt(quiz_id, number)
    question = db.session.get(Question, question_id)
    if question is None or question.quiz_id != found.quiz_id:
        abort(404)
    value = request.form.getlist("value") if question.kind in ("single", "multiple") else request.form.get("value", "")
    try:
        ops.save_answer(found, question, value)
    except Refusal as refusal:
        message = refusals.undo(refusal)
        return render_template("quizzes/_saved.html", question=question, error=message), refusal.status
    db.session.commit()
    return render_template("quizzes/_saved.html", question=question, error=None)


@bp.post("/<int:quiz_id>/attempts/<int:number>/finish")
@login_required
def finish(quiz_id: int, number: int):
    found = _attempt(quiz_id, number)
    ops.finish_attempt(found)
    db.session.commit()
    flash(_("Тест завершён."), "success")
    return redirect(_attempt_url(found), 303)
