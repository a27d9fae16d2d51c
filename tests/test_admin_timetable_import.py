"""Loading the weekly timetable from a file (issue 10, item 4): CSV or XLSX with Russian
headers, a preview, then all or nothing — a file with one bad row (unknown teacher, no such
assignment, a clash, a bad weekday) changes nothing and the preview names the row and the
reason in Russian."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from domain.timetable import next_monday
from extensions import db
from models import AuditEntry, Room, ScheduleSlot
from tests.clock import TODAY

MONDAY = next_monday(TODAY)
HEADER = ["Класс", "День", "Урок", "Предмет", "Учитель", "Кабинет", "Подгруппа"]
GOOD = [
    ["5А", "пн", "1", "Математика", "Числова В.И.", "204", ""],
    ["5А", "Понедельник", "2", "Английский язык", "Инглишева Елена", "301", "1 группа"],
    ["5А", "1", "2", "Английский язык", "maths", "302", "2 группа"],
    ["5А", "вт", "1", "Русский язык", "Словарёва", "", ""],
    ["5Б", "ср", "1", "Математика", "Словарёва О.И.", "204", ""],
]


def text(response) -> str:
    return response.get_data(as_text=True)


def csv_bytes(rows) -> bytes:
    return "\ufeff".join(["", "\n".join(";".join(r) for r in rows)]).encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def slot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ScheduleSlot))


@pytest.fixture
def admin(client, auth, small_school):
    s = small_school()
    db.session.add(Room(school_id=s.school.id, name="204", note="", is_active=True))
    db.session.commit()
    auth.login(s.admin)
    s.client = client
    return s


def upload(s, filename: str, data: bytes, day=MONDAY):
    response = s.client.post("/admin/timetable/import", data={
        "file": (io.BytesIO(data), filename), "valid_from": day.isoformat()}, content_type="multipart/form-data")
    return response


def token_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return re.search(r"/admin/timetable/import/([A-Za-z0-9_-]+)$", response.location).group(1)


@pytest.mark.parametrize("filename, make", [("расписание.csv", csv_bytes), ("расписание.xlsx", xlsx_bytes)])
def test_a_good_file_is_previewed_then_loaded_with_its_new_rooms(admin, filename, make):
    s = admin
    token = token_of(upload(s, filename, make([HEADER, *GOOD])))
    preview = s.client.get(f"/admin/timetable/import/{token}")
    body = text(preview)
    assert preview.status_code == 200
    assert "Уроков</dt><dd>5" in body and "301, 302" in body and "5А, 5Б" in body
    assert "Загрузить расписание" in body
    assert slot_count() == 0  # the preview writes nothing

    done = s.client.post(f"/admin/timetable/import/{token}")
    assert done.status_code == 302
    db.session.expire_all()
    rows = db.session.execute(
        select(ScheduleSlot.assignment_id, ScheduleSlot.weekday, ScheduleSlot.lesson_number, ScheduleSlot.room,
               ScheduleSlot.valid_from, ScheduleSlot.room_id.is_not(None))
    ).all()
    assert sorted(rows) == sorted([
        (s.maths_5a.id, 1, 1, "204", MONDAY, True),
        (s.english_5a_g1.id, 1, 2, "301", MONDAY, True),
        (s.english_5a_g2.id, 1, 2, "302", MONDAY, True),
        (s.russian_5a.id, 2, 1, "", MONDAY, False),
        (s.maths_5b.id, 3, 1, "204", MONDAY, True),
    ])
    assert sorted(db.session.scalars(select(Room.name))) == ["204", "301", "302"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "timetable", AuditEntry.action == "import"))
    assert entry.after["lessons"] == 5 and entry.after["new_rooms"] == ["301", "302"]
    # the upload is gone once loaded
    assert s.client.get(f"/admin/timetable/import/{token}").status_code == 302


@pytest.mark.parametrize("bad_row, column, reason", [
    (["5А", "пн", "3", "Математика", "Неизвестный Н.Н.", "", ""], "Учитель", "Учитель «Неизвестный Н.Н.» не найден"),
    (["5А", "пн", "3", "Английский язык", "Словарёва О.И.", "", "1 группа"], "Предмет", "Нет такой нагрузки: Словарёва О.И. не ведёт «Английский язык» в 5А (1 группа)"),
    (["5А", "вс", "3", "Математика", "Числова В.И.", "", ""], "День", "День недели «вс» не распознан"),
    (["5А", "пн", "девять", "Математика", "Числова В.И.", "", ""], "Урок", "Номер урока «девять»"),
    (["9Я", "пн", "3", "Математика", "Числова В.И.", "", ""], "Класс", "Класс «9Я» не найден"),
    (["5А", "пн", "3", "Рисование", "Числова В.И.", "", ""], "Предмет", "Предмет «Рисование» не найден"),
    (["5А", "пн", "3", "Английский язык", "Числова В.И.", "", "3 группа"], "Подгруппа", "нет подгруппы «3 группа»"),
    # room 204 holds 5А's first Monday lesson (row 2), Словарёва teaches 5А on Tuesday (row 5)
    (["5Б", "пн", "1", "Математика", "Словарёва О.И.", "204", ""], "", "Кабинет 204 уже занят в это время: 5А, Математика (понедельник, 1-й урок). (строка 2 файла)"),
    (["5Б", "вт", "1", "Математика", "Словарёва О.И.", "", ""], "", "Учитель Словарёва О.И. уже ведёт урок в это время: 5А, Русский язык (вторник, 1-й урок). (строка 5 файла)"),
])
def test_a_file_with_one_bad_row_changes_nothing_and_names_the_row(admin, bad_row, column, reason):
    s = admin
    token = token_of(upload(s, "t.csv", csv_bytes([HEADER, *GOOD, bad_row])))
    preview = s.client.get(f"/admin/timetable/import/{token}")
    body = text(preview).replace("&#34;", '"').replace("&#39;", "'")
    assert preview.status_code == 200
    bad_line = len(GOOD) + 2
    assert re.search(rf'<tr class="row-error"><td>{bad_line}</td><td>{column}</td><td>[^<]*{re.escape(reason)}', body), body[body.find("Ошибки"):][:1500]
    assert "Загрузить расписание" not in body  # no button to load a file with errors

    refused = s.client.post(f"/admin/timetable/import/{token}")
    assert refused.status_code == 400
    assert "Ничего не изменено" in text(refused)
    assert slot_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Room)) == 1


def test_a_teacher_busy_in_a_class_outside_the_file_is_a_clash(admin):
    s = admin
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5b.id, weekday=2, lesson_number=1,
                                valid_from=s.year.start_date))
    db.session.commit()
    rows = [HEADER, ["5А", "вт", "1", "Русский язык", "Словарёва О.И.", "", ""]]
    token = token_of(upload(s, "t.csv", csv_bytes(rows)))
    body = text(s.client.get(f"/admin/timetable/import/{token}"))
    assert "Учитель Словарёва О.И. уже ведёт урок в это время: 5Б, Математика (вторник, 1-й урок)." in body
    assert s.client.post(f"/admin/timetable/import/{token}").status_code == 400
    assert slot_count() == 1


def test_the_import_replaces_the_week_of_the_files_classes_from_the_date_only(admin):
    s = admin
    start = s.year.start_date
    db.session.add_all([
        ScheduleSlot(school_id=s.school.id, assignment_id=s.russian_5a.id, weekday=5, lesson_number=5, valid_from=start),
        ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5b.id, weekday=5, lesson_number=5, valid_from=start),
        ScheduleSlot(school_id=s.school.id, assignment_id=s.russian_1a.id, weekday=5, lesson_number=1, valid_from=start),
    ])
    db.session.commit()
    token = token_of(upload(s, "t.csv", csv_bytes([HEADER, GOOD[0]])))  # 5А only
    assert s.client.post(f"/admin/timetable/import/{token}").status_code == 302
    db.session.expire_all()
    by_assignment = {x.assignment_id: x for x in db.session.scalars(select(ScheduleSlot).where(ScheduleSlot.valid_from == start))}
    assert by_assignment[s.russian_5a.id].valid_to == MONDAY - timedelta(days=1)  # 5А: closed the day before
    assert by_assignment[s.maths_5b.id].valid_to is None  # 5Б is not in the file
    assert by_assignment[s.russian_1a.id].valid_to is None


def test_a_date_in_the_past_is_refused(admin):
    s = admin
    response = upload(s, "t.csv", csv_bytes([HEADER, *GOOD]), day=TODAY - timedelta(days=1))
    assert response.status_code == 400 and "задним числом" in text(response)


@pytest.mark.parametrize("data, message", [
    (b"", "Файл пуст"),
    ("Фамилия;Имя\nИванов;Иван".encode(), "В файле нет обязательного столбца"),
])
def test_an_empty_or_foreign_file_shows_the_reason_and_loads_nothing(admin, data, message):
    s = admin
    response = upload(s, "t.csv", data)
    if response.status_code == 302:
        response = s.client.get(response.location)
    assert message in text(response)
    assert slot_count() == 0


def test_a_file_of_another_format_is_refused_in_russian(admin):
    response = upload(admin, "t.pdf", b"%PDF-1.4")
    assert response.status_code in (400, 415) and "<html" in text(response)
    assert slot_count() == 0


def test_cancel_deletes_the_upload(admin):
    s = admin
    token = token_of(upload(s, "t.csv", csv_bytes([HEADER, *GOOD])))
    assert s.client.post(f"/admin/timetable/import/{token}/cancel").status_code == 302
    assert s.client.get(f"/admin/timetable/import/{token}").status_code == 302
    assert s.client.post(f"/admin/timetable/import/{token}").status_code == 302
    assert slot_count() == 0


def test_the_confirmation_counts_the_lessons_without_a_wrong_plural(admin):
    s = admin
    token = token_of(upload(s, "расписание.csv", csv_bytes([HEADER, GOOD[0]])))
    body = text(s.client.get(f"/admin/timetable/import/{token}"))
    assert "1 уроков" not in body  # «Загрузить 1 уроков?» read wrong for 1, 21, 31 …
    assert "уроков — 1)?" in body
