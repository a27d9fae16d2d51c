"""The class teacher's daily attendance built from the timetable (JRN-4, issue 9 item 4): every
lesson of the day whether opened or not; a child marked ill for the whole day in the morning,
or for a range of days in advance (also from an accepted absence note), gets «Б» in each lesson
as it is opened, and never over what the subject teacher has already recorded."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations
from extensions import db
from models import Attendance, JournalChange, Lesson, PlannedAbsence, ScheduleChange, ScheduleSlot, WorkKind
from models.diary import AbsenceNote
from utils.timeutil import school_today


@pytest.fixture
def day_school(app, small_school):
    """5А on the school's today: maths 2nd, Russian 3rd, English (group 1) 4th by the
    timetable; no lesson opened yet."""
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.today = school_today(s.school.timezone)
    for assignment, number in ((s.maths_5a, 2), (s.russian_5a, 3), (s.english_5a_g1, 4)):
        db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=assignment.id, weekday=s.today.isoweekday(),
                                    lesson_number=number, valid_from=s.year.start_date))
    db.session.commit()
    s.pupil = s.pupils_5a[1]  # group 2: not in the English group 1 lesson
    return s


def day_url(s, day=None):
    return f"/journal/classes/{s.class_5a.id}/attendance?date={(day or s.today).isoformat()}"


def code_of(lesson, student):
    row = db.session.scalar(select(Attendance).where(
        Attendance.lesson_id == lesson.id, Attendance.student_id == student.id, Attendance.is_deleted.is_(False)))
    return row.code if row else None


def open_lesson(client, assignment, day, number):
    return client.post("/journal/lessons/open",
                       data={"assignment_id": assignment.id, "date": day.isoformat(), "lesson_number": number})


def lesson_at(assignment, day, number):
    return db.session.scalar(select(Lesson).where(
        Lesson.assignment_id == assignment.id, Lesson.date == day, Lesson.lesson_number == number))


def test_the_day_lists_the_timetable_lessons_not_yet_opened(client, auth, day_school):
    s = day_school
    db.session.add(ScheduleChange(school_id=s.school.id, date=s.today, assignment_id=s.english_5a_g1.id,
                                  kind="cancelled", lesson_number=4))
    db.session.commit()
    auth.login(s.maths_teacher)
    response = client.get(day_url(s))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    header = page.split("<thead>")[1].split("</thead>")[0]
    assert "2. Мат" in header and "3. Рус" in header and "не открыт" in header
    assert "Англ" not in header  # cancelled by the timetable's change
    assert f'name="code-{s.pupil.id}"' in page


def test_a_whole_day_marked_ill_in_the_morning_comes_into_the_third_lesson_opened_later(client, auth, day_school):
    s = day_school
    auth.login(s.maths_teacher)  # the class teacher of 5А, before any lesson is opened
    response = client.post(day_url(s), data={f"code-{s.pupil.id}": "ill", f"note-{s.pupil.id}": "Звонок мамы"})
    assert response.status_code == 303
    plan = db.session.scalar(select(PlannedAbsence))
    assert (plan.student_id, plan.date_from, plan.date_to, plan.code) == (s.pupil.id, s.today, s.today, "ill")
    page = client.get(day_url(s)).get_data(as_text=True)
    row = page.split(f'data-student="{s.pupil.id}"')[1].split("</tr>")[0]
    assert "Б" in row and "будет поставлено при открытии урока" in row
    auth.logout()
    auth.login(s.russian_teacher)
    assert open_lesson(client, s.russian_5a, s.today, 3).status_code == 303
    lesson = lesson_at(s.russian_5a, s.today, 3)
    assert code_of(lesson, s.pupil) == "ill"
    assert code_of(lesson, s.pupils_5a[0]) is None
    grid = client.get(f"/journal/assignments/{s.russian_5a.id}").get_data(as_text=True)
    cell = grid.split(f'id="c-{lesson.id}-{s.pupil.id}"')[1].split("</td>")[0]
    assert "att-ill" in cell and 'value="Б"' in cell
    change = db.session.scalar(select(JournalChange).where(
        JournalChange.entity == "attendance", JournalChange.lesson_id == lesson.id))
    assert change.after == {"code": "ill"} and "классного руководителя" in change.reason


def test_present_for_one_day_of_a_range_splits_it_with_history(client, auth, day_school):
    s = day_school
    auth.login(s.maths_teacher)
    start, end = s.today - timedelta(days=2), s.today + timedelta(days=2)
    response = client.post(f"/journal/classes/{s.class_5a.id}/attendance/planned?date={s.today}",
                           data={"student_id": s.pupil.id, "date_from": start.isoformat(), "date_to": end.isoformat(),
                                 "code": "excused", "reason": "Соревнования"})
    assert response.status_code == 303
    assert client.post(day_url(s), data={f"code-{s.pupil.id}": "present"}).status_code == 303
    live = db.session.scalars(select(PlannedAbsence).where(PlannedAbsence.is_deleted.is_(False))
                              .order_by(PlannedAbsence.date_from)).all()
    assert [(p.date_from, p.date_to, p.code) for p in live] == [
        (start, s.today - timedelta(days=1), "excused"), (s.today + timedelta(days=1), end, "excused")]
    assert db.session.scalar(select(func.count()).select_from(PlannedAbsence)) == 3  # the cut one is kept
    actions = sorted(c.action for c in db.session.scalars(select(JournalChange).where(JournalChange.entity == "planned_absence")))
    assert actions == ["create", "create", "create", "delete"]
    lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, s.today, 2, "", [s.kinds["oral"]])
    assert code_of(lesson, s.pupil) is None


def test_a_range_in_advance_reaches_lessons_opened_later_and_spares_what_teachers_recorded(client, auth, day_school):
    s = day_school
    oral = [s.kinds["oral"]]
    # already opened: today's maths, where the teacher recorded the child late; today's Russian
    # with nothing recorded yet; yesterday's Russian (past: the subject teacher's record)
    maths = operations.create_lesson(s.maths_5a, s.maths_teacher, s.today, 2, "", oral)
    operations.save_cell(maths, s.pupil, s.maths_teacher, "оп", key="", base=None)
    russian = operations.create_lesson(s.russian_5a, s.russian_teacher, s.today, 3, "", oral)
    yesterday = operations.create_lesson(s.russian_5a, s.russian_teacher, s.today - timedelta(days=1), 3, "", oral)
    db.session.commit()
    auth.login(s.maths_teacher)
    response = client.post(f"/journal/classes/{s.class_5a.id}/attendance/planned?date={s.today}",
                           data={"student_id": s.pupil.id, "date_from": (s.today - timedelta(days=1)).isoformat(),
                                 "date_to": (s.today + timedelta(days=3)).isoformat(), "code": "ill", "reason": "Справка"})
    assert response.status_code == 303
    assert code_of(maths, s.pupil) == "late"  # never over the subject teacher's record
    assert code_of(russian, s.pupil) == "ill"  # carried at once
    assert code_of(yesterday, s.pupil) is None
    later = operations.create_lesson(s.maths_5a, s.maths_teacher, s.today + timedelta(days=3), 2, "", oral)
    after = operations.create_lesson(s.maths_5a, s.maths_teacher, s.today + timedelta(days=4), 2, "", oral)
    db.session.commit()
    assert code_of(later, s.pupil) == "ill" and code_of(after, s.pupil) is None


@pytest.mark.parametrize("data, message", [
    ({"date_from": "2026-13-01"}, "ГГГГ-ММ-ДД"),
    ({"code": "late"}, "Неизвестная отметка"),
    ({"student_id": "999999"}, "не числится"),
])
def test_a_bad_range_is_refused_and_nothing_is_stored(client, auth, day_school, data, message):
    s = day_school
    auth.login(s.maths_teacher)
    form = {"student_id": s.pupil.id, "date_from": s.today.isoformat(), "date_to": s.today.isoformat(), "code": "ill"}
    form.update(data)
    response = client.post(f"/journal/classes/{s.class_5a.id}/attendance/planned?date={s.today}", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlannedAbsence)) == 0


@pytest.mark.parametrize("who", ["deputy", "russian_teacher", "parent_a"])
def test_only_the_class_teacher_plans_absences(client, auth, day_school, who):
    s = day_school
    auth.login(getattr(s, who))
    response = client.post(f"/journal/classes/{s.class_5a.id}/attendance/planned",
                           data={"student_id": s.pupil.id, "date_from": s.today.isoformat(),
                                 "date_to": s.today.isoformat(), "code": "ill"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PlannedAbsence)) == 0


def test_an_accepted_absence_note_plans_its_days(client, auth, day_school):
    s = day_school
    pupil = s.pupils_5a[0]  # Петров Пётр, son of parent_a
    auth.login(s.parent_a)
    response = client.post(f"/diary/students/{pupil.id}/absence-notes",
                           data={"date_from": s.today.isoformat(), "date_to": (s.today + timedelta(days=2)).isoformat(),
                                 "reason": "ill", "comment": "Будет дома до среды"})
    assert response.status_code == 303
    note = db.session.scalar(select(AbsenceNote))
    auth.logout()
    auth.login(s.maths_teacher)
    assert client.post(f"/diary/absence-notes/{note.id}/accept", data={"comment": ""}).status_code == 303
    plan = db.session.scalar(select(PlannedAbsence))
    assert (plan.student_id, plan.date_from, plan.date_to, plan.code, plan.absence_note_id) == (
        pupil.id, s.today, s.today + timedelta(days=2), "ill", note.id)
    assert "по заявлению родителя" in client.get(day_url(s)).get_data(as_text=True)
    auth.logout()
    auth.login(s.russian_teacher)
    assert open_lesson(client, s.russian_5a, s.today, 3).status_code == 303
    assert code_of(lesson_at(s.russian_5a, s.today, 3), pupil) == "ill"


def test_the_day_page_keeps_a_bounded_number_of_queries(client, auth, day_school, create_student, count_queries):
    s = day_school
    oral = [s.kinds["oral"]]
    operations.create_lesson(s.maths_5a, s.maths_teacher, s.today, 2, "", oral)
    db.session.commit()
    auth.login(s.maths_teacher)
    client.get(day_url(s))
    with count_queries() as small:
        client.get(day_url(s))
    operations.create_lesson(s.russian_5a, s.russian_teacher, s.today, 3, "", oral)
    for i in range(15):
        pupil = create_student(s.school, s.class_5a, f"Новиков{i}", "Никита", with_login=False)
        db.session.add(PlannedAbsence(school_id=s.school.id, student_id=pupil.id, date_from=s.today,
                                      date_to=s.today + timedelta(days=i), code="ill", reason=""))
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.english_5a_g2.id, weekday=s.today.isoweekday(),
                                lesson_number=5, valid_from=s.year.start_date))
    db.session.commit()
    with count_queries() as big:
        client.get(day_url(s))
    assert big.count == small.count and big.count <= 20
