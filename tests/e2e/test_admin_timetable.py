"""Issue 10's acceptance for the timetable: the administrator, on a 1366x768 screen, enters the
bells of the 1st shift and a class's week cell by cell; a teacher already teaching another class at that weekday and lesson
is refused at once with the other class named; the teacher then sees the entered lessons in
«Мои уроки сегодня»."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Room, ScheduleSlot
from tests.clock import SCHOOL_TIMEZONE
from tests.conftest import PASSWORD
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e

BELLS = [("08:30", "09:15"), ("09:25", "10:10"), ("10:30", "11:15")]


def _log_in(page, base_url, login):
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/")


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
def school(small_school, school_day):
    """Rooms 204 and 301; Словарёва already teaches 5Б mathematics at today's third lesson."""
    s = small_school()
    db.session.add_all([Room(school_id=s.school.id, name=name, note="", is_active=True) for name in ("204", "301")])
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5b.id, weekday=school_day.isoweekday(),
                                lesson_number=3, valid_from=s.year.start_date))
    db.session.commit()
    s.day, s.class_id = school_day, s.class_5a.id
    s.ids = {"maths_5a": s.maths_5a.id, "english_5a_g1": s.english_5a_g1.id, "maths_5b": s.maths_5b.id}
    db.session.close()
    return s


def _fill_cell(page, weekday, number, lesson, room=None):
    cell = page.locator(f"#cell-{weekday}-{number}")
    cell.locator("a.tt-edit").click()
    form = cell.locator("form")
    form.get_by_label("Урок", exact=True).select_option(label=lesson)
    if room:
        form.get_by_label("Кабинет", exact=True).select_option(label=room)
    form.get_by_role("button", name="Сохранить").click()
    return cell


def _save_cell(page, weekday, number, lesson, room=None):
    """A cell that must be saved: done when its form is gone (the form's options name the
    teacher too, so the text alone is no proof)."""
    from playwright.sync_api import expect

    cell = _fill_cell(page, weekday, number, lesson, room)
    expect(cell.locator("form")).to_have_count(0)
    return cell


def test_the_administrator_enters_a_week_a_clash_is_refused_and_the_teacher_sees_today(
    live_server, new_page, screenshot, school
):
    from playwright.sync_api import expect

    weekday = school.day.isoweekday()
    page = new_page(1366, 768)
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/")

    # the bells first: the school has none yet
    page.get_by_role("link", name="Звонки").click()
    page.get_by_role("button", name="Открыть для заполнения").click()
    for number, (starts, ends) in enumerate(BELLS, start=1):
        page.get_by_label(f"Начало урока {number}", exact=True).fill(starts)
        page.get_by_label(f"Окончание урока {number}", exact=True).fill(ends)
    page.get_by_role("button", name="Сохранить звонки").click()
    expect(page.locator(".flash-success")).to_contain_text("Звонки сохранены")

    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="Расписание уроков").click()
    page.locator(".tt-list li", has_text="5А").get_by_role("link", name="Изменить").click()
    page.get_by_label("Изменения действуют с").fill(school.day.isoformat())
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(f"**/admin/timetable/classes/{school.class_id}?from={school.day.isoformat()}")

    # the six weekdays fit the screen's width, no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    cell = _save_cell(page, weekday, 1, "Математика — Числова В.И.", "204")
    expect(cell).to_contain_text("Числова В.И.")
    expect(cell).to_contain_text("204")
    cell = _save_cell(page, weekday, 2, "Английский язык — Инглишева Е.И. (1 группа)", "301")
    expect(cell).to_contain_text("Инглишева Е.И.")
    other_day = 2 if weekday != 2 else 3
    expect(_save_cell(page, other_day, 1, "Русский язык — Словарёва О.И.")).to_contain_text("Словарёва О.И.")

    # Словарёва teaches 5Б at the third lesson: refused at once, the other class named
    cell = _fill_cell(page, weekday, 3, "Русский язык — Словарёва О.И.")
    alert = cell.locator(".tt-error")
    expect(alert).to_contain_text("Учитель Словарёва О.И. уже ведёт урок в это время: 5Б, Математика")
    screenshot(page, "admin-timetable-1366x768")
    form_box = cell.bounding_box()
    assert form_box is not None and form_box["x"] + form_box["width"] <= 1366
    cell.get_by_role("link", name="Отмена").click()
    expect(page.locator(f"#cell-{weekday}-3 form")).to_have_count(0)
    # the refusal itself is the one 409 answer; no script error, no other failed request
    assert [e for e in page.console_errors if not (e.startswith("409 ") and f"/cells/{weekday}/3" in e)] == []

    db.session.expire_all()
    stored = db.session.execute(
        select(ScheduleSlot.assignment_id, ScheduleSlot.lesson_number).where(ScheduleSlot.weekday == weekday)
    ).all()
    ids = school.ids
    assert sorted(stored) == sorted([(ids["maths_5a"], 1), (ids["english_5a_g1"], 2), (ids["maths_5b"], 3)])
    db.session.close()

    teacher = new_page(1366, 768)
    _log_in(teacher, live_server, "maths")
    teacher.goto(f"{live_server}/journal/today")
    lessons = teacher.locator(".today-item")
    expect(lessons).to_have_count(1)
    expect(lessons.first).to_contain_text("5А · Математика")
    expect(lessons.first).to_contain_text("каб. 204")
    expect(lessons.first).to_contain_text("08:30–09:15")  # the bells entered above
    screenshot(teacher, "teacher-today-after-timetable")
    assert teacher.console_errors == []


