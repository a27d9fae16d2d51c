"""Electronic tests (JRN-10): the teacher builds a test of a lesson with a points-to-mark scale,
the student takes it (answers saved one by one, idempotently; the deadline kept by the server),
the score becomes a mark in the lesson's column by the grid's own rules, and the correct answers
never reach the student."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from blueprints.journal import operations as journal_ops
from blueprints.quizzes import operations as ops
from domain import quizzes as rules
from extensions import db
from models import JournalChange, Mark
from models.base import utcnow
from models.quizzes import Answer, Attempt, Option, Question, Quiz
from tests.quiz_factory import QUESTIONS, make_quiz, quiz_lesson, right_answers, settings


def text(response) -> str:
    return response.get_data(as_text=True)


# The pure rules ---------------------------------------------------------------------------


def test_text_answers_ignore_case_yo_and_spaces():
    key = rules.Key(kind="text", points=1, accepted=("Ёлка зелёная", "ель"))
    assert rules.check(key, "  елка   ЗЕЛЕНАЯ ")
    assert rules.check(key, "Ель")
    assert not rules.check(key, "сосна") and not rules.check(key, "")


def test_number_answers_with_tolerance_and_a_comma():
    key = rules.Key(kind="number", points=1, number=3.14, tolerance=0.01)
    assert rules.check(key, "3,14") and rules.check(key, "3.15") and rules.check(key, " 3.13 ")
    assert not rules.check(key, "3.16") and not rules.check(key, "пи") and not rules.check(key, "inf")


def test_multiple_choice_is_right_only_with_exactly_the_correct_options():
    key = rules.Key(kind="multiple", points=2, correct_options=frozenset({1, 3}))
    assert rules.check(key, "3,1")
    assert not rules.check(key, "1") and not rules.check(key, "1,2,3")


@pytest.mark.parametrize("score, mark", [(10, "5"), (8.5, "5"), (8.4, "4"), (6.5, "4"), (6.4, "3"), (4.5, "3"),
                                         (4.4, "2"), (0, "2")])
def test_the_teachers_scale(score, mark):
    assert rules.mark_for(score, 10, 85, 65, 45) == mark


def test_the_best_or_the_last_attempt_counts():
    from types import SimpleNamespace as A

    now = utcnow()
    attempts = [A(number=1, score=5, finished_at=now), A(number=2, score=3, finished_at=now),
                A(number=3, score=None, finished_at=None)]
    assert rules.counted(attempts, "best").number == 1
    assert rules.counted(attempts, "last").number == 2


# Taking a test ----------------------------------------------------------------------------


def _start(client, auth, s, quiz):
    auth.login(s.pupils_5a[0].user)
    response = client.post(f"/tests/{quiz.id}/start")
    assert response.status_code == 303
    return response.location


def _save(client, url, question_id, value):
    data = {"value": value}
    return client.post(f"{url}/answers/{question_id}", data=data, headers={"HX-Request": "true"})


def test_a_student_takes_the_test_and_the_mark_lands_in_the_grid(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s)
    url = _start(client, auth, s, quiz)
    for question_id, value in right_answers(quiz).items():
        response = _save(client, url, question_id, value)
        assert response.status_code == 200 and "Ответ сохранён" in text(response)
    # the same answer sent again (a retry after a lost connection) stores nothing new
    question = quiz.questions[3]
    assert _save(client, url, question.id, "Москва").status_code == 200
    assert _save(client, url, question.id, "Москва").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 4
    response = client.post(f"{url}/finish", follow_redirects=True)
    page = text(response)
    assert "Результат: 5 из 5 баллов" in page and "Отметка: 5" in page
    attempt = db.session.scalar(select(Attempt))
    assert (attempt.score, attempt.mark, attempt.mark_error) == (5.0, "5", "")
    mark = db.session.scalar(select(Mark).where(Mark.student_id == s.pupils_5a[0].id, Mark.lesson_id == quiz.lesson_id))
    assert mark.value == "5" and mark.work_kind_id == quiz.work_kind_id
    assert db.session.scalar(select(JournalChange.via).where(JournalChange.entity == "mark")) == "test"


def test_the_correct_answers_never_reach_the_student(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s, questions=[
        {"kind": "single", "text": "Выберите", "points": "1", "options": "Первый вариант\nВторой вариант", "correct": "2"},
        {"kind": "number", "text": "Число?", "points": "1", "number_answer": "271828", "tolerance": "0"},
        {"kind": "text", "text": "Слово?", "points": "1", "accepted": "Секретноеслово\nТайноеслово"},
    ])
    quiz = db.session.get(Quiz, quiz.id)
    wrong_option = next(o for o in quiz.questions[0].options if not o.is_correct)
    right_option = next(o for o in quiz.questions[0].options if o.is_correct)
    bodies = []
    auth.login(s.pupils_5a[0].user)
    bodies.append(text(client.get("/tests/my")))
    cover = text(client.get(f"/tests/{quiz.id}/take"))
    bodies.append(cover)
    assert "Выберите" not in cover  # no question before the start
    response = client.post(f"/tests/{quiz.id}/start", follow_redirects=True)
    bodies.append(text(response))
    url = f"/tests/{quiz.id}/attempts/1"
    bodies.append(text(_save(client, url, quiz.questions[0].id, str(wrong_option.id))))
    bodies.append(text(_save(client, url, quiz.questions[1].id, "12")))
    bodies.append(text(_save(client, url, quiz.questions[2].id, "неслово")))
    bodies.append(text(client.get(url)))
    bodies.append(text(client.post(f"{url}/finish", follow_redirects=True)))
    bodies.append(text(client.get(url)))
    bodies.append(text(client.get(f"/tests/{quiz.id}/take")))
    for body in bodies:
        for secret in ("271828", "Секретноеслово", "Тайноеслово", "is_correct", "верный", "✓"):
            assert secret not in body
        # the right option is offered, never marked chosen or right
        assert not re.search(rf'value="{right_option.id}"[^>]*checked', body)
    final = bodies[-2]
    assert "Результат: 0 из 3 баллов" in final and final.count("неверно") == 3
    # the questions' texts are shown only after the start
    assert "Выберите" in bodies[2]


def test_an_answer_after_the_time_limit_is_refused_and_the_attempt_is_scored_on_the_next_visit(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s, time_limit=10)
    url = _start(client, auth, s, quiz)
    page = text(client.get(url))
    assert "Осталось времени:" in page and "data-seconds-left" in page
    question = quiz.questions[3]
    assert _save(client, url, question.id, "Москва").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=11), tick=False):
        late = _save(client, url, quiz.questions[2].id, "3.5")
        assert late.status_code == 409 and "Время на тест истекло" in text(late)
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
        page = text(client.get(url, follow_redirects=True))
    attempt = db.session.scalar(select(Attempt))
    db.session.refresh(attempt)
    assert attempt.finished_at is not None and attempt.score == 1.0 and attempt.mark == "2"
    assert "Результат: 1 из 5 баллов" in page


def test_the_attempts_limit_and_the_counted_attempt(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s, max_attempts=2, counts="last")
    answers = right_answers(quiz)
    url = _start(client, auth, s, quiz)
    for question_id, value in answers.items():
        _save(client, url, question_id, value)
    client.post(f"{url}/finish")
    url = client.post(f"/tests/{quiz.id}/start").location
    assert url.endswith("/attempts/2")
    _save(client, url, quiz.questions[3].id, "Москва")  # 1 of 5: 20 % → 2
    client.post(f"{url}/finish")
    mark = db.session.scalar(select(Mark).where(Mark.student_id == s.pupils_5a[0].id))
    assert mark.value == "2"  # the last attempt counts
    refused = client.post(f"/tests/{quiz.id}/start")
    assert refused.status_code == 409 and "Попытки закончились" in text(refused)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_the_best_attempt_counts_when_the_teacher_chooses_so(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s, max_attempts=2, counts="best")
    url = _start(client, auth, s, quiz)
    for question_id, value in right_answers(quiz).items():
        _save(client, url, question_id, value)
    client.post(f"{url}/finish")
    url = client.post(f"/tests/{quiz.id}/start").location
    client.post(f"{url}/finish")  # nothing answered: 0 → 2
    mark = db.session.scalar(select(Mark).where(Mark.student_id == s.pupils_5a[0].id))
    assert mark.value == "5"


def test_an_absent_student_keeps_the_score_and_the_teacher_sees_why_no_mark(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s)
    journal_ops.save_cell(quiz_lesson(s), s.pupils_5a[0], s.maths_teacher, "н", key="", base=None)
    db.session.commit()
    url = _start(client, auth, s, quiz)
    for question_id, value in right_answers(quiz).items():
        _save(client, url, question_id, value)
    assert client.post(f"{url}/finish").status_code == 303
    attempt = db.session.scalar(select(Attempt))
    assert attempt.score == 5.0 and attempt.mark == "5" and "Отсутствующему" in attempt.mark_error
    assert db.session.scalar(select(Mark).where(Mark.student_id == s.pupils_5a[0].id)) is None
    auth.logout()
    auth.login(s.maths_teacher)
    page = text(client.get(f"/tests/{quiz.id}/results"))
    assert "Не выставлена" in page and "Отсутствующему" in page


def test_answers_of_bad_input_and_forged_ids(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s)
    url = _start(client, auth, s, quiz)
    text_q, choice_q = quiz.questions[3], quiz.questions[0]
    response = _save(client, url, text_q.id, "<script>alert(1)</script>")
    assert response.status_code == 400 and "<script>" not in text(response) and "HTML" in text(response)
    response = _save(client, url, text_q.id, "я" * 501)
    assert response.status_code == 400 and "Слишком длинный" in text(response)
    other = make_quiz(s, title="Другой")
    assert _save(client, url, other.questions[0].id, "1").status_code == 404  # another test's question
    assert _save(client, url, choice_q.id, str(other.questions[0].options[0].id)).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert client.get(f"/tests/{quiz.id}/attempts/2").status_code == 404  # a forged number
    # another student's attempt has no address of this student's
    auth.logout()
    ops.start_attempt(db.session.get(Quiz, quiz.id), s.pupils_5a[1])
    db.session.commit()
    auth.login(s.pupils_5a[0].user)
    assert client.get(f"/tests/{quiz.id}/attempts/1").status_code == 200  # their own first attempt
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2
    # a student of another class may not take it
    auth.logout()
    auth.login(s.pupils_5b[0].user)
    assert client.post(f"/tests/{quiz.id}/start").status_code == 403


# The teacher's side -----------------------------------------------------------------------


def test_the_teacher_builds_a_test_and_html_or_oversized_text_is_refused(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    response = client.post(f"/tests/assignments/{s.maths_5a.id}", data=settings(s))
    assert response.status_code == 303
    quiz = db.session.scalar(select(Quiz))
    base = f"/tests/{quiz.id}/questions"
    assert client.post(base, data={"kind": "single", "text": "2+2?", "options": "3\n4", "correct": "2"}).status_code == 303
    bad = [
        {"kind": "single", "text": "<b>2+2?</b>", "options": "3\n4", "correct": "2"},
        {"kind": "single", "text": "2+2?", "options": "3\n<img src=x onerror=alert(1)>", "correct": "2"},
        {"kind": "text", "text": "Слово", "accepted": "<script>x</script>"},
        {"kind": "text", "text": "я" * 2001, "accepted": "а"},
        {"kind": "single", "text": "2+2?", "options": "3\n4", "correct": ""},
        {"kind": "single", "text": "2+2?", "options": "3\n4\n5", "correct": ["1", "2"]},
        {"kind": "number", "text": "Число", "number_answer": "abc"},
        {"kind": "essay", "text": "Эссе"},
    ]
    for data in bad:
        response = client.post(base, data=data)
        assert 400 <= response.status_code < 500, data
        assert "<script>" not in text(response) and "<img src=x" not in text(response)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 1
    assert db.session.scalar(select(func.count()).select_from(Option)) == 2
    response = client.post(f"/tests/{quiz.id}/settings", data=settings(s, title="<script>x</script>"))
    assert response.status_code == 400
    response = client.post(f"/tests/{quiz.id}/settings", data=settings(s, pct_5="40"))
    assert response.status_code == 400 and "Пороги" in text(response)
    response = client.post(f"/tests/assignments/{s.maths_5a.id}", data=settings(s, lesson_id="999999"))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 1
    assert client.post(f"/tests/{quiz.id}/open", data={"open": "1"}).status_code == 303
    db.session.refresh(quiz)
    assert quiz.is_open
    page = text(client.get(f"/tests/{quiz.id}"))
    assert "2+2?" in page and "верный" in page  # the teacher sees the key


def test_questions_are_read_only_once_someone_started(client, auth, small_school):
    s = small_school()
    quiz = make_quiz(s)
    ops.start_attempt(quiz, s.pupils_5a[0])
    db.session.commit()
    auth.login(s.maths_teacher)
    response = client.post(f"/tests/{quiz.id}/questions", data={"kind": "number", "text": "Ещё", "number_answer": "1"})
    assert response.status_code == 409 and "больше не меняются" in text(response)
    assert client.post(f"/tests/{quiz.id}/questions/{quiz.questions[0].id}/delete").status_code == 409
    assert client.post(f"/tests/{quiz.id}/settings", data=settings(s, title="Новое")).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Question)) == 4
    page = text(client.get(f"/tests/{quiz.id}"))
    assert "только для чтения" in page and "Добавить вопрос" not in page
    # closing still works
    assert client.post(f"/tests/{quiz.id}/open", data={"open": "0"}).status_code == 303


def test_results_per_student_and_per_question_with_bounded_queries(client, auth, small_school, count_queries,
                                                                  create_student):
    s = small_school()
    quiz = make_quiz(s)
    answers = right_answers(quiz)

    def take(pupil, right: bool):
        attempt = ops.start_attempt(db.session.get(Quiz, quiz.id), pupil)
        for question in db.session.get(Quiz, quiz.id).questions:
            ops.save_answer(attempt, question, answers[question.id] if right else ("0" if question.kind in ("number", "text") else []))
        ops.finish_attempt(attempt)
        db.session.commit()

    take(s.pupils_5a[0], True)
    auth.login(s.maths_teacher)
    with count_queries() as few:
        page = client.get(f"/tests/{quiz.id}/results")
    assert page.status_code == 200
    for n in range(6):
        pupil = create_student(s.school, s.class_5a, last_name=f"Новиков{n}", first_name="Иван")
        db.session.commit()
        take(pupil, n % 2 == 0)
    with count_queries() as many:
        page = client.get(f"/tests/{quiz.id}/results")
    body = text(page)
    assert many.count == few.count
    assert "Новиков0" in body
    # 7 finished attempts, 4 right (the first and three of six): 57 % right for each question
    assert body.count("<td>57</td>") == 4


def test_links_from_the_diary_and_the_journal(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    assert f"/tests/assignments/{s.maths_5a.id}" in text(client.get(f"/journal/assignments/{s.maths_5a.id}"))
    auth.logout()
    auth.login(s.pupils_5a[0].user)
    assert "/tests/my" in text(client.get(f"/diary/students/{s.pupils_5a[0].id}/week", follow_redirects=True))


def test_points_are_written_the_russian_way():
    from domain.quizzes import format_points

    assert [format_points(v) for v in (4.0, 2.5, 0, 3.25, None)] == ["4", "2,5", "0", "3,2", "—"]


def test_the_attempt_page_runs_the_same_queries_with_more_questions(client, auth, small_school, count_queries):
    """The student's test page (JRN-10) reads the questions, options and saved answers in a
    bounded number of statements, however long the test."""
    s = small_school()
    short = make_quiz(s, title="Короткий")
    long = make_quiz(s, title="Длинный", questions=QUESTIONS * 4)
    pupil = s.pupils_5a[0]
    counts = {}
    for quiz in (short, long):
        attempt = ops.start_attempt(db.session.get(Quiz, quiz.id), pupil)
        for question in db.session.get(Quiz, quiz.id).questions[:2]:
            ops.save_answer(attempt, question, right_answers(quiz)[question.id])
        db.session.commit()
        number = attempt.number
        auth.login(pupil.user)
        with count_queries() as counter:
            page = client.get(f"/tests/{quiz.id}/attempts/{number}")
        assert page.status_code == 200
        counts[quiz.id] = counter.count
        auth.logout()
    assert counts[long.id] == counts[short.id]


def test_a_double_tap_on_start_continues_the_attempt_the_first_tap_made(client, auth, small_school, monkeypatch):
    """Two «Начать» at once: the second one's insert meets the first one's attempt (a unique
    constraint); it continues that attempt instead of failing with a server error."""
    from models.quizzes import Attempt

    s = small_school()
    quiz = make_quiz(s)
    pupil = s.pupils_5a[0]
    ops.start_attempt(db.session.get(Quiz, quiz.id), pupil)  # the first tap, committed
    db.session.commit()
    real = ops.attempts_of
    calls = []

    def not_seen_yet(*args, **kwargs):  # the second tap read before the first committed
        calls.append(1)
        return [] if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(ops, "attempts_of", not_seen_yet)
    auth.login(pupil.user)
    response = client.post(f"/tests/{quiz.id}/start")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tests/{quiz.id}/attempts/1")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Attempt.id))) == 1
