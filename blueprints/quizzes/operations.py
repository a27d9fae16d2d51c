"""Use cases of the electronic tests (JRN-10): they change the session and flush; the views
commit. Every refusal is a QuizError (a Refusal) with the Russian reason; nothing is stored."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.journal import queries as journal_queries
from blueprints.journal.operations import JournalError, set_work_mark
from domain import quizzes as rules
from domain.messages import N_, Refusal
from extensions import db
from models import Lesson, Student, TeachingAssignment, User, WorkKind
from models.base import as_utc, utcnow
from models.quizzes import Answer, Attempt, Option, Question, Quiz

KIND_LABELS = {
    "single": N_("Один верный вариант"),
    "multiple": N_("Несколько верных вариантов"),
    "number": N_("Число"),
    "text": N_("Короткий ответ"),
}
COUNTS_LABELS = {"best": N_("лучшая попытка"), "last": N_("последняя попытка")}


class QuizError(Refusal):
    pass


def _text(value: str, limit: int, what: str = "", required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise QuizError(N_("Заполните обязательные поля."), 400)
    if len(value) > limit:
        raise QuizError(N_("Слишком длинный текст (не более %(limit)s знаков)."), 400, limit=limit)
    if "<" in value and ">" in value:
        raise QuizError(N_("HTML-разметка и скрипты в тексте теста не допускаются."), 400)
    return value


def _int(value, low: int, high: int, default: int | None = None) -> int:
    value = (str(value) if value is not None else "").strip()
    if not value and default is not None:
        return default
    if not value.isdigit() or not (low <= int(value) <= high):
        raise QuizError(N_("Число должно быть от %(low)s до %(high)s."), 400, low=low, high=high)
    return int(value)


def lessons_for(assignment: TeachingAssignment) -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).where(Lesson.assignment_id == assignment.id)
                                   .order_by(Lesson.date.desc(), Lesson.lesson_number)))


def work_kinds_for(school_id: int) -> list[WorkKind]:
    return list(db.session.scalars(select(WorkKind).where(WorkKind.school_id == school_id).order_by(WorkKind.id)))


def _settings(quiz: Quiz, form) -> None:
    quiz.title = _text(form.get("title", ""), rules.MAX_TITLE, "title")
    minutes = _int(form.get("time_limit", ""), 0, rules.MAX_MINUTES, default=0)
    quiz.time_limit_minutes = minutes or None
    quiz.max_attempts = _int(form.get("max_attempts", ""), 1, rules.MAX_ATTEMPTS, default=1)
    counts = form.get("counts", "best")
    if counts not in rules.COUNTS:
        raise QuizError(N_("Неверный вариант."), 400)
    quiz.counts = counts
    pct_5 = _int(form.get("pct_5", ""), 1, 100, default=85)
    pct_4 = _int(form.get("pct_4", ""), 1, 100, default=65)
    pct_3 = _int(form.get("pct_3", ""), 1, 100, default=45)
    if rules.scale_error(pct_5, pct_4, pct_3):
        raise QuizError(N_("Пороги отметок должны убывать: «5» > «4» > «3»."), 400)
    quiz.pct_5, quiz.pct_4, quiz.pct_3 = pct_5, pct_4, pct_3
    lesson_id = form.get("lesson_id", "")
    lesson = db.session.get(Lesson, int(lesson_id)) if str(lesson_id).isdigit() else None
    if lesson is None or lesson.assignment_id != quiz.assignment_id:
        raise QuizError(N_("Выберите урок этого журнала."), 400)
    kind_id = form.get("work_kind_id", "")
    kind = db.session.get(WorkKind, int(kind_id)) if str(kind_id).isdigit() else None
    if kind is None or kind.school_id != quiz.school_id:
        raise QuizError(N_("Такого вида работы нет."), 400)
    quiz.lesson_id, quiz.work_kind_id = lesson.id, kind.id


def create_quiz(assignment: TeachingAssignment, user: User, form) -> Quiz:
    quiz = Quiz(school_id=assignment.school_id, assignment_id=assignment.id, created_by_id=user.id)
    _settings(quiz, form)
    db.session.add(quiz)
    db.session.flush()
    return quiz


def is_started(quiz: Quiz) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.quiz_id == quiz.id)))


def _editable(quiz: Quiz) -> None:
    if is_started(quiz):
        raise QuizError(N_("Тест уже начали проходить: вопросы и настройки больше не меняются."), 409)


def update_settings(quiz: Quiz, form) -> None:
    _editable(quiz)
    _settings(quiz, form)
    db.session.flush()


def add_question(quiz: Quiz, form) -> Question:
    _editable(quiz)
    kind = form.get("kind", "")
    if kind not in rules.KINDS:
        raise QuizError(N_("Неверный вариант."), 400)
    question = Question(kind=kind, text=_text(form.get("text", ""), rules.MAX_TEXT, "text"),
                        points=_int(form.get("points", ""), 1, rules.MAX_POINTS, default=1),
                        position=len(quiz.questions))
    if kind in ("single", "multiple"):
        lines = rules.variants(form.get("options", "").splitlines())
        if not 2 <= len(lines) <= rules.MAX_OPTIONS:
            raise QuizError(N_("Нужно от 2 до %(n)s вариантов ответа, по одному в строке."), 400, n=rules.MAX_OPTIONS)
        correct = {int(v) for v in form.getlist("correct") if str(v).isdigit()} if hasattr(form, "getlist") else set()
        correct = {n for n in correct if 1 <= n <= len(lines)}
        if not correct or (kind == "single" and len(correct) != 1):
            raise QuizError(N_("Отметьте верные варианты (для одного верного — ровно один)."), 400)
        for n, line in enumerate(lines, start=1):
            question.options.append(Option(position=n, text=_text(line, rules.MAX_OPTION, "option"),
                                           is_correct=n in correct))
    elif kind == "number":
        number = rules.parse_number(form.get("number_answer", ""))
        tolerance = rules.parse_number(form.get("tolerance", "") or "0")
        if number is None or tolerance is None or tolerance < 0:
            raise QuizError(N_("Укажите верный ответ-число и допуск (не меньше нуля)."), 400)
        question.number_answer, question.tolerance = number, tolerance
    else:
        accepted = [_text(v, rules.MAX_OPTION, "variant") for v in rules.variants(form.get("accepted", "").splitlines())]
        if not accepted:
            raise QuizError(N_("Укажите хотя бы один верный вариант ответа."), 400)
        question.accepted = "\n".join(accepted)
    quiz.questions.append(question)
    db.session.flush()
    return question


def delete_question(quiz: Quiz, question: Question) -> None:
    _editable(quiz)
    quiz.questions.remove(question)
    db.session.flush()
    for n, q in enumerate(quiz.questions):
        q.position = n
    db.session.flush()


def set_open(quiz: Quiz, is_open: bool) -> None:
    if is_open and not quiz.questions:
        raise QuizError(N_("В тесте нет вопросов."), 409)
    quiz.is_open = is_open
    db.session.flush()


# The student's side ----------------------------------------------------------------------


def student_of(user: User) -> Student | None:
    return db.session.scalar(select(Student).where(Student.user_id == user.id))


def may_take(quiz: Quiz, student: Student) -> bool:
    return (student.school_id == quiz.school_id
            and journal_queries.student_in_roster(quiz.assignment, student.id, quiz.lesson.date))


def attempts_of(quiz: Quiz, student: Student) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.student_id == student.id)
                                   .order_by(Attempt.number)))


def start_attempt(quiz: Quiz, student: Student, now: datetime | None = None) -> Attempt:
    now = now or utcnow()
    if not quiz.is_open:
        raise QuizError(N_("Тест закрыт."), 409)
    attempts = attempts_of(quiz, student)
    running = next((a for a in attempts if a.finished_at is None), None)
    if running is not None:
        if not finish_if_late(running, now):
            return running
    if len(attempts) >= quiz.max_attempts:
        raise QuizError(N_("Попытки закончились."), 409)
    attempt = Attempt(quiz=quiz, student_id=student.id, number=len(attempts) + 1, started_at=now,
                      deadline=rules.deadline(now, quiz.time_limit_minutes))
    db.session.add(attempt)
    db.session.flush()
    return attempt


def save_answer(attempt: Attempt, question: Question, value, now: datetime | None = None) -> Answer:
    """Stores the answer as the latest word (the same answer sent twice changes nothing)."""
    now = now or utcnow()
    if attempt.finished_at is not None:
        raise QuizError(N_("Попытка уже завершена: ответы не принимаются."), 409)
    if rules.is_late(now, as_utc(attempt.deadline)):
        raise QuizError(N_("Время на тест истекло: ответ не принят."), 409)
    if question.quiz_id != attempt.quiz_id:
        raise QuizError(N_("Такого вопроса нет."), 404)
    if isinstance(value, list):
        valid = {o.id for o in question.options}
        ids = sorted({int(v) for v in value if str(v).isdigit()})
        if any(i not in valid for i in ids) or (question.kind == "single" and len(ids) > 1):
            raise QuizError(N_("Неверный вариант."), 400)
        text = ",".join(str(i) for i in ids)
    else:
        text = (value or "").strip()
        if len(text) > rules.MAX_ANSWER:
            raise QuizError(N_("Слишком длинный ответ (не более %(limit)s знаков)."), 400, limit=rules.MAX_ANSWER)
        if "<" in text and ">" in text:
            raise QuizError(N_("HTML-разметка и скрипты в ответе не допускаются."), 400)
    answer = db.session.scalar(select(Answer).where(Answer.attempt_id == attempt.id,
                                                    Answer.question_id == question.id))
    if answer is None:
        answer = Answer(attempt=attempt, question_id=question.id, value=text, saved_at=now)
        db.session.add(answer)
    elif answer.value != text:
        answer.value, answer.saved_at = text, now
    db.session.flush()
    return answer


def key_of(question: Question) -> rules.Key:
    return rules.Key(kind=question.kind, points=question.points,
                     correct_options=frozenset(o.id for o in question.options if o.is_correct),
                     number=question.number_answer, tolerance=question.tolerance or 0.0,
                     accepted=tuple(rules.variants(question.accepted.splitlines())))


def _questions(quiz: Quiz) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.quiz_id == quiz.id)
                                   .options(selectinload(Question.options)).order_by(Question.position)))


def finish_attempt(attempt: Attempt, now: datetime | None = None) -> None:
    """Scores the attempt (answers saved before its deadline), then puts the counted attempt's
    mark in the grid; a refusal of the cell is kept on the attempt for the teacher."""
    now = now or utcnow()
    if attempt.finished_at is not None:
        return
    quiz = attempt.quiz
    answers = {a.question_id: a for a in attempt.answers}
    score = total = 0.0
    for question in _questions(quiz):
        total += question.points
        answer = answers.get(question.id)
        if answer is None:
            continue
        answer.is_correct = rules.check(key_of(question), answer.value)
        answer.points = float(question.points) if answer.is_correct else 0.0
        score += answer.points
    deadline = as_utc(attempt.deadline)
    attempt.finished_at = min(now, deadline) if deadline is not None else now
    attempt.score, attempt.max_score = score, total
    attempt.mark = rules.mark_for(score, total, quiz.pct_5, quiz.pct_4, quiz.pct_3)
    db.session.flush()
    land_mark(quiz, attempt.student)


def is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """An attempt still open past its deadline (the server's clock decides)."""
    return attempt.finished_at is None and rules.is_late(now or utcnow(), as_utc(attempt.deadline))


def finish_if_late(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if is_overdue(attempt, now):
        finish_attempt(attempt, now)
        return True
    return False


def land_mark(quiz: Quiz, student: Student) -> None:
    attempts = attempts_of(quiz, student)
    chosen = rules.counted(attempts, quiz.counts)
    if chosen is None or not chosen.mark:
        return
    assignment = quiz.assignment
    if not assignment.carries_marks:
        return
    try:
        with db.session.begin_nested():
            set_work_mark(quiz.lesson, student, assignment.teacher, quiz.work_kind, chosen.mark, via="test")
        chosen.mark_error = ""
    except JournalError as error:
        chosen.mark_error = (error.message % error.params if error.params else error.message)[:300]
    for other in attempts:
        if other is not chosen:
            other.mark_error = ""
    db.session.flush()


# The teacher's results -------------------------------------------------------------------


@dataclass
class QuestionStats:
    question: Question
    answered: int = 0
    correct: int = 0
    points: float = 0.0
    finished: int = 0

    @property
    def share_correct(self) -> int:
        return round(100 * self.correct / self.finished) if self.finished else 0

    @property
    def average(self) -> float:
        return round(self.points / self.finished, 2) if self.finished else 0.0


@dataclass
class StudentRow:
    student: Student
    attempts: list[Attempt] = field(default_factory=list)
    counted: Attempt | None = None


def results(quiz: Quiz) -> tuple[list[StudentRow], list[QuestionStats]]:
    """Per student (the roster on the lesson's date) and per question, in a fixed number of queries."""
    questions = _questions(quiz)
    roster = list(db.session.scalars(journal_queries.roster_query(quiz.assignment, quiz.lesson.date, quiz.lesson.date)))
    attempts = list(db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id)
                                       .order_by(Attempt.student_id, Attempt.number)))
    by_student: dict[int, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_student[a.student_id].append(a)
    rows = []
    for student in roster:
        own = by_student.get(student.id, [])
        rows.append(StudentRow(student, own, rules.counted(own, quiz.counts)))
    stats = {q.id: QuestionStats(q) for q in questions}
    finished_ids = [a.id for a in attempts if a.finished_at is not None]
    for s in stats.values():
        s.finished = len(finished_ids)
    if finished_ids:
        rows_ = db.session.execute(
            select(Answer.question_id, func.count(Answer.id), func.sum(Answer.points),
                   func.count(Answer.id).filter(Answer.is_correct.is_(True)))
            .where(Answer.attempt_id.in_(finished_ids)).group_by(Answer.question_id))
        for question_id, answered, points, correct in rows_:
            if question_id in stats:
                stats[question_id].answered = answered
                stats[question_id].points = float(points or 0)
                stats[question_id].correct = correct
    return rows, [stats[q.id] for q in questions]


def open_quizzes_for(student: Student) -> list[Quiz]:
    """The open tests of the journals of the student's class (the roster decides at the start)."""
    if student.current_class_id is None:
        return []
    quizzes = db.session.scalars(
        select(Quiz).join(TeachingAssignment, TeachingAssignment.id == Quiz.assignment_id)
        .where(TeachingAssignment.class_id == student.current_class_id, Quiz.is_open.is_(True))
        .options(selectinload(Quiz.assignment).joinedload(TeachingAssignment.subject)).order_by(Quiz.id)).all()
    return [q for q in quizzes if may_take(q, student)]
