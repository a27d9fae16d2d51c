"""The lesson record (JRN-1, JRN-5, JRN-6): topic from the plan, kinds of work that never orphan
marks, homework for the class and for chosen students, files checked by kind and by school,
the late-homework flag, history of every change; the academic office only reads."""
from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from blueprints.journal import lessons_operations, operations
from extensions import db
from models import (
    AcademicYear,
    BellSchedule,
    ClassGroup,
    Homework,
    HomeworkFile,
    HomeworkStudent,
    JournalChange,
    Lesson,
    LessonWork,
    MarkingScale,
    PlanItem,
    ScheduleSlot,
    School,
    StudyPeriod,
    Subject,
    TeachingAssignment,
    WorkKind,
)
from tests.clock import school_date
from utils.timeutil import school_today

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"


@pytest.fixture
def lesson_day(app, small_school):
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    db.session.add_all([
        BellSchedule(school_id=s.school.id, lesson_number=1, starts="08:30", ends="09:15"),
        BellSchedule(school_id=s.school.id, lesson_number=2, starts="09:25", ends="10:10"),
    ])
    s.today = school_today(s.school.timezone)
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=s.today.isoweekday(),
                                lesson_number=2, valid_from=s.year.start_date))
    s.topics = [PlanItem(assignment_id=s.maths_5a.id, number=n, topic=t, hours=h)
                for n, t, h in [(1, "Натуральные числа", 1), (2, "Дроби", 2), (3, "Проценты", 1)]]
    db.session.add_all(s.topics)
    db.session.flush()
    earlier = operations.create_lesson(s.maths_5a, s.maths_teacher, s.today - timedelta(days=1), 2, "", [s.kinds["oral"]])
    earlier.plan_item_id, earlier.topic = s.topics[0].id, s.topics[0].topic
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, s.today, 2, "", [s.kinds["test"], s.kinds["oral"]])
    db.session.commit()
    return s


def form_data(s, **changes):
    lesson = db.session.get(Lesson, s.lesson.id)
    data = {
        "version": str(lesson.version),
        "date": lesson.date.isoformat(),
        "lesson_number": str(lesson.lesson_number),
        "plan_item_id": str(s.topics[1].id),
        "topic": "",
        "work_kinds": [str(s.kinds["test"].id), str(s.kinds["oral"].id)],
        "homework_text": "Решить задачи",
        "homework_pages": "45-46",
        "homework_exercises": "№ 12, 14",
    }
    data.update(changes)
    return data


def test_page_proposes_the_next_unused_topic_of_the_plan(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    page = client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    assert f'<option selected value="{s.topics[1].id}">2. Дроби</option>' in page
    assert "Урок провёл(а): Числова Вера" in page and "(замена)" not in page
    assert f'/journal/assignments/{s.maths_5a.id}#lesson-{s.lesson.id}' in page


def test_teacher_records_topic_kinds_and_homework_with_history(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(s))
    assert response.status_code == 303
    lesson = db.session.get(Lesson, s.lesson.id)
    assert lesson.topic == "Дроби" and lesson.plan_item_id == s.topics[1].id
    homework = db.session.scalar(select(Homework).where(Homework.lesson_id == lesson.id))
    assert (homework.text, homework.pages, homework.exercises, homework.is_individual) == ("Решить задачи", "45-46", "№ 12, 14", False)
    changes = db.session.scalars(select(JournalChange).where(JournalChange.lesson_id == lesson.id)).all()
    assert {(c.entity, c.action) for c in changes} >= {("lesson", "update"), ("homework", "create")}
    update = next(c for c in changes if c.entity == "lesson" and c.action == "update")
    assert update.before["topic"] == "" and update.after["topic"] == "Дроби"
    # free text instead of the plan
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(s, plan_item_id="0", topic="Повторение"))
    assert response.status_code == 303
    lesson = db.session.get(Lesson, s.lesson.id)
    assert lesson.topic == "Повторение" and lesson.plan_item_id is None


def test_a_form_opened_before_another_save_is_refused(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    stale = form_data(s)
    assert client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(s)).status_code == 303
    response = client.post(f"/journal/lessons/{s.lesson.id}", data={**stale, "homework_text": "Другое"})
    assert response.status_code == 409
    assert db.session.scalar(select(Homework.text)) == "Решить задачи"


