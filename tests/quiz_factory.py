"""Tests' builders of electronic tests (JRN-10) on the small_school: a lesson of maths 5А and a
test of four questions (one of each kind) with its correct answers."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from blueprints.journal import operations as journal_ops
from blueprints.quizzes import operations as ops
from extensions import db
from models import Lesson, WorkKind
from models.quizzes import Quiz
from tests.clock import school_date

QUIZ_DAY = (2026, 11, 19)
QUESTIONS = [
    MultiDict({"kind": "single", "text": "Сколько будет 2+2?", "points": "1", "options": "3\n4\n5", "correct": "2"}),
    MultiDict([("kind", "multiple"), ("text", "Какие числа чётные?"), ("points", "2"),
               ("options", "2\n3\n8\n9"), ("correct", "1"), ("correct", "3")]),
    MultiDict({"kind": "number", "text": "Половина от 7?", "points": "1", "number_answer": "3,5", "tolerance": "0,01"}),
    MultiDict({"kind": "text", "text": "Столица России?", "points": "1", "accepted": "Москва\nг. Москва"}),
]


def quiz_lesson(s, number: int = 6) -> Lesson:
    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == s.maths_5a.id,
                                                    Lesson.date == school_date(*QUIZ_DAY), Lesson.lesson_number == number))
    if lesson is None:
        lesson = journal_ops.create_lesson(s.maths_5a, s.maths_teacher, school_date(*QUIZ_DAY), number, "Проверочная")
        db.session.flush()
    return lesson


def kind(s, code: str = "test") -> WorkKind:
    return db.session.scalar(select(WorkKind).where(WorkKind.school_id == s.school.id, WorkKind.code == code))


def settings(s, **overrides) -> dict:
    data = {"title": "Проверочная по математике", "lesson_id": str(quiz_lesson(s).id), "work_kind_id": str(kind(s).id),
            "time_limit": "20", "max_attempts": "2", "counts": "best", "pct_5": "85", "pct_4": "65", "pct_3": "45"}
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def make_quiz(s, *, is_open: bool = True, questions=QUESTIONS, **overrides) -> Quiz:
    quiz = ops.create_quiz(s.maths_5a, s.maths_teacher, MultiDict(settings(s, **overrides)))
    for form in questions:
        ops.add_question(quiz, form if isinstance(form, MultiDict) else MultiDict(form))
    quiz.is_open = is_open
    db.session.commit()
    return quiz


def right_answers(quiz: Quiz) -> dict[int, object]:
    """The right answer of each question as a student would send it."""
    result = {}
    for q in quiz.questions:
        if q.kind in ("single", "multiple"):
            result[q.id] = [str(o.id) for o in q.options if o.is_correct]
        elif q.kind == "number":
            result[q.id] = "3.5"
        else:
            result[q.id] = "  москва "
    return result
