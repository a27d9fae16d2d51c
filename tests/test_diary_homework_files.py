"""Homework files in the diary (DIA-1, 004:2.9, 004:2.11-2.12): the week shows the files of the
homework given to the child's class, subgroup or the child by name, with a link the student and
their parents open; another family's child, another class or another group is refused, and no
response with a file may be cached."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from blueprints.journal import lessons_operations, operations
from extensions import db
from models import Homework, HomeworkStudent
from utils.uploads import Upload

PDF = b"%PDF-1.4\n% homework\n%%EOF\n"


@pytest.fixture
def files(app, small_school):
    """One weekday of the second quarter of small_school: maths 5А (the whole class), English 5А
    for group 1 (pupils 0 and 2) and for group 2 (pupils 1 and 3), maths 5Б, and an individual
    task of maths 5А for pupil 1 — each homework with one file."""
    s = small_school()
    day = s.quarters[1].start_date + timedelta(days=7)
    while day.weekday() > 4:
        day += timedelta(days=1)
    store = lessons_operations.file_store(app.config["UPLOAD_FOLDER"])

    def homework_with_file(assignment, teacher, number, name, students=()):
        lesson = operations.create_lesson(assignment, teacher, day, number, "Тема")
        db.session.flush()
        homework = Homework(lesson_id=lesson.id, text=f"Задание {name}", is_individual=bool(students))
        homework.students = [HomeworkStudent(student_id=st.id) for st in students]
        db.session.add(homework)
        db.session.flush()
        return lessons_operations.attach_file(homework, teacher, Upload(name, "pdf", "application/pdf", PDF), store)

    f = SimpleNamespace(day=day, s=s)
    f.maths = homework_with_file(s.maths_5a, s.maths_teacher, 1, "дроби.pdf")
    f.group_1 = homework_with_file(s.english_5a_g1, s.english_teacher, 2, "group-1.pdf")
    f.group_2 = homework_with_file(s.english_5a_g2, s.maths_teacher, 3, "group-2.pdf")
    f.class_5b = homework_with_file(s.maths_5b, s.russian_teacher, 1, "5b.pdf")
    individual_lesson_homework = homework_with_file(s.maths_5a, s.maths_teacher, 4, "individual.pdf",
                                                    students=[s.pupils_5a[1]])
    f.individual = individual_lesson_homework
    db.session.commit()
    store.committed()
    return f


def week_page(client, student, day) -> str:
    response = client.get(f"/diary/students/{student.id}/week?date={day.isoformat()}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def link_to(page: str, name: str) -> str | None:
    found = re.search(r'href="([^"]+)"[^>]*>📎 ' + re.escape(name), page)
    return found.group(1) if found else None


def file_url(student, row) -> str:
    return f"/diary/students/{student.id}/homework-files/{row.id}"


def assert_file(response):
    assert response.status_code == 200
    assert response.data == PDF
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_parent_opens_the_homework_file_from_the_diary_link(client, auth, files):
    child = files.s.pupils_5a[0]
    auth.login(files.s.parent_a)
    url = link_to(week_page(client, child, files.day), "дроби.pdf")
    assert url == file_url(child, files.maths)
    assert_file(client.get(url))


def test_student_opens_the_files_of_their_class_and_group_only(client, auth, files):
    pupil = files.s.pupils_5a[0]  # group 1
    auth.login(pupil.user)
    page = week_page(client, pupil, files.day)
    assert link_to(page, "group-1.pdf") == file_url(pupil, files.group_1)
    assert link_to(page, "group-2.pdf") is None and link_to(page, "individual.pdf") is None
    assert_file(client.get(link_to(page, "group-1.pdf")))
    assert_file(client.get(link_to(page, "дроби.pdf")))


def test_a_file_of_another_subgroup_is_refused(client, auth, files):
    pupil = files.s.pupils_5a[0]  # group 1; the file is group 2's
    auth.login(pupil.user)
    assert client.get(file_url(pupil, files.group_2)).status_code in (403, 404)
    auth.logout()
    auth.login(files.s.parent_a)
    assert client.get(file_url(pupil, files.group_2)).status_code in (403, 404)


def test_a_file_of_another_class_is_refused(client, auth, files):
    pupil = files.s.pupils_5a[0]
    auth.login(pupil.user)
    assert client.get(file_url(pupil, files.class_5b)).status_code in (403, 404)


def test_another_familys_child_is_refused(client, auth, files):
    s = files.s
    auth.login(s.parent_b)  # Сидоров Семён's mother, 5Б
    assert client.get(file_url(s.pupils_5a[0], files.maths)).status_code in (403, 404)  # not her child
    assert client.get(file_url(s.pupils_5b[0], files.maths)).status_code in (403, 404)  # not her child's homework
    auth.logout()
    auth.login(s.pupils_5a[2].user)  # a classmate, also group 1: through another child's id
    assert client.get(file_url(s.pupils_5a[0], files.group_1)).status_code in (403, 404)


def test_an_individual_task_file_is_only_for_the_named_student(client, auth, files):
    s = files.s
    auth.login(s.pupils_5a[1].user)
    url = link_to(week_page(client, s.pupils_5a[1], files.day), "individual.pdf")
    assert url == file_url(s.pupils_5a[1], files.individual)
    assert_file(client.get(url))
    auth.logout()
    auth.login(s.parent_a)
    assert client.get(file_url(s.pupils_5a[0], files.individual)).status_code in (403, 404)


def test_a_deleted_homework_file_is_no_longer_served(client, auth, files):
    homework = db.session.get(Homework, files.maths.homework_id)
    homework.is_deleted = True
    db.session.commit()
    child = files.s.pupils_5a[0]
    auth.login(files.s.parent_a)
    assert link_to(week_page(client, child, files.day), "дроби.pdf") is None
    assert client.get(file_url(child, files.maths)).status_code in (403, 404)


def test_the_journal_file_response_is_not_cached_either(client, auth, files):
    auth.login(files.s.maths_teacher)
    assert_file(client.get(f"/journal/homework-files/{files.maths.id}"))