def test_the_printed_timetable_of_a_class_fits_one_landscape_sheet(live_server, new_page, screenshot, school):
    """Printed as the school hangs it: the school, the class, from when; weekdays by lessons."""
    from playwright.sync_api import expect

    weekday = school.day.isoweekday()
    page = new_page(1366, 768)
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/timetable/classes/{school.class_id}?from={school.day.isoformat()}")
    _save_cell(page, weekday, 1, "Математика — Числова В.И.", "204")
    cell = page.locator(f"#cell-{weekday}-2")
    cell.locator("a.tt-edit").click()
    form = cell.locator("form")
    form.get_by_label("Урок", exact=True).select_option(label="Английский язык — Инглишева Е.И. (1 группа)")
    form.get_by_label("Кабинет", exact=True).select_option(label="301")
    form.locator("summary").click()
    form.get_by_label("Второй урок (другая подгруппа)").select_option(label="Английский язык — Числова В.И. (2 группа)")
    form.get_by_label("Кабинет второй подгруппы").select_option(label="204")
    form.get_by_role("button", name="Сохранить").click()
    # saved when the form is gone (the open form's own options also read «2 группа»)
    expect(cell.locator("form")).to_have_count(0)
    expect(cell).to_contain_text("2 группа")
    page.get_by_role("link", name="Печать").click()
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_have_text("Расписание уроков 5А класса")
    expect(page.locator(".sheet-head")).to_contain_text(f"Действует с {school.day.strftime('%d.%m.%Y')}")
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(page.locator(".sheet")).to_contain_text("каб. 301")
    screenshot(page, "timetable-print-5a")
    assert page.console_errors == []


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_row(live_server, new_page, screenshot, school):
    """The acceptance's second half: the file is checked whole; one unknown teacher on line 4
    is named with its reason, there is no button to load, and the timetable is as before."""
    from playwright.sync_api import expect

    from domain.timetable import next_monday

    rows = [
        "Класс;День;Урок;Предмет;Учитель;Кабинет;Подгруппа",
        "5А;пн;1;Математика;Числова В.И.;204;",
        "5А;вт;1;Русский язык;Словарёва О.И.;;",
        "5А;ср;2;Математика;Неизвестный Н.Н.;204;",
    ]
    before = db.session.execute(select(ScheduleSlot.id, ScheduleSlot.assignment_id)).all()
    db.session.close()
    page = new_page(1366, 768)
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/timetable/import")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "расписание.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode("utf-8")}])
    page.locator("input[type=date]").fill(next_monday(school.day).isoformat())
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Проверка файла расписания")
    error = page.locator(".import-errors tbody tr")
    expect(error).to_have_count(1)
    expect(error.first).to_contain_text("4")
    expect(error.first).to_contain_text("Учитель «Неизвестный Н.Н.» не найден")
    expect(page.get_by_role("button", name="Загрузить расписание")).to_have_count(0)
    screenshot(page, "timetable-import-bad-row")
    assert page.console_errors == []
    assert db.session.execute(select(ScheduleSlot.id, ScheduleSlot.assignment_id)).all() == before
    db.session.close()