def test_a_kind_of_work_with_marks_cannot_be_removed(client, auth, lesson_day):
    s = lesson_day
    lesson = db.session.get(Lesson, s.lesson.id)
    operations.save_cell(lesson, s.pupils_5a[0], s.maths_teacher, "5/4", key="", base=None)
    db.session.commit()
    auth.login(s.maths_teacher)
    response = client.post(f"/journal/lessons/{s.lesson.id}",
                           data=form_data(s, work_kinds=[str(s.kinds["oral"].id)], homework_text="x"))
    assert response.status_code == 409
    assert "Нельзя убрать вид работы «Контрольная работа»" in response.get_data(as_text=True)
    works = db.session.scalars(select(LessonWork.work_kind_id).where(LessonWork.lesson_id == s.lesson.id)).all()
    assert set(works) == {s.kinds["test"].id, s.kinds["oral"].id}
    assert db.session.scalar(select(Homework)) is None  # nothing half-saved
    # a kind without marks can be added and removed
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(
        s, work_kinds=[str(s.kinds["test"].id), str(s.kinds["oral"].id), str(s.kinds["independent"].id)]))
    assert response.status_code == 303
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(
        s, work_kinds=[str(s.kinds["test"].id), str(s.kinds["oral"].id)]))
    assert response.status_code == 303


def test_individual_homework_goes_to_the_chosen_students_only(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    chosen = [s.pupils_5a[0], s.pupils_5a[2]]
    response = client.post(f"/journal/lessons/{s.lesson.id}/homework", data={
        "text": "Карточка № 3", "pages": "", "exercises": "", "students": [str(p.id) for p in chosen]})
    assert response.status_code == 303
    homework = db.session.scalar(select(Homework).where(Homework.is_individual.is_(True)))
    students = set(db.session.scalars(select(HomeworkStudent.student_id).where(HomeworkStudent.homework_id == homework.id)))
    assert students == {p.id for p in chosen}
    page = client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    assert "Карточка № 3" in page and "Петров Пётр" in page
    # a student of another class is not a choice of this lesson
    response = client.post(f"/journal/lessons/{s.lesson.id}/homework", data={
        "text": "Карточка № 4", "students": [str(s.pupils_5b[0].id)]})
    assert response.status_code == 400
    assert db.session.scalar(select(Homework).where(Homework.text == "Карточка № 4")) is None


def test_pdf_is_attached_stored_under_a_random_name_and_downloaded(client, auth, lesson_day, app):
    s = lesson_day
    auth.login(s.maths_teacher)
    data = form_data(s, homework_file=(io.BytesIO(PDF), "Задачи к уроку.pdf"))
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    row = db.session.scalar(select(HomeworkFile))
    assert row.original_name == "Задачи к уроку.pdf" and row.stored_name != row.original_name
    assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], "homework", row.stored_name))
    download = client.get(f"/journal/homework-files/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    auth.logout()
    auth.login(s.primary_teacher)
    assert client.get(f"/journal/homework-files/{row.id}").status_code == 403


@pytest.mark.parametrize("name, content", [("setup.exe", EXE), ("homework.pdf", EXE)])
def test_other_files_are_refused_and_nothing_is_saved(client, auth, lesson_day, app, name, content):
    s = lesson_day
    auth.login(s.maths_teacher)
    data = form_data(s, homework_file=(io.BytesIO(content), name))
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "не принят" in response.get_data(as_text=True)
    assert db.session.scalar(select(Homework)) is None and db.session.scalar(select(HomeworkFile)) is None
    assert db.session.get(Lesson, s.lesson.id).topic == ""
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "homework")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def _other_school_lesson(create_user):
    school = School(name="Гимназия № 2", short_name="Гимназия № 2")
    year = AcademicYear(school=school, name="2026/2027", start_date=school_date(2026, 9, 1), end_date=school_date(2027, 5, 31), is_current=True)
    db.session.add_all([school, year, StudyPeriod(year=year, scheme="quarter", number=2, name="2 четверть",
                                                  start_date=school_date(2026, 11, 5), end_date=school_date(2026, 12, 28))])
    teacher = create_user(school, "teacher", login="other_teacher")
    class_group = ClassGroup(school=school, year=year, name="5В", grade=5)
    subject = Subject(school=school, name="Математика")
    scale = MarkingScale(school=school, code="five", name="Пятибалльная")
    assignment = TeachingAssignment(school=school, year=year, teacher=teacher, class_group=class_group, subject=subject, scale=scale)
    db.session.add_all([class_group, subject, scale, assignment])
    db.session.flush()
    lesson = operations.create_lesson(assignment, teacher, school_date(2026, 11, 20), 1)
    db.session.commit()
    return lesson


