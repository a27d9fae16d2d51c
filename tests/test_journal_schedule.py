"""The timetable and its changes (ADM-9, JRN-5): a substitution lets the substitute record that
one lesson and marks it as given in substitution; the absent teacher's other dates are not
touched; a teacher already teaching at that time cannot substitute; the office arranges it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.journal.schedule_queries import monday_of, teacher_day, week_schedule
from extensions import db
from models import BellSchedule, Lesson, ScheduleChange, ScheduleSlot
from utils.timeutil import school_today

BELLS = [(1, "08:30", "09:15"), (2, "09:25", "10:10"), (3, "10:30", "11:15"), (4, "11:35", "12:20")]


def add_slot(s, assignment, day: date, number: int, room: str = "") -> ScheduleSlot:
    slot = ScheduleSlot(school_id=s.school.id, assignment_id=assignment.id, weekday=day.isoweekday(),
                        lesson_number=number, room=room, valid_from=s.year.start_date)
    db.session.add(slot)
    return slot


@pytest.fixture
def timetable(app, small_school):
    """Today (a real date inside the 2nd quarter) and the same weekday of next week: maths 5А is
    the 2nd lesson, Russian 5А the 3rd, maths 5Б (Словарёва) the 2nd."""
    s = small_school()
    db.session.add_all([BellSchedule(school_id=s.school.id, lesson_number=n, starts=a, ends=b) for n, a, b in BELLS])
    s.today = school_today(s.school.timezone)
    s.next_week = s.today + timedelta(days=7)
    add_slot(s, s.maths_5a, s.today, 2, "21")
    add_slot(s, s.russian_5a, s.today, 3, "14")
    add_slot(s, s.maths_5b, s.today, 2, "15")
    db.session.commit()
    return s


def substitution(s, day, substitute, assignment=None, number=2):
    return {
        "date": day.isoformat(),
        "assignment_id": (assignment or s.maths_5a).id,
        "lesson_number": number,
        "kind": "substitution",
        "substitute_id": substitute.id,
        "room": "",
        "note": "болезнь",
    }


def open_lesson(client, assignment, day, number=2):
    return client.post("/journal/lessons/open",
                       data={"assignment_id": assignment.id, "date": day.isoformat(), "lesson_number": number})


def test_week_of_a_class_shows_slots_with_bells_and_marks_changes(timetable):
    s = timetable
    db.session.add(ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.russian_5a.id,
                                  kind="cancelled", lesson_number=3))
    db.session.commit()
    week = week_schedule(s.class_5a, s.today)
    assert week.monday == monday_of(s.today)
    day = next(d for d in week.days if d.date == s.today)
    by_number = {i.lesson_number: i for i in day.lessons}
    assert by_number[2].subject_name == "Математика" and by_number[2].starts == "09:25" and by_number[2].room == "21"
    assert by_number[3].status == "cancelled"
    following = week_schedule(s.class_5a, s.next_week)
    again = next(d for d in following.days if d.date == s.next_week)
    assert {i.status for i in again.lessons} == {"regular"}


def test_office_records_a_substitution_and_the_substitute_records_that_lesson(client, auth, timetable):
    s = timetable
    auth.login(s.deputy)
    response = client.post("/journal/schedule/changes", data=substitution(s, s.today, s.english_teacher))
    assert response.status_code == 303
    auth.logout()

    auth.login(s.english_teacher)
    page = client.get("/journal/today").get_data(as_text=True)
    assert "Замена: вместо Числова В." in page and "5А" in page and "Открыть урок" in page
    response = open_lesson(client, s.maths_5a, s.today)
    assert response.status_code == 303
    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == s.maths_5a.id, Lesson.date == s.today))
    assert lesson.given_by_id == s.english_teacher.id and lesson.is_substitution
    page = client.get(f"/journal/lessons/{lesson.id}").get_data(as_text=True)
    assert "Урок провёл(а): Инглишева Елена" in page and "(замена)" in page
    # the absent teacher's lesson of next week is not the substitute's to record
    assert open_lesson(client, s.maths_5a, s.next_week).status_code == 403
    assert db.session.scalar(select(Lesson).where(Lesson.date == s.next_week)) is None


def test_a_non_substitute_cannot_record_the_lesson(client, auth, timetable):
    s = timetable
    db.session.add(ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.maths_5a.id, kind="substitution",
                                  lesson_number=2, substitute_id=s.english_teacher.id))
    db.session.commit()
    auth.login(s.primary_teacher)
    assert open_lesson(client, s.maths_5a, s.today).status_code == 403
    assert db.session.scalar(select(Lesson)) is None


def test_absent_teacher_keeps_other_dates_and_sees_who_replaces_them(client, auth, timetable):
    s = timetable
    db.session.add(ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.maths_5a.id, kind="substitution",
                                  lesson_number=2, substitute_id=s.english_teacher.id))
    db.session.commit()
    auth.login(s.maths_teacher)
    page = client.get("/journal/today").get_data(as_text=True)
    assert "Вас заменяет Инглишева Е." in page
    assert open_lesson(client, s.maths_5a, s.today).status_code == 303  # refused with a message, nothing created
    assert db.session.scalar(select(Lesson).where(Lesson.date == s.today)) is None
    assert open_lesson(client, s.maths_5a, s.next_week).status_code == 303
    lesson = db.session.scalar(select(Lesson).where(Lesson.date == s.next_week))
    assert lesson.given_by_id == s.maths_teacher.id and not lesson.is_substitution


def test_a_teacher_busy_at_that_time_cannot_substitute(client, auth, timetable):
    s = timetable
    auth.login(s.director)
    response = client.post("/journal/schedule/changes", data=substitution(s, s.today, s.russian_teacher))
    assert response.status_code == 409
    assert "в это время ведёт урок" in response.get_data(as_text=True)
    assert db.session.scalar(select(ScheduleChange)) is None


def test_substitution_outside_the_year_or_without_a_lesson_is_refused(client, auth, timetable):
    s = timetable
    auth.login(s.deputy)
    outside = s.year.end_date + timedelta(days=7)
    response = client.post("/journal/schedule/changes", data=substitution(s, outside, s.english_teacher))
    assert response.status_code == 400 and "вне учебного года" in response.get_data(as_text=True)
    response = client.post("/journal/schedule/changes", data=substitution(s, s.today, s.english_teacher, number=4))
    assert response.status_code == 400 and "нет 4-го урока" in response.get_data(as_text=True)
    assert db.session.scalar(select(ScheduleChange)) is None


def test_cancelled_lesson_is_marked_and_cannot_be_opened(client, auth, timetable):
    s = timetable
    auth.login(s.deputy)
    data = substitution(s, s.today, s.english_teacher, assignment=s.russian_5a, number=3)
    data.update(kind="cancelled", substitute_id=0)
    assert client.post("/journal/schedule/changes", data=data).status_code == 303
    page = client.get(f"/journal/schedule/classes/{s.class_5a.id}?week={s.today.isoformat()}").get_data(as_text=True)
    assert "status-cancelled" in page and "Отмена урока" in page
    auth.logout()
    auth.login(s.russian_teacher)
    page = client.get("/journal/today").get_data(as_text=True)
    assert "Урок отменён" in page
    assert open_lesson(client, s.russian_5a, s.today, 3).status_code == 303
    assert db.session.scalar(select(Lesson)) is None


def test_office_deletes_a_change_with_confirmation(client, auth, timetable):
    s = timetable
    change = ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.maths_5a.id, kind="cancelled", lesson_number=2)
    db.session.add(change)
    db.session.commit()
    auth.login(s.deputy)
    page = client.get(f"/journal/schedule/changes?week={s.today.isoformat()}").get_data(as_text=True)
    assert "data-confirm=" in page and f"/journal/schedule/changes/{change.id}/delete" in page
    change_id = change.id
    assert client.post(f"/journal/schedule/changes/{change_id}/delete").status_code == 303
    assert db.session.scalar(select(ScheduleChange.id).where(ScheduleChange.id == change_id)) is None


def test_teachers_cannot_arrange_changes(client, auth, timetable):
    s = timetable
    auth.login(s.maths_teacher)
    assert client.get("/journal/schedule/changes").status_code == 403
    assert client.post("/journal/schedule/changes", data=substitution(s, s.today, s.english_teacher)).status_code == 403
    assert db.session.scalar(select(ScheduleChange)) is None


def test_timetable_of_a_class_is_for_those_who_may_view_the_class(client, auth, timetable):
    s = timetable
    auth.login(s.primary_teacher)
    assert client.get(f"/journal/schedule/classes/{s.class_5a.id}").status_code == 403
    auth.logout()
    auth.login(s.russian_teacher)
    page = client.get(f"/journal/schedule/classes/{s.class_5a.id}").get_data(as_text=True)
    assert "Расписание 5А" in page and "Математика" in page and "09:25–10:10" in page
    assert client.get(f"/journal/schedule/classes/{s.class_5a.id}?week=не-дата").status_code == 400


def test_teacher_day_includes_the_lesson_given_as_substitute(timetable):
    s = timetable
    db.session.add(ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.maths_5a.id, kind="substitution",
                                  lesson_number=2, substitute_id=s.english_teacher.id))
    db.session.commit()
    items = teacher_day(s.english_teacher, s.today)
    assert [(i.class_name, i.subject_name, i.status) for i in items] == [("5А", "Математика", "substitution")]
    assert items[0].given_by_id == s.english_teacher.id


def test_week_schedule_is_three_queries(timetable, count_queries):
    s = timetable
    class_5a = db.session.get(type(s.class_5a), s.class_5a.id)
    with count_queries() as counter:
        week_schedule(class_5a, s.today)
    assert counter.count <= 3, [st[:120] for st in counter.statements]


def test_pages_of_the_timetable_open(client, auth, timetable):
    s = timetable
    db.session.add(ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.maths_5a.id, kind="substitution",
                                  lesson_number=2, substitute_id=s.english_teacher.id))
    db.session.commit()
    auth.login(s.maths_teacher)
    assert client.get("/journal/").status_code == 200
    page = client.get("/journal/schedule").get_data(as_text=True)
    assert "Моё расписание" in page and "5А" in page and "Замены и отмены" not in page
    page = client.get(f"/journal/schedule/teachers/{s.maths_teacher.id}").get_data(as_text=True)
    assert "Замена учителя" in page and "ведёт Инглишева Е." in page
    assert client.get(f"/journal/schedule/teachers/{s.english_teacher.id}").status_code == 403
    auth.logout()
    auth.login(s.english_teacher)
    page = client.get(f"/journal/schedule/teachers/{s.english_teacher.id}").get_data(as_text=True)
    assert "вместо Числова В." in page
    auth.logout()
    auth.login(s.deputy)
    response = client.get(f"/journal/schedule/changes?assignment_id={s.russian_5a.id}&date={s.today.isoformat()}&lesson_number=3")
    assert response.status_code == 200
    assert f'<option selected value="{s.russian_5a.id}">' in response.get_data(as_text=True)
    page = client.get(f"/journal/schedule/classes/{s.class_5a.id}").get_data(as_text=True)
    assert "Замена / отмена" in page
