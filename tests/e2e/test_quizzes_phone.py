"""An electronic test taken on a phone (JRN-10): each answer saved as it changes; with the
connection cut midway the page says it will retry and re-sends the answers when back online, so
nothing is lost; the student's responses never carry the correct answers."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models.quizzes import Answer, Attempt
from tests.e2e.test_journal_grid import _log_in
from tests.quiz_factory import make_quiz

pytestmark = pytest.mark.e2e

SECRETS = ("271828", "Секретноеслово", "is_correct", "верный")


@pytest.fixture
def quiz(small_school):
    s = small_school()
    quiz = make_quiz(s, time_limit=30, questions=[
        {"kind": "single", "text": "Сколько будет 2+2?", "points": "1", "options": "три\nчетыре\nпять", "correct": "2"},
        {"kind": "multiple", "text": "Какие числа чётные?", "points": "2", "options": "2\n3\n8", "correct": ["1", "3"]},
        {"kind": "number", "text": "Число e без запятой, шесть цифр?", "points": "1", "number_answer": "271828"},
        {"kind": "text", "text": "Секретное слово?", "points": "1", "accepted": "Секретноеслово"},
    ])
    s.quiz_id = quiz.id
    s.question_ids = [q.id for q in quiz.questions]
    s.student_login = s.pupils_5a[0].user.login
    db.session.commit()
    db.session.close()  # the live server writes
    return s


def _saved(page, question_id):
    from playwright.sync_api import expect

    expect(page.locator(f"#saved-{question_id}")).to_have_text("Ответ сохранён")


def test_a_phone_with_a_lost_connection_keeps_every_answer(live_server, new_page, screenshot, quiz):
    from playwright.sync_api import expect

    page = new_page(390, 844, has_touch=True, is_mobile=True)
    bodies = []

    def keep(response):
        try:
            if "text" in (response.headers.get("content-type") or ""):
                bodies.append(response.text())
        except Exception:  # a body the browser did not keep (a redirect)
            pass

    page.on("response", keep)
    _log_in(page, live_server, quiz.student_login)
    page.goto(f"{live_server}/tests/{quiz.quiz_id}/take")
    expect(page.get_by_text("Сколько будет 2+2?")).to_have_count(0)  # no question before the start
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url(f"**/tests/{quiz.quiz_id}/attempts/1")
    expect(page.locator("#quiz-timer")).to_be_visible()
    q1, q2, q3, q4 = quiz.question_ids
    page.get_by_label("четыре").check()
    _saved(page, q1)

    page.context.set_offline(True)
    page.locator(f"#q-{q2}").get_by_label("2", exact=True).check()
    page.locator(f"#q-{q2}").get_by_label("8", exact=True).check()
    page.locator(f"#q-{q3} input[name=value]").fill("271828")
    page.locator(f"#q-{q3} input[name=value]").dispatch_event("change")
    page.locator(f"#q-{q4} input[name=value]").fill("секретноеслово")
    page.locator(f"#q-{q4} input[name=value]").dispatch_event("change")
    expect(page.locator("#quiz-offline")).to_be_visible()
    screenshot(page, "quiz-phone-offline")
    page.context.set_offline(False)
    for question_id in (q2, q3, q4):
        _saved(page, question_id)
    expect(page.locator("#quiz-offline")).to_be_hidden()

    with db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Answer)).scalar() == 4
    page.reload()
    expect(page.locator(f"#q-{q4} input[name=value]")).to_have_value("секретноеслово")
    expect(page.locator(f"#q-{q2}").get_by_label("8", exact=True)).to_be_checked()
    page.get_by_role("button", name="Завершить тест").click()
    expect(page.get_by_text("Результат: 5 из 5 баллов")).to_be_visible()
    screenshot(page, "quiz-phone-result")
    with db.engine.connect() as connection:
        assert connection.execute(select(Attempt.mark)).scalar() == "5"
    # the answers the student typed come back to them while answering; the key never does
    finished = [b for b in bodies if "Результат:" in b]
    assert finished and all("271828" not in b and "секретноеслово" not in b.lower() for b in finished)
    for body in bodies:
        for secret in ("is_correct", "верный", "Секретноеслово"):
            assert secret not in body
    # htmx reports the requests that failed while offline (htmx:sendError, htmx:afterRequest); nothing else
    offline = ("htmx:sendError", "htmx:afterRequest", "ERR_INTERNET_DISCONNECTED")
    assert not [e for e in page.console_errors if not any(o in e for o in offline)]
