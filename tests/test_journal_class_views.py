"""The class page and the daily attendance (ADM-6, JRN-4, JRN-8): the class teacher and the
academic office see every subject of the class; only the class teacher records the day's
attendance; an absence other than illness is refused where the student has a mark."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations
from extensions import db
from models import AcademicYear, Attendance, ClassGroup, JournalChange, School, StudyPeriod
from tests.clock import school_date
from tests.test_journal_grid import LESSON_DAY, journal  # noqa: F401  (the shared fixture)

DAY = LESSON_DAY.isoformat()


def attendance(lesson, student):
    row = db.session.scalar(select(Attendance).where(
        Attendance.lesson_id == lesson.id, Attendance.student_id == student.id, Attendance.is_deleted.is_(False)))
    return row.code if row else None


def test_class_teacher_sees_every_subject_with_lessons_and_average(client, auth, journal):  # noqa: F811
    operations.save_cell(journal.lesson, journal.pupils_5a[0], journal.maths_teacher, "5/4", key="", base=None)
    operations.save_cell(journal.lesson, journal.pupils_5a[1], journal.maths_teacher, "3", key="", base=None)
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = client.get(f"/journal/classes/{journal.class_5a.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for subject in ("Математика", "Русский язык", "Английский язык (1 группа)", "Английский язык (2 группа)"):
        assert subject in page
    assert f"/journal/assignments/{journal.russian_5a.id}" in page
    maths_row = page.split(f"/journal/assignments/{journal.maths_5a.id}")[1].split("</tr>")[0]
    # (5×2 + 4×1 + 3×2) / 5 = 4,00: the class's weighted average in the period
    assert "4,00" in maths_row and "<td>1</td>" in maths_row


@pytest.mark.parametrize("who", ["deputy", "methodist", "director", "admin"])
def test_academic_office_reads_the_class_page(client, auth, journal, who):  # noqa: F811
    auth.login(getattr(journal, who))
    assert client.get(f"/journal/classes/{journal.class_5a.id}").status_code == 200
    page = client.get(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}").get_data(as_text=True)
    assert "Алексеева Анна" in page and "<select" not in page and "только просмотр" in page


@pytest.mark.parametrize("who", ["russian_teacher", "primary_teacher", "parent_a", "tech_admin"])
def test_others_cannot_open_the_class_page(client, auth, journal, who):  # noqa: F811
    auth.login(getattr(journal, who))
    assert client.get(f"/journal/classes/{journal.class_5a.id}").status_code == 403
    assert client.get(f"/journal/classes/{journal.class_5a.id}/attendance").status_code == 403


def test_class_of_another_school_is_not_found(client, auth, journal):  # noqa: F811
    school = School(name="Другая школа", short_name="Другая")
    year = AcademicYear(school=school, name="2026/2027", start_date=journal.year.start_date, end_date=journal.year.end_date)
    other = ClassGroup(school=school, year=year, name="5А", grade=5, class_teacher=journal.maths_teacher)
    db.session.add_all([school, year, other])
    db.session.commit()
    auth.login(journal.maths_teacher)
    assert client.get(f"/journal/classes/{other.id}").status_code == 404
    assert client.get(f"/journal/classes/{other.id}/attendance").status_code == 404


def test_daily_attendance_page_lists_students_and_the_lessons_of_the_day(client, auth, journal):  # noqa: F811
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}").get_data(as_text=True)
    assert "Алексеева Анна" in page and "Петров Пётр" in page
    assert "Мат" in page and "Рус" in page and "Англ (1 группа)" in page
    assert f'name="code-{journal.pupils_5a[1].id}"' in page


def test_class_teacher_marks_a_student_ill_for_the_whole_day(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[1]  # group 2: not in the English group 1 lesson
    auth.login(journal.maths_teacher)
    response = client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}",
                           data={f"code-{pupil.id}": "ill", f"note-{pupil.id}": "Справка № 12"})
    assert response.status_code == 303
    assert attendance(journal.lesson, pupil) == "ill" and attendance(journal.russian_lesson, pupil) == "ill"
    assert attendance(journal.english_g1, pupil) is None
    changes = db.session.scalars(select(JournalChange).where(JournalChange.student_id == pupil.id,
                                                             JournalChange.entity == "attendance")).all()
    assert len(changes) == 2 and {c.reason for c in changes} == {"Справка № 12"}
    assert {c.user_id for c in changes} == {journal.maths_teacher.id}
    # back to present: the records are cleared, with history
    client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}", data={f"code-{pupil.id}": "present"})
    assert attendance(journal.lesson, pupil) is None and attendance(journal.russian_lesson, pupil) is None
    assert db.session.scalar(select(func.count()).select_from(JournalChange).where(
        JournalChange.student_id == pupil.id, JournalChange.action == "delete")) == 2


def test_keep_leaves_what_subject_teachers_recorded(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[2]
    operations.save_cell(journal.lesson, pupil, journal.maths_teacher, "оп", key="", base=None)
    db.session.commit()
    auth.login(journal.maths_teacher)
    client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}", data={f"code-{pupil.id}": ""})
    assert attendance(journal.lesson, pupil) == "late" and attendance(journal.russian_lesson, pupil) is None


def test_student_with_a_mark_cannot_be_set_absent_except_ill(client, auth, journal):  # noqa: F811
    marked, other = journal.pupils_5a[0], journal.pupils_5a[1]
    operations.save_cell(journal.lesson, marked, journal.maths_teacher, "5", key="", base=None)
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}",
                           data={f"code-{marked.id}": "unexcused", f"code-{other.id}": "absent"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Петров Пётр" in text and "только по болезни" in text and "Математика" in text
    # nothing at all was stored: not the refused student, not the other one
    assert attendance(journal.lesson, marked) is None and attendance(journal.lesson, other) is None
    assert client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}",
                       data={f"code-{marked.id}": "ill"}).status_code == 303
    assert attendance(journal.lesson, marked) == "ill"


@pytest.mark.parametrize("who", ["deputy", "russian_teacher", "parent_a"])
def test_only_the_class_teacher_records_the_day(client, auth, journal, who):  # noqa: F811
    pupil = journal.pupils_5a[1]
    auth.login(getattr(journal, who))
    response = client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}", data={f"code-{pupil.id}": "absent"})
    assert response.status_code == 403
    assert attendance(journal.lesson, pupil) is None


def test_closed_period_is_read_only_for_the_day(client, auth, journal):  # noqa: F811
    db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2)).is_closed = True
    db.session.commit()
    pupil = journal.pupils_5a[1]
    auth.login(journal.maths_teacher)
    response = client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}", data={f"code-{pupil.id}": "absent"})
    assert response.status_code == 409 and "закрыт" in response.get_data(as_text=True)
    assert attendance(journal.lesson, pupil) is None


@pytest.mark.parametrize("data", [{"code-{id}": "отсутствовал"}, {"code-999999": "absent"}])
def test_bad_input_is_refused_and_nothing_changes(client, auth, journal, data):  # noqa: F811
    pupil = journal.pupils_5a[1]
    auth.login(journal.maths_teacher)
    form = {k.format(id=pupil.id): v for k, v in data.items()}
    response = client.post(f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}", data=form)
    assert response.status_code == 400
    assert attendance(journal.lesson, pupil) is None


def test_bad_date_is_refused(client, auth, journal):  # noqa: F811
    auth.login(journal.maths_teacher)
    response = client.get(f"/journal/classes/{journal.class_5a.id}/attendance?date=31.02.2026")
    assert response.status_code == 400 and "ГГГГ-ММ-ДД" in response.get_data(as_text=True)


def test_a_day_without_lessons_says_so(client, auth, journal):  # noqa: F811
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/classes/{journal.class_5a.id}/attendance?date={school_date(2026, 11, 21)}").get_data(as_text=True)
    assert "нет уроков по расписанию" in page


def test_class_pages_use_a_bounded_number_of_queries(client, auth, journal, create_student, count_queries):  # noqa: F811
    auth.login(journal.maths_teacher)
    url_page = f"/journal/classes/{journal.class_5a.id}"
    url_day = f"/journal/classes/{journal.class_5a.id}/attendance?date={DAY}"
    client.get(url_page)
    with count_queries() as page_small:
        client.get(url_page)
    with count_queries() as day_small:
        client.get(url_day)
    for i in range(20):
        pupil = create_student(journal.school, journal.class_5a, f"Новиков{i}", "Никита", with_login=False)
        operations.save_cell(journal.lesson, pupil, journal.maths_teacher, "4", key="", base=None)
        operations.save_cell(journal.russian_lesson, pupil, journal.russian_teacher, "н", key="", base=None)
    for n in range(10):
        operations.create_lesson(journal.russian_5a, journal.russian_teacher, LESSON_DAY, 5 + n % 3, "", [journal.kinds["oral"]])
    db.session.commit()
    with count_queries() as page_big:
        client.get(url_page)
    with count_queries() as day_big:
        client.get(url_day)
    assert page_big.count == page_small.count and day_big.count == day_small.count
    assert page_big.count <= 16 and day_big.count <= 16  # + the header's unread messages badge (COM-1)


def test_class_page_lists_students_with_diary_and_consent_links_for_the_class_teacher(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)  # class teacher of 5А
    page = client.get(f"/journal/classes/{s.class_5a.id}").get_data(as_text=True)
    pupil = s.pupils_5a[0]
    assert f"/diary/students/{pupil.id}/week" in page
    assert f"/personal-data/students/{pupil.id}/consent" in page


def test_class_page_shows_no_consent_links_to_the_academic_office(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    page = client.get(f"/journal/classes/{s.class_5a.id}").get_data(as_text=True)
    assert f"/diary/students/{s.pupils_5a[0].id}/week" in page
    assert "/personal-data/students/" not in page
