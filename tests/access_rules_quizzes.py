"""Access rules for the electronic tests (JRN-10, blueprints/quizzes): a journal's tests and
their results are read by whoever reads the journal (its teacher, the class teacher, the academic
office) and built, opened and closed by its teacher only; a test is taken by the students of the
journal's class alone, each reaching only their own attempts (by their own numbers)."""
from __future__ import annotations

from tests.access import OFFICE, Rule

MATHS_5A = frozenset({"maths_teacher"}) | OFFICE
TEACHER = frozenset({"maths_teacher"})
STUDENT_5A = frozenset({"student_5a"})


def _quiz(s, key: str = "_quiz_edit", is_open: bool = False) -> int:
    """A test of maths 5А: "_quiz_edit" nobody has started (editable), "_quiz_take" open."""
    from tests.quiz_factory import make_quiz

    if not hasattr(s, key):
        setattr(s, key, make_quiz(s, is_open=is_open, title=key).id)
    return getattr(s, key)


def _open_quiz(s) -> int:
    return _quiz(s, "_quiz_take", is_open=True)


def _question(s) -> int:
    from extensions import db
    from models.quizzes import Quiz

    return db.session.get(Quiz, _quiz(s)).questions[-1].id


def _attempt(s) -> str:
    """Петров Пётр's first attempt of the open test (started, nothing answered)."""
    from blueprints.quizzes import operations as ops
    from extensions import db
    from models.quizzes import Quiz

    quiz = db.session.get(Quiz, _open_quiz(s))
    if not ops.attempts_of(quiz, s.pupils_5a[0]):
        ops.start_attempt(quiz, s.pupils_5a[0])
        db.session.commit()
    return f"/tests/{quiz.id}/attempts/1"


def _answer(s) -> str:
    from extensions import db
    from models.quizzes import Quiz

    url = _attempt(s)
    question = db.session.get(Quiz, _open_quiz(s)).questions[3]  # the text question
    return f"{url}/answers/{question.id}"


def _new_quiz_data(s) -> dict:
    from tests.quiz_factory import settings

    return settings(s, title="Новый тест")


RULES = [
    Rule("GET", "/tests/assignments/<int:assignment_id>", MATHS_5A, lambda s: f"/tests/assignments/{s.maths_5a.id}"),
    Rule("POST", "/tests/assignments/<int:assignment_id>", TEACHER, lambda s: f"/tests/assignments/{s.maths_5a.id}",
         data=_new_quiz_data),
    Rule("GET", "/tests/<int:quiz_id>", MATHS_5A, lambda s: f"/tests/{_quiz(s)}"),
    Rule("POST", "/tests/<int:quiz_id>/settings", TEACHER, lambda s: f"/tests/{_quiz(s)}/settings",
         data=lambda s: _new_quiz_data(s) | {"title": "Другое название"}),
    Rule("POST", "/tests/<int:quiz_id>/questions", TEACHER, lambda s: f"/tests/{_quiz(s)}/questions",
         data=lambda s: {"kind": "number", "text": "Сколько будет 3·3?", "points": "1", "number_answer": "9"}),
    Rule("POST", "/tests/<int:quiz_id>/questions/<int:question_id>/delete", TEACHER,
         lambda s: f"/tests/{_quiz(s)}/questions/{_question(s)}/delete"),
    Rule("POST", "/tests/<int:quiz_id>/open", TEACHER, lambda s: f"/tests/{_quiz(s)}/open", data=lambda s: {"open": "1"}),
    Rule("GET", "/tests/<int:quiz_id>/results", MATHS_5A, lambda s: f"/tests/{_open_quiz(s)}/results"),
    Rule("GET", "/tests/my", frozenset({"student_5a", "student_5b"}), lambda s: "/tests/my"),
    Rule("GET", "/tests/<int:quiz_id>/take", STUDENT_5A, lambda s: f"/tests/{_open_quiz(s)}/take"),
    Rule("POST", "/tests/<int:quiz_id>/start", STUDENT_5A, lambda s: f"/tests/{_quiz(s, '_quiz_start', True)}/start"),
    Rule("GET", "/tests/<int:quiz_id>/attempts/<int:number>", STUDENT_5A, _attempt),
    Rule("POST", "/tests/<int:quiz_id>/attempts/<int:number>/answers/<int:question_id>", STUDENT_5A, _answer,
         data=lambda s: {"value": "Москва"}),
    Rule("POST", "/tests/<int:quiz_id>/attempts/<int:number>/finish", STUDENT_5A, lambda s: _attempt(s) + "/finish"),
]
