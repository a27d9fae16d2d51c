"""The demo's electronic test (JRN-10): one 5А mathematics test of four questions (one of each
kind) on the latest recorded lesson, open for the class, with one finished attempt whose mark
landed in the lesson's column. Deterministic: the first student of the roster answers three of
four questions right."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from blueprints.journal import queries as journal_queries
from blueprints.quizzes import operations as ops
from extensions import db
from models import ClassGroup, Lesson, Subject, TeachingAssignment, WorkKind
from models.base import utcnow

QUESTIONS = [
    MultiDict({"kind": "single", "text": "Сколько будет 7 · 8?", "points": "1", "options": "54\n56\n63", "correct": "2"}),
    MultiDict([("kind", "multiple"), ("text", "Какие из чисел делятся на 3?"), ("points", "2"),
               ("options", "12\n14\n21\n25"), ("correct", "1"), ("correct", "3")]),
    MultiDict({"kind": "number", "text": "Запишите десятичной дробью: 3/4", "points": "1",
               "number_answer": "0,75", "tolerance": "0"}),
    MultiDict({"kind": "text", "text": "Как называется результат сложения?", "points": "1", "accepted": "сумма"}),
]


def fill(school_id: int, seed: int) -> dict[str, int]:
    assignment = db.session.scalar(
        select(TeachingAssignment).join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(TeachingAssignment.school_id == school_id, ClassGroup.name == "5А", Subject.name == "Математика",
               TeachingAssignment.subgroup_id.is_(None))
        .order_by(TeachingAssignment.id).limit(1))
    if assignment is None:
        return {}
    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == assignment.id)
                               .order_by(Lesson.date.desc(), Lesson.lesson_number.desc()).limit(1))
    kind = db.session.scalar(select(WorkKind).where(WorkKind.school_id == school_id).order_by(WorkKind.id).limit(1))
    if lesson is None or kind is None:
        return {}
    kind = db.session.scalar(select(WorkKind).where(WorkKind.school_id == school_id, WorkKind.code == "test")) or kind
    quiz = ops.create_quiz(assignment, assignment.teacher, MultiDict({
        "title": "Проверочная: действия с числами", "lesson_id": str(lesson.id), "work_kind_id": str(kind.id),
        "time_limit": "15", "max_attempts": "2", "counts": "best", "pct_5": "85", "pct_4": "65", "pct_3": "45"}))
    for form in QUESTIONS:
        ops.add_question(quiz, form)
    ops.set_open(quiz, True)
    student = db.session.scalar(journal_queries.roster_query(assignment, lesson.date, lesson.date).limit(1))
    attempts = 0
    if student is not None:
        now = utcnow()
        attempt = ops.start_attempt(quiz, student, now)
        single, multiple, number, text = quiz.questions
        ops.save_answer(attempt, single, [str(single.options[1].id)], now)
        ops.save_answer(attempt, multiple, [str(multiple.options[0].id), str(multiple.options[2].id)], now)
        ops.save_answer(attempt, number, "0,75", now)
        ops.save_answer(attempt, text, "разность", now)
        ops.finish_attempt(attempt, now)
        attempts = 1
    db.session.flush()
    return {"quizzes": 1, "quiz_attempts": attempts}