def test_upload_to_another_schools_lesson_is_not_found(client, auth, lesson_day, create_user):
    s = lesson_day
    other = _other_school_lesson(create_user)
    auth.login(s.maths_teacher)
    response = client.post(f"/journal/lessons/{other.id}", data={**form_data(s), "version": "1",
                           "homework_file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 404
    response = client.post(f"/journal/lessons/{other.id}/homework", data={"text": "x", "students": []})
    assert response.status_code == 404
    assert db.session.scalar(select(HomeworkFile)) is None


def test_deputy_reads_the_lesson_but_cannot_change_anything(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.deputy)
    page = client.get(f"/journal/lessons/{s.lesson.id}")
    assert page.status_code == 200 and "только просмотр" in page.get_data(as_text=True)
    assert 'name="homework_text"' not in page.get_data(as_text=True)
    assert client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(s)).status_code == 403
    assert client.post(f"/journal/lessons/{s.lesson.id}/homework",
                       data={"text": "x", "students": [str(s.pupils_5a[0].id)]}).status_code == 403
    assert client.post("/journal/lessons/open", data={"assignment_id": s.maths_5a.id, "date": s.today.isoformat(),
                                                      "lesson_number": 2}).status_code == 403
    assert db.session.scalar(select(Homework)) is None
    assert db.session.get(Lesson, s.lesson.id).topic == ""


def test_a_lesson_of_a_closed_period_is_read_only(client, auth, lesson_day):
    s = lesson_day
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    period.is_closed = True
    db.session.commit()
    auth.login(s.maths_teacher)
    page = client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    assert "закрыт" in page and 'name="homework_text"' not in page
    assert client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(s)).status_code == 409
    assert db.session.scalar(select(Homework)) is None


def test_homework_after_the_deadline_is_flagged(lesson_day):
    """Two hours (the default) after the end of the teacher's last lesson: 10:10 + 2 h, Moscow."""
    s = lesson_day
    lesson = db.session.get(Lesson, s.lesson.id)
    deadline = lessons_operations.homework_deadline(lesson)
    assert deadline.astimezone(timezone.utc) == datetime.combine(s.today, datetime.min.time(), timezone.utc).replace(hour=9, minute=10)
    in_time, _changed = lessons_operations.set_collective_homework(lesson, s.maths_teacher, "до срока", "", "",
                                                                  now=deadline - timedelta(minutes=1))
    assert not in_time.entered_late
    late = lessons_operations.add_individual_homework(lesson, s.maths_teacher, "после срока", "", "", [s.pupils_5a[0]],
                                                     now=deadline + timedelta(minutes=1))
    assert late.entered_late


def test_today_lists_own_lessons_with_their_state(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    page = client.get("/journal/today").get_data(as_text=True)
    assert "09:25–10:10" in page and "5А" in page and "Математика" in page and "Урок записан" in page
    auth.logout()
    auth.login(s.russian_teacher)
    page = client.get("/journal/today").get_data(as_text=True)
    assert "Сегодня у вас нет уроков по расписанию." in page


def test_saving_without_a_topic_warns_and_writes_nothing_until_confirmed(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    version = db.session.get(Lesson, s.lesson.id).version
    response = client.post(f"/journal/lessons/{s.lesson.id}", data=form_data(s, plan_item_id="0", topic=" "))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Тема урока не указана" in page and 'name="confirm_no_topic"' in page
    assert "Решить задачи" in page  # the typed homework is kept in the form
    db.session.expire_all()
    assert db.session.get(Lesson, s.lesson.id).version == version
    assert db.session.scalar(select(Homework).where(Homework.lesson_id == s.lesson.id)) is None
    response = client.post(f"/journal/lessons/{s.lesson.id}",
                           data=form_data(s, plan_item_id="0", topic="", confirm_no_topic="y"))
    assert response.status_code == 303
    assert db.session.scalar(select(Homework).where(Homework.lesson_id == s.lesson.id)).text == "Решить задачи"


def test_the_plan_hint_is_shown_only_when_the_plan_proposed_a_topic(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    hint = "Предложена следующая по порядку тема плана."
    assert hint in client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    db.session.execute(Lesson.__table__.update().values(plan_item_id=None))
    db.session.execute(PlanItem.__table__.delete())
    db.session.commit()
    page = client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    assert hint not in page


def test_save_and_the_way_back_to_the_grid_share_the_sticky_action_bar(client, auth, lesson_day):
    s = lesson_day
    auth.login(s.maths_teacher)
    page = client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    bar = page[page.index('class="actions lesson-actionbar"'):]
    bar = bar[:bar.index("</div>")]
    assert 'form="lesson-form"' in bar and "Сохранить урок" in bar
    assert f'/journal/assignments/{s.maths_5a.id}#lesson-{s.lesson.id}' in bar
