"""The journal grid on a classroom tablet (JRN-3, JRN-4): a teacher marks absences and marks by
keyboard and by tap, never waits for a save, reloads, and everything is there."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations
from extensions import db
from models import Attendance, Mark, WorkKind
from tests.clock import SCHOOL_TIMEZONE, school_date
from tests.conftest import PASSWORD
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e

NAMES = ["Абрамов", "Белова", "Воронин", "Гусева", "Давыдов", "Егорова", "Жуков", "Зайцева", "Ильин",
         "Котова", "Лебедев", "Макарова", "Никитин", "Орлова", "Павлов", "Романова", "Семёнов", "Тихонова",
         "Ульянов", "Фролова", "Харитонов", "Цветкова", "Чернов", "Шубина", "Щукин", "Юдина"]


@pytest.fixture
def classroom(small_school, create_student):
    s = small_school()
    for name in NAMES:  # a class of 30
        create_student(s.school, s.class_5a, name, "Алекс", with_login=False)
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    # The school's today, as the app sees it; on a Sunday the lessons are on Saturday.
    today = school_today(s.school.timezone)
    lesson_day = today if today.weekday() < 6 else today - timedelta(days=1)
    s.previous = operations.create_lesson(s.maths_5a, s.maths_teacher, lesson_day - timedelta(days=1), 1, "Дроби",
                                          [kinds["oral"]])
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, lesson_day, 2, "Сложение дробей",
                                        [kinds["test"], kinds["oral"]])
    db.session.commit()
    s.lesson_id, s.assignment_id, s.school_id = s.lesson.id, s.maths_5a.id, s.school.id
    s.petrov_id = s.pupils_5a[0].id  # his parent is parent_a
    db.session.close()  # the live server writes: release the test's connection
    return s


def _log_in(page, base_url, login):
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/")


def _wait_for_saves(page):
    page.wait_for_function(
        "() => !document.querySelector('.cell-input.htmx-request') && "
        "document.getElementById('outbox-status').classList.contains('hidden')"
    )


def _column_inputs(page, lesson_id):
    return page.locator(f"td[id^='c-{lesson_id}-'] .cell-input")


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_teacher_enters_absences_and_marks_by_keyboard_and_tap_and_they_survive_a_reload(
    live_server, new_page, screenshot, classroom, size
):
    from playwright.sync_api import expect

    page = new_page(*size, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/assignments/{classroom.assignment_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Математика · 5А")
    cells = _column_inputs(page, classroom.lesson_id)
    expect(cells).to_have_count(30)

    # Keyboard, like a spreadsheet: type, Enter goes down; no waiting between cells.
    cells.nth(0).click()
    for value in ["5", "4/5", "н", "3", "5", "нп"]:
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    # Tap: the palette's big buttons; each tap moves down to the next student.
    cells.nth(6).tap()
    palette = page.locator("#palette")
    expect(palette).to_be_visible()
    for value in ["5", "4", "5", "2", "4", "5"]:
        palette.locator(f"button[data-value='{value}']").tap()
    _wait_for_saves(page)
    assert page.console_errors == []
    screenshot(page, f"grid-{size[0]}x{size[1]}")

    # An absent student cannot get a mark: the cell says why and keeps the absence.
    cells.nth(2).click()
    page.keyboard.type("н5")
    page.keyboard.press("Enter")
    expect(page.locator("#journal-toast")).to_contain_text("Отсутствующему")
    _wait_for_saves(page)

    page.reload()
    cells = _column_inputs(page, classroom.lesson_id)
    expected = ["5", "4/5", "Н", "3", "5", "НП", "5", "4", "5", "2", "4", "5"]
    assert [cells.nth(i).input_value() for i in range(12)] == expected
    # The low mark and the unexcused absence are coloured.
    assert "mark-low" in (page.locator(f"td[id^='c-{classroom.lesson_id}-']").nth(9).get_attribute("class") or "")
    assert "att-unexcused" in (page.locator(f"td[id^='c-{classroom.lesson_id}-']").nth(5).get_attribute("class") or "")
    # What the browser showed is what the database holds: ten marks, two absences.
    marks = db.session.scalars(select(Mark).where(Mark.lesson_id == classroom.lesson_id, Mark.is_deleted.is_(False))).all()
    absences = db.session.scalars(
        select(Attendance).where(Attendance.lesson_id == classroom.lesson_id, Attendance.is_deleted.is_(False))
    ).all()
    assert len(marks) == 11  # 4/5 is two marks (a test and an oral answer)
    assert sorted(a.code for a in absences) == ["absent", "unexcused"]
    db.session.close()


def test_a_save_that_fails_is_kept_and_retried_when_the_network_returns(live_server, new_page, classroom):
    from playwright.sync_api import expect

    page = new_page(1024, 768)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/assignments/{classroom.assignment_id}")
    cells = _column_inputs(page, classroom.lesson_id)
    page.context.set_offline(True)
    cells.nth(0).click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    outbox = page.locator("#outbox-status")
    expect(outbox).to_contain_text("Не сохранено клеток: 1")
    expect(page.locator(f"td[id^='c-{classroom.lesson_id}-']").nth(0)).to_have_class("cell cell-failed")
    assert db.session.scalar(select(Mark).where(Mark.lesson_id == classroom.lesson_id)) is None
    db.session.close()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(outbox).to_be_hidden(timeout=15_000)
    marks = db.session.scalars(select(Mark).where(Mark.lesson_id == classroom.lesson_id)).all()
    assert [m.value for m in marks] == ["5"]  # stored once
    db.session.close()
    page.reload()
    assert _column_inputs(page, classroom.lesson_id).nth(0).input_value() == "5"


@pytest.fixture
def school_day():
    """The school's today is a school day: on a Sunday (in the school's timezone) the clock of
    the test process, and so of the live server, moves on to the same time on Monday."""
    today = school_today(SCHOOL_TIMEZONE)
    if today.isoweekday() != 7:
        yield today
        return
    import time_machine

    with time_machine.travel(timedelta(days=1), tick=True):
        yield school_today(SCHOOL_TIMEZONE)


@pytest.fixture
def timetable_today(school_day, classroom):
    """5А mathematics is in today's timetable, third lesson."""
    from models import ScheduleSlot

    db.session.add(ScheduleSlot(school_id=classroom.school_id, assignment_id=classroom.assignment_id,
                                weekday=school_day.isoweekday(), lesson_number=3, valid_from=school_date(2026, 9, 1)))
    db.session.commit()
    db.session.close()
    return classroom


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_teacher_opens_todays_lesson_records_topic_and_homework_then_marks(
    live_server, new_page, screenshot, timetable_today, size
):
    """The issue's scenario: log in, open today's lesson, enter the topic and homework, mark
    two absences and ten marks by tap and by keyboard, reload: everything is there."""
    from playwright.sync_api import expect

    from models import Homework, Lesson

    page = new_page(*size, has_touch=True)
    _log_in(page, live_server, "maths")
    page.goto(f"{live_server}/journal/today")
    page.get_by_role("button", name="Открыть урок").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Математика · 5А")
    page.get_by_label("Или своя тема").fill("Умножение дробей")
    page.get_by_label("Контрольная работа").check()
    page.get_by_label("Устный ответ").check()
    page.get_by_label("Домашнее задание для всего класса").fill("Решить задачи")
    page.get_by_label("Страницы").first.fill("56–57")
    page.get_by_label("Упражнения, номера").first.fill("№ 245, 247")
    page.get_by_role("button", name="Сохранить урок").click()
    expect(page.locator(".flash-success, .flash-info").first).to_be_visible()
    screenshot(page, f"lesson-{size[0]}x{size[1]}")
    page.get_by_role("link", name="К журналу").click()

    lesson = db.session.scalar(select(Lesson).where(Lesson.topic == "Умножение дробей"))
    assert lesson is not None
    lesson_id = lesson.id
    db.session.close()
    cells = _column_inputs(page, lesson_id)
    cells.nth(0).click()
    for value in ["н", "5", "4", "б", "3", "5"]:  # two absences, four marks by keyboard
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    cells.nth(6).tap()
    for value in ["5", "4", "4", "3", "5", "2"]:  # six marks by tap
        page.locator(f"#palette button[data-value='{value}']").tap()
    _wait_for_saves(page)
    page.reload()
    cells = _column_inputs(page, lesson_id)
    assert [cells.nth(i).input_value() for i in range(12)] == ["Н", "5", "4", "Б", "3", "5", "5", "4", "4", "3", "5", "2"]
    assert page.console_errors == []

    lesson = db.session.get(Lesson, lesson_id)
    homework = db.session.scalar(select(Homework).where(Homework.lesson_id == lesson_id))
    assert (homework.text, homework.pages, homework.exercises) == ("Решить задачи", "56–57", "№ 245, 247")
    assert sorted(w.work_kind.code for w in lesson.works) == ["oral", "test"]
    assert db.session.scalar(select(func.count()).select_from(Mark).where(
        Mark.lesson_id == lesson_id, Mark.is_deleted.is_(False))) == 10
    lesson_day = lesson.date
    db.session.close()

    # One more mark, for Петров Пётр; his mother sees it in the diary on her phone.
    page.locator(f"#c-{lesson_id}-{timetable_today.petrov_id} .cell-input").click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    _wait_for_saves(page)
    phone = new_page(390, 844)
    _log_in(phone, live_server, "parent_a")
    phone.goto(f"{live_server}/diary/students/{timetable_today.petrov_id}/week?date={lesson_day.isoformat()}")
    lesson_card = phone.locator("li.lesson", has_text="Умножение дробей")
    expect(lesson_card).to_contain_text("Математика")
    expect(lesson_card.locator(".mark")).to_have_text(["4"])
    assert lesson_card.locator(".mark").first.get_attribute("title") == "Устный ответ"
    screenshot(phone, f"diary-parent-{size[0]}x{size[1]}")
    assert phone.console_errors == []
