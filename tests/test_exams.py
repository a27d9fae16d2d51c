"""State exam results (JRN-11, 001:2.8.3): entered by hand or imported from the protocol with a
preview, the final marks by the school's rule, and the diary's results page."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select

from extensions import db
from models import AuditEntry, School
from models.exams import ExamResult
from tests.access_rules_exams import grade_nine


def _results() -> int:
    return db.session.scalar(select(func.count()).select_from(ExamResult))


def _entry(client, s, **fields):
    data = {"subject_id": s.maths.id, "kind": "oge", "exam_date": "25.05.2027", **fields}
    return client.post(f"/reports/exams/classes/{s.class_9a.id}/entry", data=data)


def _csv(text: str):
    return {"file": (io.BytesIO(text.encode("utf-8")), "protocol.csv")}


def _upload(client, files):
    return client.post("/reports/exams/import", data=files, content_type="multipart/form-data")


def test_oge_marks_typed_for_a_class_give_the_final_mark_as_the_rounded_mean(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    ivanov, kuznetsova = s.pupils_9a
    auth.login(s.deputy)
    response = _entry(client, s, **{f"p_{ivanov.id}": "30", f"m_{ivanov.id}": "5", f"m_{kuznetsova.id}": "4"})
    assert response.status_code == 303
    stored = {r.student_id: r for r in db.session.scalars(select(ExamResult))}
    assert stored[ivanov.id].mark == "5" and stored[ivanov.id].primary_score == 30
    assert stored[ivanov.id].exam_date.isoformat() == "2027-05-25" and stored[ivanov.id].kind == "oge"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "exam_result")) == 2
    page = client.get(f"/reports/exams?class_id={s.class_9a.id}").get_data(as_text=True)
    # year 4 + exam 5 -> 4.5 -> 5; year 3 + exam 4 -> 3.5 -> 4 (rules of mathematics)
    cells = re.findall(r"<strong>(\d)</strong>", page)
    assert cells == ["5", "4"]


def test_a_wrong_mark_refuses_the_whole_entry_with_the_row_error_in_russian(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    ivanov, kuznetsova = s.pupils_9a
    auth.login(s.director)
    response = _entry(client, s, **{f"m_{ivanov.id}": "5", f"m_{kuznetsova.id}": "6"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Отметка — число от 2 до 5" in page and "ничего не сохранено" in page
    assert _results() == 0


def test_grade_nine_does_not_sit_ege_and_ege_needs_a_test_score(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    assert _entry(client, s, kind="ege", **{f"t_{s.pupils_9a[0].id}": "70"}).status_code == 400
    assert _entry(client, s, exam_date="31.02.2027", **{f"m_{s.pupils_9a[0].id}": "4"}).status_code == 400
    assert _results() == 0


def test_an_emptied_line_removes_the_students_result(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    ivanov = s.pupils_9a[0]
    auth.login(s.deputy)
    _entry(client, s, **{f"m_{ivanov.id}": "4"})
    assert _results() == 1
    form = client.get(f"/reports/exams/classes/{s.class_9a.id}/entry?subject_id={s.maths.id}&kind=oge").get_data(as_text=True)
    assert f'name="m_{ivanov.id}" value="4"' in form
    assert _entry(client, s).status_code == 303
    assert _results() == 0


def test_a_protocol_is_previewed_with_row_errors_and_stored_only_when_clean(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    bad = ("Обучающийся;Класс;Предмет;Экзамен;Первичный балл;Отметка\n"
           "Иванов Иван;9А;Математика;ОГЭ;28;5\n"
           "Никто Никтович;9А;Математика;ОГЭ;10;3\n"
           "Кузнецова Ксения;9А;Алхимия;ОГЭ;10;7\n")
    response = _upload(client, _csv(bad))
    assert response.status_code == 303
    preview_url = response.location
    page = client.get(preview_url).get_data(as_text=True)
    assert "нет обучающегося «Никто Никтович»" in page
    assert "Предмета «Алхимия» нет в школе" in page and "Отметка — число от 2 до 5" in page
    token = preview_url.rsplit("/", 1)[1]
    committed = client.post(f"/reports/exams/import/{token}", data={})
    assert committed.status_code == 400
    assert _results() == 0

    good = "Номер в алфавитной книге;Предмет;Экзамен;Первичный балл;Отметка\n9-1;Математика;ОГЭ;28;5\n9-2;Математика;ГВЭ;;3\n"
    token = _upload(client, _csv(good)).location.rsplit("/", 1)[1]
    page = client.get(f"/reports/exams/import/{token}").get_data(as_text=True)
    assert "Иванов Иван" in page and "ГВЭ-9" in page
    assert client.post(f"/reports/exams/import/{token}", data={}).status_code == 303
    stored = {(r.student_id, r.kind): r for r in db.session.scalars(select(ExamResult))}
    assert stored[(s.pupils_9a[0].id, "oge")].mark == "5" and stored[(s.pupils_9a[0].id, "oge")].source == "import"
    assert stored[(s.pupils_9a[1].id, "gve9")].mark == "3"
    assert stored[(s.pupils_9a[0].id, "oge")].protocol_name == "protocol.csv"


def test_an_xlsx_protocol_is_read_too(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    auth.login(s.admin)
    book = Workbook()
    sheet = book.active
    sheet.append(["Обучающийся", "Класс", "Предмет", "Экзамен", "Отметка"])
    sheet.append(["Кузнецова Ксения", "9 А", "Математика", "ОГЭ", 4])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    token = _upload(client, {"file": (data, "protocol.xlsx")}).location.rsplit("/", 1)[1]
    assert client.post(f"/reports/exams/import/{token}", data={}).status_code == 303
    assert db.session.scalar(select(ExamResult.mark)) == "4"


def test_bad_files_are_refused_with_400_and_nothing_kept(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    png = {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "protocol.xlsx")}
    response = _upload(client, png)
    assert response.status_code == 400 and "<title>" in response.get_data(as_text=True)
    no_subject = _upload(client, _csv("Обучающийся;Класс;Отметка\nИванов Иван;9А;5\n"))
    assert no_subject.status_code == 400
    assert "В файле нет обязательного столбца" in no_subject.get_data(as_text=True)
    assert _upload(client, {}).status_code == 400
    assert _results() == 0


def test_the_schools_rule_decides_the_final_mark(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    ivanov = s.pupils_9a[0]
    auth.login(s.deputy)
    _entry(client, s, **{f"m_{ivanov.id}": "3"})
    school = db.session.get(School, s.school.id)
    school.settings = {**(school.settings or {}), "final_mark_rule": "exam_only"}
    db.session.commit()
    page = client.get(f"/reports/exams?class_id={s.class_9a.id}&subject_id={s.maths.id}").get_data(as_text=True)
    assert re.findall(r"<strong>(\d)</strong>", page)[0] == "3"  # year 4, exam 3, exam only


def test_the_settings_page_shows_and_saves_the_final_mark_rule(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Правило итоговой отметки" in page and "по правилам математики" in page
    refused = client.post("/admin/settings/exams", data={"final_mark_rule": "dice"})
    assert refused.status_code == 400 and "Выберите правило из списка" in refused.get_data(as_text=True)
    assert "final_mark_rule" not in (db.session.get(School, s.school.id).settings or {})
    client.post("/admin/settings/exams", data={"final_mark_rule": "exam_only"})
    db.session.expire_all()
    assert db.session.get(School, s.school.id).settings["final_mark_rule"] == "exam_only"


def test_the_list_page_has_a_bounded_number_of_queries(client, auth, small_school, create_student, count_queries):
    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    _entry(client, s, **{f"m_{p.id}": "4" for p in s.pupils_9a})
    url = f"/reports/exams?class_id={s.class_9a.id}"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        create_student(s.school, s.class_9a, f"Новиков{n}", "Никита", with_login=False)
    db.session.commit()
    _entry(client, s, **{f"m_{p.id}": "5" for p in s.pupils_9a})
    with count_queries() as more:
        assert client.get(url).status_code == 200
    assert more.count == few.count and few.count <= 25


def test_the_diary_shows_the_students_exam_results_and_final_marks(client, auth, small_school, create_student):
    s = small_school()
    grade_nine(s)
    pupil = create_student(s.school, s.class_9a, "Орлов", "Олег", parents=[s.parent_b])
    db.session.commit()
    auth.login(s.deputy)
    _entry(client, s, **{f"m_{pupil.id}": "5"})
    auth.logout()
    for who in (s.parent_b, pupil.user):
        auth.login(who)
        page = client.get(f"/diary/students/{pupil.id}/results").get_data(as_text=True)
        assert "Государственная итоговая аттестация" in page and "ОГЭ" in page and "отметка 5" in page
        auth.logout()


def test_a_closed_year_refuses_the_entry_and_the_import(client, auth, small_school):
    s = small_school()
    grade_nine(s)
    auth.login(s.deputy)
    s.year.is_closed = True
    db.session.commit()
    response = _entry(client, s, **{f"m_{s.pupils_9a[0].id}": "5"})
    assert response.status_code == 409 and "закрыт" in response.get_data(as_text=True)
    token = _upload(client, _csv("Номер в алфавитной книге;Предмет;Экзамен;Отметка\n9-1;Математика;ОГЭ;5\n")).location
    assert client.post(token, data={}).status_code == 400
    assert _results() == 0


def test_the_exam_results_page_is_reachable_from_the_home_page_of_the_office(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    assert "/reports/exams" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(s.maths_teacher)
    assert "/reports/exams" not in client.get("/").get_data(as_text=True)
