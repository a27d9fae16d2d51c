"""The calendar-thematic plan (JRN-2): topics with hours, import that is all-or-nothing, and the
correction sheet once the study period has started; a lesson keeps its topic when the topic
leaves the plan; the academic office only reads."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from blueprints.journal import operations
from extensions import db
from models import Lesson, PlanCorrection, PlanItem, StudyPeriod
from tests.clock import school_date


@pytest.fixture
def school(app, small_school):
    return small_school()


def plan_numbers(assignment):
    return list(db.session.scalars(select(PlanItem.number).where(PlanItem.assignment_id == assignment.id).order_by(PlanItem.number)))


def upload(client, assignment, name, content, reason=""):
    return client.post(f"/journal/assignments/{assignment.id}/plan/import",
                       data={"file": (io.BytesIO(content), name), "reason": reason}, content_type="multipart/form-data")


def test_csv_with_bom_semicolons_and_a_header_is_imported(client, auth, school):
    auth.login(school.maths_teacher)
    content = "\ufeffномер;тема;часы\n1;Натуральные числа;2\n2;Дроби;\n3;Проценты;1\n".encode()
    response = upload(client, school.maths_5a, "ktp.csv", content, reason="начало года")
    assert response.status_code == 303
    items = db.session.scalars(select(PlanItem).order_by(PlanItem.number)).all()
    assert [(i.number, i.topic, i.hours) for i in items] == [(1, "Натуральные числа", 2), (2, "Дроби", 1), (3, "Проценты", 1)]


def test_xlsx_is_imported(client, auth, school):
    book = Workbook()
    sheet = book.active
    sheet.append(["№", "Тема", "Часы"])
    sheet.append([1, "Уравнения", 3])
    sheet.append([2.0, "Неравенства", 2])
    out = io.BytesIO()
    book.save(out)
    auth.login(school.maths_teacher)
    assert upload(client, school.maths_5a, "plan.xlsx", out.getvalue(), reason="план").status_code == 303
    assert plan_numbers(school.maths_5a) == [1, 2]


def test_import_with_broken_rows_imports_nothing_and_names_the_rows(client, auth, school):
    auth.login(school.maths_teacher)
    content = "1,Натуральные числа,2\nдва,Дроби,1\n3,,1\n4,Проценты,ноль\n1,Повтор,1\n".encode()
    response = upload(client, school.maths_5a, "ktp.csv", content, reason="ошибки")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for row in ("Строка 2", "Строка 3", "Строка 4", "Строка 5"):
        assert row in page
    assert "Строка 1:" not in page
    assert plan_numbers(school.maths_5a) == []


def test_a_file_that_is_not_utf8_or_not_a_table_is_refused(client, auth, school):
    auth.login(school.maths_teacher)
    response = upload(client, school.maths_5a, "ktp.csv", "1;Дроби;1\n".encode("cp1251"), reason="x")
    assert response.status_code == 400 and "UTF-8" in response.get_data(as_text=True)
    assert upload(client, school.maths_5a, "ktp.xlsx", b"not a workbook", reason="x").status_code == 400
    assert upload(client, school.maths_5a, "ktp.exe", b"MZ", reason="x").status_code == 400
    assert plan_numbers(school.maths_5a) == []


def test_after_the_period_started_a_change_needs_a_reason_and_goes_to_the_correction_sheet(client, auth, school):
    """Today is inside the 2nd quarter of small_school: the period has started."""
    item = PlanItem(assignment_id=school.maths_5a.id, number=1, topic="Дроби", hours=2)
    db.session.add(item)
    db.session.commit()
    auth.login(school.maths_teacher)
    url = f"/journal/assignments/{school.maths_5a.id}/plan/{item.id}"
    data = {"number": "1", "topic": "Обыкновенные дроби", "hours": "3", "planned_date": "", "reason": ""}
    response = client.post(url, data=data)
    assert response.status_code == 400 and "укажите причину" in response.get_data(as_text=True)
    assert db.session.get(PlanItem, item.id).topic == "Дроби"
    assert db.session.scalar(select(func.count(PlanCorrection.id))) == 0
    response = client.post(url, data={**data, "reason": "Переход на дистанционное обучение"})
    assert response.status_code == 303
    correction = db.session.scalar(select(PlanCorrection))
    assert correction.reason == "Переход на дистанционное обучение"
    assert correction.before["topic"] == "Дроби" and correction.after["topic"] == "Обыкновенные дроби"
    page = client.get(f"/journal/assignments/{school.maths_5a.id}/plan").get_data(as_text=True)
    assert "Лист корректировки" in page and "Переход на дистанционное обучение" in page


def test_before_the_period_started_changes_need_no_reason(client, auth, school):
    for period in db.session.scalars(select(StudyPeriod)):
        period.start_date, period.end_date = school_date(2027, 6 + period.number, 1), school_date(2027, 6 + period.number, 20)
    school.year.end_date = school_date(2027, 12, 31)
    item = PlanItem(assignment_id=school.maths_5a.id, number=1, topic="Дроби", hours=2)
    db.session.add(item)
    db.session.commit()
    auth.login(school.maths_teacher)
    response = client.post(f"/journal/assignments/{school.maths_5a.id}/plan/{item.id}",
                           data={"number": "1", "topic": "Дроби и проценты", "hours": "2", "reason": ""})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(PlanCorrection.id))) == 0


def test_deleting_a_topic_used_by_a_lesson_keeps_the_lessons_topic(client, auth, school):
    item = PlanItem(assignment_id=school.maths_5a.id, number=1, topic="Дроби", hours=1)
    db.session.add(item)
    db.session.flush()
    lesson = operations.create_lesson(school.maths_5a, school.maths_teacher, school_date(2026, 11, 20), 1, "Дроби",
                                      plan_item_id=item.id)
    db.session.commit()
    auth.login(school.maths_teacher)
    url = f"/journal/assignments/{school.maths_5a.id}/plan/{item.id}/delete"
    assert client.post(url, data={"reason": ""}).status_code == 400
    assert client.post(url, data={"reason": "Тема объединена с № 2"}).status_code == 303
    assert plan_numbers(school.maths_5a) == []
    kept = db.session.get(Lesson, lesson.id)
    assert kept.topic == "Дроби" and kept.plan_item_id is None
    correction = db.session.scalar(select(PlanCorrection))
    assert correction.after is None and correction.before["topic"] == "Дроби"
    assert client.get(f"/journal/lessons/{lesson.id}").status_code == 200


def test_a_number_already_in_the_plan_is_refused(client, auth, school):
    db.session.add(PlanItem(assignment_id=school.maths_5a.id, number=1, topic="Дроби", hours=1))
    db.session.commit()
    auth.login(school.maths_teacher)
    response = client.post(f"/journal/assignments/{school.maths_5a.id}/plan",
                           data={"number": "1", "topic": "Другая", "hours": "1", "reason": "добавление"})
    assert response.status_code == 409 and "уже есть" in response.get_data(as_text=True)
    assert plan_numbers(school.maths_5a) == [1]


def test_deputy_reads_the_plan_but_cannot_change_it(client, auth, school):
    item = PlanItem(assignment_id=school.maths_5a.id, number=1, topic="Дроби", hours=1)
    db.session.add(item)
    db.session.commit()
    auth.login(school.deputy)
    page = client.get(f"/journal/assignments/{school.maths_5a.id}/plan")
    assert page.status_code == 200 and "Дроби" in page.get_data(as_text=True)
    base = f"/journal/assignments/{school.maths_5a.id}/plan"
    assert client.post(base, data={"number": "2", "topic": "x", "hours": "1", "reason": "r"}).status_code == 403
    assert client.post(f"{base}/{item.id}", data={"number": "1", "topic": "y", "hours": "1", "reason": "r"}).status_code == 403
    assert client.post(f"{base}/{item.id}/delete", data={"reason": "r"}).status_code == 403
    assert upload(client, school.maths_5a, "a.csv", b"5;x;1\n", reason="r").status_code == 403
    assert plan_numbers(school.maths_5a) == [1]
    assert db.session.get(PlanItem, item.id).topic == "Дроби"


def test_another_teacher_cannot_open_the_plan(client, auth, school):
    auth.login(school.english_teacher)
    assert client.get(f"/journal/assignments/{school.maths_5a.id}/plan").status_code == 403


def test_plan_pages_open_for_the_teacher(client, auth, school):
    item = PlanItem(assignment_id=school.maths_5a.id, number=4, topic="Дроби", hours=1)
    db.session.add(item)
    db.session.commit()
    auth.login(school.maths_teacher)
    page = client.get(f"/journal/assignments/{school.maths_5a.id}/plan").get_data(as_text=True)
    assert "Календарно-тематический план" in page and "Загрузить" in page and "лист корректировки" in page
    response = client.get(f"/journal/assignments/{school.maths_5a.id}/plan/{item.id}")
    assert response.status_code == 200 and "data-confirm" in response.get_data(as_text=True)
