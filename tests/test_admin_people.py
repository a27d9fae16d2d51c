"""People administration (ADM-3, ADM-4, ADM-7, PD-4): imports all or nothing with a row-by-row
error report, exports without secrets, credential slips with Cyrillic text, password reset,
block, roles, parents, and the school boundary."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from blueprints.admin.imports import reading as importing
from blueprints.admin.people.operations import ExportTable, export_csv
from extensions import db
from models import (
    AdminAlert,
    AuditEntry,
    ClassMembership,
    EnrolmentEvent,
    ParentLink,
    School,
    Student,
    User,
)
from tests.clock import school_date
from tests.conftest import PASSWORD

STUDENT_HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "Класс",
    "Номер в алфавитной книге",
    "Номер приказа",
    "Родитель 1: ФИО",
    "Родитель 1: e-mail",
    "Родитель 1: телефон",
]
GOOD_STUDENTS = [
    [
        "Кузнецов",
        "Кирилл",
        "Андреевич",
        "12.03.2015",
        "м",
        "5А",
        "0101",
        "15-у",
        "Кузнецова Ольга Петровна",
        "olga@example.ru",
        "+7 900 123-45-67",
    ],
    [
        "Кузнецова",
        "Ксения",
        "Андреевна",
        "2016-07-01",
        "ж",
        "5 б",
        "0102",
        "",
        "Кузнецова Ольга Петровна",
        "olga@example.ru",
        "+7 900 123-45-67",
    ],
    ["Ёлкин", "Егор", "", "01.09.2019", "", "1А", "0103", "", "", "", ""],
]


def _csv(rows, delimiter=";", bom=True) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, kind, filename, data, **fields):
    form = {"kind": kind, "file": (io.BytesIO(data), filename), "order_number": "", "enrol_date": "", **fields}
    return client.post("/admin/people/import", data=form, content_type="multipart/form-data")


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/admin/people/import/([A-Za-z0-9_-]+)$", response.location)
    assert match, response.location
    return match.group(1)


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(User)),
        db.session.scalar(select(func.count()).select_from(Student)),
        db.session.scalar(select(func.count()).select_from(ParentLink)),
        db.session.scalar(select(func.count()).select_from(EnrolmentEvent)),
    )


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


# Import -------------------------------------------------------------------------------------


def test_good_csv_of_students_is_previewed_then_imported_in_one_go(client, auth, small_school, app):
    s = small_school()
    auth.login(s.admin)
    before = _counts()
    token = _token(
        _upload(
            client,
            "students",
            "ученики.csv",
            _csv([STUDENT_HEADER, *GOOD_STUDENTS]),
            order_number="12-у",
            enrol_date=str(school_date(2026, 9, 1)),
        )
    )
    pending_path = os.path.join(app.config["UPLOAD_FOLDER"], "imports", f"{token}.json")
    assert os.path.isfile(pending_path)  # kept on the server, not in the cookie
    preview = client.get(f"/admin/people/import/{token}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Кузнецов Кирилл Андреевич" in page and "kuznetsov.ka" in page
    assert "disabled" not in page.split("Импортировать</button>")[0].rsplit("<button", 1)[1]
    assert _counts() == before  # a preview writes nothing

    response = client.post(f"/admin/people/import/{token}")
    assert response.status_code == 302
    assert not os.path.exists(pending_path)
    users, students, links, events = _counts()
    assert students == before[1] + 3
    assert users == before[0] + 3 + 1  # three students and one mother of two of them
    assert links == before[2] + 2
    kirill = db.session.scalar(select(Student).where(Student.book_number == "0101"))
    assert kirill.current_class_id == s.class_5a.id and kirill.birth_date == date(2015, 3, 12)
    assert kirill.gender == "m"
    assert kirill.user.login == "kuznetsov.ka" and kirill.user.roles == {"student"}
    # no usable password until a slip issues one; the slip's password is then a scrypt hash
    assert kirill.user.must_change_password and not kirill.user.check_password("")
    assert not kirill.user.password_hash.startswith("scrypt:")
    event = db.session.scalar(select(EnrolmentEvent).where(EnrolmentEvent.student_id == kirill.id))
    assert (event.kind, event.order_number, event.date, event.to_class_id) == (
        "enrol",
        "15-у",
        school_date(2026, 9, 1),
        s.class_5a.id,
    )
    xenia = db.session.scalar(select(Student).where(Student.book_number == "0102"))
    assert xenia.current_class_id == s.class_5b.id
    assert db.session.scalar(select(EnrolmentEvent.order_number).where(EnrolmentEvent.student_id == xenia.id)) == "12-у"
    # the form's enrolment date, on the moved calendar like the rest of the year
    assert db.session.scalar(select(ClassMembership.since).where(ClassMembership.student_id == xenia.id)) == school_date(
        2026, 9, 1
    )
    mother = db.session.scalar(select(User).where(User.last_name == "Кузнецова", User.first_name == "Ольга"))
    assert mother.roles == {"parent"} and mother.email == "olga@example.ru"
    assert {
        link.student_id for link in db.session.scalars(select(ParentLink).where(ParentLink.parent_id == mother.id))
    } == {kirill.id, xenia.id}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "import"))
    assert entry.user_id == s.admin.id and entry.after["students"] == 3
    assert response.location.endswith(f"/admin/people/imports/{entry.id}")
    result = client.get(response.location).get_data(as_text=True)
    assert "kuznetsov.ka" in result and "Напечатать карточки доступа" in result
    # The kept upload is gone: a second commit imports nothing.
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    assert _counts() == (users, students, links, events)


def test_good_xlsx_of_teachers_is_imported(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    data = _xlsx(
        [
            ["Фамилия", "Имя", "Отчество", "E-mail", "Телефон", "Лишний столбец"],
            ["Физикова", "Фаина", "Фёдоровна", "fiz@school.ru", "89001112233", "x"],
            ["Химиков", "Харитон", None, None, None, None],
        ]
    )
    token = _token(_upload(client, "teachers", "учителя.xlsx", data))
    page = client.get(f"/admin/people/import/{token}").get_data(as_text=True)
    assert "Лишний столбец" in page  # reported as ignored
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    fiz = db.session.scalar(select(User).where(User.login == "fizikova.ff"))
    assert fiz.roles == {"teacher"} and fiz.school_id == s.school.id and fiz.phone == "89001112233"
    assert db.session.scalar(select(User).where(User.login == "khimikov.k")).middle_name == ""


def test_xlsx_dates_and_numbers_are_read_as_written(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    data = _xlsx([STUDENT_HEADER[:7], ["Яковлев", "Яков", "", date(2015, 5, 4), "м", "5А", 2001]])
    token = _token(_upload(client, "students", "s.xlsx", data, order_number="7"))
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    student = db.session.scalar(select(Student).where(Student.book_number == "2001"))
    assert student.birth_date == date(2015, 5, 4)


def test_comma_separated_csv_without_bom_imports_classes(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    data = _csv([["Класс", "Классный руководитель (логин)"], ["6А", "russian"], ["7 в", ""]], delimiter=",", bom=False)
    token = _token(_upload(client, "classes", "classes.csv", data))
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    from models import ClassGroup

    six = db.session.scalar(select(ClassGroup).where(ClassGroup.name == "6А"))
    assert (six.grade, six.letter, six.class_teacher_id, six.year_id) == (6, "А", s.russian_teacher.id, s.year.id)
    assert db.session.scalar(select(ClassGroup).where(ClassGroup.name == "7в")).grade == 7


def test_broken_rows_are_listed_and_nothing_is_written(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    rows = [
        STUDENT_HEADER + ["Логин"],
        ["", "Без", "", "01.01.2015", "", "5А", "0201", "1", "", "", "", ""],  # 2: no last name
        ["Иванов", "Иван", "", "01.01.2015", "", "9Я", "0202", "1", "", "", "", ""],  # 3: unknown class
        ["Петров", "Пётр", "", "31.02.2015", "", "5А", "0203", "1", "", "", "", ""],  # 4: bad date
        ["Орлов", "Олег", "", "01.01.2015", "", "5А", "0204", "1", "", "", "", ""],  # 5: fine
        ["Соколов", "Сергей", "", "01.01.2015", "", "5А", "0204", "1", "", "", "", ""],  # 6: book number twice in file
        ["Зайцев", "Захар", "", "01.01.2015", "", "5А", "0001", "1", "", "", "", ""],  # 7: book number in the database
        ["Волков", "Виктор", "", "01.01.2015", "", "5А", "0207", "1", "", "", "", "admin"],  # 8: login taken
        ["Лебедев", "Лев", "", "01.01.2015", "", "5А", "0208", "1", "", "", "", "lebedev"],  # 9
        ["Лебедева", "Лиза", "", "01.01.2015", "", "5А", "0209", "1", "", "", "", "lebedev"],  # 10: login twice
        ["Гусев", "Глеб", "", "01.01.2015", "", "5А", "0210", "", "", "", "", ""],  # 11: no order number
        ["Утин", "Ульян", "", "01.01.2015", "x", "5А", "0211", "1", "Одно", "bad-mail", "", ""],  # 12
    ]
    before = _counts()
    token = _token(_upload(client, "students", "bad.csv", _csv(rows)))
    preview = client.get(f"/admin/people/import/{token}")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    expected = [
        ("2", "Фамилия", "Не указано: фамилия."),
        ("3", "Класс", "Класса «9Я» нет в текущем учебном году."),
        ("4", "Дата рождения", "Неверная дата «31.02.2015»"),
        ("6", "Номер в алфавитной книге", "Номер 0204 повторяется в файле (строка 5)."),
        ("7", "Номер в алфавитной книге", "Номер 0001 уже есть в алфавитной книге школы."),
        ("8", "Логин", "Логин «admin» уже занят."),
        ("10", "Логин", "Логин «lebedev» повторяется в файле (строка 9)."),
        ("11", "Номер приказа", "Не указан номер приказа"),
        ("12", "Пол", "Пол пишется буквой"),
        ("12", "Родитель 1: e-mail", "Неверный адрес электронной почты."),
        ("12", "Родитель 1: ФИО", "Укажите фамилию и имя родителя"),
    ]
    for row, column, message in expected:
        assert re.search(
            rf'<tr class="row-error"><td>{row}</td><td>{re.escape(column)}</td><td>{re.escape(message)}', page
        ), (row, column, message)
    assert re.search(r"<button[^>]*disabled[^>]*>Импортировать", page)
    assert "Орлов Олег" in page  # the good rows are shown too
    assert _counts() == before


def test_forged_commit_of_a_file_with_errors_is_refused(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    before = _counts()
    rows = [STUDENT_HEADER, GOOD_STUDENTS[0], ["Плохой", "", "", "никогда", "", "5А", "0300", "1", "", "", ""]]
    token = _token(_upload(client, "students", "x.csv", _csv(rows)))
    response = client.post(f"/admin/people/import/{token}")
    assert response.status_code == 400
    assert "Импорт невозможен" in response.get_data(as_text=True)
    assert _counts() == before


def test_commit_checks_the_database_again(client, auth, small_school, create_student):
    s = small_school()
    auth.login(s.admin)
    token = _token(_upload(client, "students", "x.csv", _csv([STUDENT_HEADER, GOOD_STUDENTS[0]])))
    taken = create_student(s.school, s.class_5b, "Другой", "Ученик")
    taken.book_number = "0101"  # someone entered the same number meanwhile
    db.session.commit()
    before = _counts()
    response = client.post(f"/admin/people/import/{token}")
    assert response.status_code == 400
    assert "0101 уже есть в алфавитной книге" in response.get_data(as_text=True)
    assert _counts() == before


def test_parents_are_imported_and_linked_by_book_number(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    book = s.pupils_5a[1].book_number
    rows = [
        ["Фамилия", "Имя", "Отчество", "Телефон", "Дети: номера в алфавитной книге", "Кем приходится"],
        ["Алексеев", "Андрей", "Андреевич", "+7 (900) 000-00-01", book, "отец"],
        ["Неизвестный", "Никита", "", "", "9999", ""],
    ]
    token = _token(_upload(client, "parents", "p.csv", _csv(rows)))
    page = client.get(f"/admin/people/import/{token}").get_data(as_text=True)
    assert "Нет обучающегося с номером 9999" in page
    token = _token(_upload(client, "parents", "p.csv", _csv(rows[:2])))
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    father = db.session.scalar(select(User).where(User.login == "alekseev.aa"))
    link = db.session.scalar(select(ParentLink).where(ParentLink.parent_id == father.id))
    assert link.student_id == s.pupils_5a[1].id and link.relation == "отец"


def test_generated_logins_never_collide(client, auth, small_school, create_user):
    s = small_school()
    create_user(s.school, "teacher", login="kuznetsov.ka")
    other = School(name="Школа № 2", short_name="СОШ № 2")
    db.session.add(other)
    db.session.flush()
    create_user(other, "teacher", login="kuznetsov.ka2")  # logins are unique across schools
    db.session.commit()
    auth.login(s.admin)
    rows = [
        ["Фамилия", "Имя", "Отчество"],
        ["Кузнецов", "Кирилл", "Андреевич"],
        ["Кузнецов", "Константин", "Алексеевич"],
    ]
    token = _token(_upload(client, "teachers", "t.csv", _csv(rows)))
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    logins = set(db.session.scalars(select(User.login).where(User.login.like("kuznetsov.ka%"))))
    assert logins == {"kuznetsov.ka", "kuznetsov.ka2", "kuznetsov.ka3", "kuznetsov.ka4"}


def test_ten_megabyte_upload_is_refused_with_russian_message(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    before = _counts()
    response = _upload(client, "students", "big.csv", b"a;b\n" * (10 * 1024 * 1024 // 4))
    assert response.status_code == 413
    assert "Файл слишком большой" in response.get_data(as_text=True)
    assert _counts() == before


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("list.pdf", b"%PDF-1.4", "Неподдерживаемый тип файла"),
        ("list.xls", b"\xd0\xcf\x11\xe0", "Старый формат .xls"),
        ("list.xlsx", b"PK\x03\x04 not really a workbook", "повреждён"),
        ("list.xlsx", b"just text", "повреждён"),
        ("list.csv", "Фамилия;Имя\nИванов;Иван".encode("cp1251"), "кодировке UTF-8"),
        ("list.csv", b"", "Файл пуст"),
    ],
)
def test_unreadable_files_are_refused_with_400(client, auth, small_school, filename, data, message):
    s = small_school()
    auth.login(s.admin)
    response = _upload(client, "students", filename, data)
    if message == "Файл пуст":  # readable but empty: the preview says so and cannot be committed
        token = _token(response)
        page = client.get(f"/admin/people/import/{token}").get_data(as_text=True)
        assert message in page
        assert client.post(f"/admin/people/import/{token}").status_code == 400
        return
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_missing_required_column_is_reported(app):
    records, ignored, errors = importing.records_from_table("students", [["Фамилия", "Имя"], ["Иванов", "Иван"]])
    assert {e.column for e in errors} >= {"Класс", "Дата рождения", "Номер в алфавитной книге"}


def test_csv_reader_accepts_bom_and_both_separators(app):
    for data in (
        _csv([["Фамилия", "Имя"], ["Иванов", "Иван"]]),
        _csv([["Фамилия", "Имя"], ["Иванов", "Иван"]], delimiter=",", bom=False),
    ):
        assert importing.read_table("x.csv", data) == [["Фамилия", "Имя"], ["Иванов", "Иван"]]


def test_unknown_token_and_another_schools_upload_are_not_found(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    token = _token(_upload(client, "teachers", "t.csv", _csv([["Фамилия", "Имя"], ["Тестов", "Тест"]])))
    for bad in ("../../secret_key", "nope", "A" * 30):
        response = client.get(f"/admin/people/import/{bad}")
        assert response.status_code in (302, 404)
    client.post("/auth/switch")
    other = School(name="Школа № 2", short_name="СОШ № 2")
    db.session.add(other)
    db.session.flush()
    from models import UserRole
    from tests.conftest import _PASSWORD_HASH

    stranger = User(school=other, login="stranger", password_hash=_PASSWORD_HASH, last_name="Чужой", first_name="Админ")
    stranger.role_rows = [UserRole(role="journal_admin")]
    db.session.add(stranger)
    db.session.flush()
    # named in their own school's order on personal data (PD-3): refused for the school, not the order
    from models.pd_register import OrderOperator
    from tests.conftest import _standing_order

    db.session.add(OrderOperator(order_id=_standing_order(other).id, user_id=stranger.id, categories=["*"]))
    db.session.commit()
    auth.login("stranger")
    assert client.get(f"/admin/people/import/{token}").status_code == 302
    before = _counts()
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    assert _counts() == before


# Export -------------------------------------------------------------------------------------


def _export(client, kind, fmt, purpose="Для отчёта в управление образования"):
    return client.post("/admin/people/export", data={"kind": kind, "fmt": fmt, "purpose": purpose,
                                                     "recipient": "Управление образования"})


def test_export_of_students_as_csv_has_bom_semicolons_and_no_secrets(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    response = _export(client, "students", "csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:7] == ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "Класс", "Номер в алфавитной книге"]
    petrov = next(r for r in rows if r[0] == "Петров")
    assert petrov[5] == "5А" and petrov[6] == s.pupils_5a[0].book_number and "Петрова Елена" in petrov[8]
    assert len(rows) == 1 + 7
    assert "scrypt" not in text and "pbkdf2" not in text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "export"))
    assert entry.after == {"list": "students", "format": "csv", "rows": 7}
    assert entry.reason == "Для отчёта в управление образования" and entry.user_id == s.admin.id


def test_exported_students_file_is_accepted_by_the_import_reader(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    table = importing.read_table("x.csv", _export(client, "students", "csv").data)
    records, ignored, errors = importing.records_from_table("students", table)
    assert not errors and len(records) == 7 and ignored == ["Родители"]


@pytest.mark.parametrize("kind", ["parents", "teachers", "classes"])
def test_export_of_other_lists_as_xlsx(client, auth, small_school, kind):
    s = small_school()
    auth.login(s.admin)
    response = _export(client, kind, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "scrypt" not in flat
    if kind == "parents":
        assert rows[0][:3] == ["Фамилия", "Имя", "Отчество"]
        assert any(r[0] == "Петрова" and r[5] == "parent_a" for r in rows)
        assert len(rows) == 1 + 2
    elif kind == "teachers":
        logins = {r[5] for r in rows[1:]}
        assert logins == {"maths", "russian", "english", "primary", "extra"}
    else:
        assert [r[0] for r in rows[1:]] == ["1А", "5А", "5Б"]
        assert rows[2][3] == "maths" and rows[2][5] == "4"


def test_export_needs_a_purpose(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    response = _export(client, "students", "csv", purpose="")
    assert response.status_code == 400
    assert "кому и зачем" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "export")) is None


def test_export_cells_that_look_like_formulas_are_neutralised():
    data = export_csv(ExportTable(["a", "b"], [['=HYPERLINK("x")', "+7 900 000-00-00"]])).decode("utf-8-sig")
    assert "'=HYPERLINK" in data and ";+7 900 000-00-00" in data


# Credential slips ---------------------------------------------------------------------------


def test_class_slips_pdf_has_cyrillic_names_several_per_page_and_new_passwords(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    page = client.get(f"/admin/people/classes/{s.class_5a.id}/slips").get_data(as_text=True)
    assert "data-confirm" in page
    response = client.post(f"/admin/people/classes/{s.class_5a.id}/slips", data={"students": "y", "parents": "y"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pages, text = _pdf_text(response.data)
    assert pages == 1  # four students and one parent on one A4 sheet
    for name in ("Петров Пётр", "Алексеева Анна", "Борисов Борис", "Васильева Вера", "Петрова Елена"):
        assert name in text
    assert "СОШ" in text or "Средняя общеобразовательная школа" in text
    assert "смените пароль" in text and "5А" in text
    pupil = db.session.get(User, s.pupils_5a[0].user.id)
    assert pupil.must_change_password
    assert not pupil.check_password(PASSWORD)
    password = re.search(r"Пароль (\S+)", text.split(pupil.login)[1]).group(1)
    assert pupil.check_password(password)
    disclosures = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "credentials")).all()
    assert len(disclosures) == 5
    assert all(password not in str(e.after) + e.reason for e in disclosures)  # never stored in clear
    # the 5Б family is untouched
    assert db.session.get(User, s.parent_b.id).check_password(PASSWORD)


def test_many_slips_fill_several_pages(client, auth, small_school, create_student):
    s = small_school()
    for i in range(12):
        create_student(s.school, s.class_5b, "Многов", f"Ученик{i}")
    db.session.commit()
    auth.login(s.admin)
    response = client.post(f"/admin/people/classes/{s.class_5b.id}/slips", data={"students": "y"})
    pages, text = _pdf_text(response.data)
    assert text.count("Доступ к электронному журналу") == 14
    assert pages == 2  # eight slips to an A4 sheet, none cut across two sheets


def test_class_slips_need_a_choice(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    response = client.post(f"/admin/people/classes/{s.class_5a.id}/slips", data={})
    assert response.status_code == 400
    assert "для кого печатать" in response.get_data(as_text=True)
    assert db.session.get(User, s.pupils_5a[0].user.id).check_password(PASSWORD)


def test_slips_after_import(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    token = _token(_upload(client, "students", "s.csv", _csv([STUDENT_HEADER, *GOOD_STUDENTS[:2]]), order_number="1"))
    result = client.post(f"/admin/people/import/{token}").location
    entry_id = int(result.rsplit("/", 1)[1])
    response = client.post(f"/admin/people/imports/{entry_id}/slips")
    assert response.mimetype == "application/pdf"
    pages, text = _pdf_text(response.data)
    assert pages == 1
    for name in ("Кузнецов Кирилл Андреевич", "Кузнецова Ксения Андреевна", "Кузнецова Ольга Петровна"):
        assert name in text
    assert "Кузнецов Кирилл (5А)" in text  # the mother's slip names her children


# Accounts -----------------------------------------------------------------------------------


def test_reset_password_answers_with_the_slip_and_the_old_password_fails(client, auth, make_app, small_school):
    s = small_school()
    from tests.conftest import isolated_client

    teacher_tablet = isolated_client(make_app)
    teacher_tablet.post("/auth/login", data={"login": "maths", "password": PASSWORD})
    assert teacher_tablet.get("/").status_code == 200
    auth.login(s.admin)
    response = client.post(f"/admin/people/users/{s.maths_teacher.id}/password", data={"reason": "забыла пароль"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _pages, text = _pdf_text(response.data)
    assert "Числова Вера" in text and "maths" in text
    password = re.search(r"Пароль (\S+)", text).group(1)
    assert teacher_tablet.get("/").status_code == 302  # the open session ended
    client.post("/auth/switch")
    assert auth.login("maths", PASSWORD).status_code == 401
    assert auth.login("maths", password).status_code == 302
    assert client.get("/").location.endswith("/auth/password")  # must change it first
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password_reset")).reason == "забыла пароль"


def test_compromised_account_is_reset_unblocked_and_alert_resolved(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    client.post("/auth/compromised", data={"details": "подсмотрели"})
    auth.login(s.admin)
    page = client.get(f"/admin/people/users/{s.maths_teacher.id}").get_data(as_text=True)
    assert "заблокирована" in page and "подсмотрели" in page
    client.post(f"/admin/people/users/{s.maths_teacher.id}/password", data={})
    assert client.post(f"/admin/people/users/{s.maths_teacher.id}/unblock").status_code == 302
    assert not db.session.get(User, s.maths_teacher.id).is_blocked
    alert = db.session.scalar(select(AdminAlert).where(AdminAlert.user_id == s.maths_teacher.id))
    assert client.post(f"/admin/people/alerts/{alert.id}/resolve").status_code == 302
    assert db.session.get(AdminAlert, alert.id).is_resolved
    assert client.post(f"/admin/people/alerts/{alert.id}/resolve").status_code == 400


def test_block_ends_sessions_and_needs_a_reason(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    assert client.post(f"/admin/people/users/{s.deputy.id}/block", data={"reason": ""}).status_code == 400
    assert client.post(f"/admin/people/users/{s.deputy.id}/block", data={"reason": "увольнение"}).status_code == 302
    deputy = db.session.get(User, s.deputy.id)
    assert deputy.is_blocked and deputy.blocked_reason == "увольнение"
    assert client.post(f"/admin/people/users/{s.admin.id}/block", data={"reason": "x"}).status_code == 400


def test_roles_are_edited_and_an_admin_cannot_lock_themselves_out(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    response = client.post(
        f"/admin/people/users/{s.english_teacher.id}/roles", data={"roles": ["teacher", "class_teacher"]}
    )
    assert response.status_code == 302
    assert db.session.get(User, s.english_teacher.id).roles == {"teacher", "class_teacher"}
    assert (
        client.post(f"/admin/people/users/{s.english_teacher.id}/roles", data={"roles": ["wizard"]}).status_code == 400
    )
    assert client.post(f"/admin/people/users/{s.english_teacher.id}/roles", data={}).status_code == 400
    response = client.post(f"/admin/people/users/{s.admin.id}/roles", data={"roles": ["teacher"]})
    assert response.status_code == 400 and "Нельзя снять с себя" in response.get_data(as_text=True)
    assert db.session.get(User, s.admin.id).roles == {"journal_admin", "tech_admin"}
    assert client.get("/admin/people/").status_code == 200


def test_parent_is_linked_and_unlinked(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    pupil = s.pupils_5a[1]
    response = client.post(
        f"/admin/people/students/{pupil.id}/parents", data={"parent_login": "parent_b", "relation": "тётя"}
    )
    assert response.status_code == 302
    link = db.session.scalar(select(ParentLink).where(ParentLink.student_id == pupil.id))
    assert link.parent_id == s.parent_b.id
    link_id = link.id
    again = client.post(f"/admin/people/students/{pupil.id}/parents", data={"parent_login": "parent_b"})
    assert again.status_code == 400 and "уже связан" in again.get_data(as_text=True)
    not_parent = client.post(f"/admin/people/students/{pupil.id}/parents", data={"parent_login": "maths"})
    assert not_parent.status_code == 400
    assert "data-confirm" in client.get(f"/admin/people/students/{pupil.id}").get_data(as_text=True)
    assert client.post(f"/admin/people/parent-links/{link_id}/delete").status_code == 302
    assert db.session.get(ParentLink, link_id) is None


def test_people_list_searches_cyrillic_names_and_filters_by_role(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    page = client.get("/admin/people/?q=числова").get_data(as_text=True)
    assert "Числова Вера" in page and "Словарёва" not in page
    page = client.get("/admin/people/?role=parent").get_data(as_text=True)
    assert "Петрова Елена" in page and "Сидорова Ирина" in page and "Числова" not in page
    page = client.get("/admin/people/?q=parent_&role=").get_data(as_text=True)
    assert "Петрова Елена" in page and "Числова" not in page


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["deputy", "methodist", "maths_teacher", "parent_a"])
def test_non_admins_are_refused(client, auth, small_school, who):
    s = small_school()
    auth.login(getattr(s, who))
    assert client.get("/admin/people/").status_code == 403
    assert client.post(f"/admin/people/users/{s.deputy.id}/password").status_code == 403
    assert client.post(f"/admin/people/classes/{s.class_5a.id}/slips", data={"students": "y"}).status_code == 403
    assert _export(client, "students", "csv").status_code == 403
    assert db.session.get(User, s.deputy.id).check_password(PASSWORD)


def _other_school(create_user, create_student):
    from models import AcademicYear, ClassGroup

    school = School(name="Школа № 2", short_name="СОШ № 2")
    year = AcademicYear(
        school=school, name="2026/2027", start_date=school_date(2026, 9, 1), end_date=school_date(2027, 5, 31), is_current=True
    )
    class_group = ClassGroup(school=school, year=year, name="5А", grade=5, letter="А")
    db.session.add_all([school, year, class_group])
    db.session.flush()
    teacher = create_user(school, "teacher", login="other_teacher", last_name="Числова", first_name="Вера")
    parent = create_user(school, "parent", login="other_parent", last_name="Чужая", first_name="Мама")
    pupil = create_student(school, class_group, "Чужой", "Ученик", parents=[parent])
    db.session.commit()
    return school, class_group, teacher, parent, pupil


def test_another_schools_people_are_unreachable(client, auth, small_school, create_user, create_student):
    s = small_school()
    _school, other_class, target, other_parent, other_pupil = _other_school(create_user, create_student)
    auth.login(s.admin)
    assert client.get(f"/admin/people/users/{target.id}").status_code == 403
    assert client.post(f"/admin/people/users/{target.id}/password").status_code == 403
    assert client.post(f"/admin/people/users/{target.id}/block", data={"reason": "x"}).status_code == 403
    assert client.post(f"/admin/people/users/{target.id}/roles", data={"roles": ["director"]}).status_code == 403
    assert client.get(f"/admin/people/students/{other_pupil.id}").status_code == 403
    assert client.get(f"/admin/people/classes/{other_class.id}/slips").status_code == 403
    assert client.post(f"/admin/people/classes/{other_class.id}/slips", data={"students": "y"}).status_code == 403
    link = db.session.scalar(select(ParentLink).where(ParentLink.parent_id == other_parent.id))
    assert client.post(f"/admin/people/parent-links/{link.id}/delete").status_code == 403
    response = client.post(f"/admin/people/students/{s.pupils_5a[1].id}/parents", data={"parent_login": "other_parent"})
    assert response.status_code == 400
    assert client.get("/admin/people/?q=Числова").get_data(as_text=True).count("Числова Вера") == 1
    assert "Чужой" not in _export(client, "students", "csv").data.decode("utf-8-sig")
    assert client.get("/admin/people/users/999999").status_code == 404
    assert db.session.get(User, target.id).check_password(PASSWORD)
    assert db.session.get(ParentLink, link.id) is not None


def test_every_people_page_opens_for_an_administrator_without_inline_style_or_script(client, auth, small_school):
    from tests.access_rules_admin_people import RULES

    s = small_school()
    auth.login(s.director)
    for rule in [r for r in RULES if r.method == "GET"]:
        response = client.get(rule.url(s))
        assert response.status_code == 200, (rule.rule, response.status_code)
        page = response.get_data(as_text=True)
        assert " style=" not in page and "<script>" not in page, rule.rule
        assert "people.css" in page and 'class="people-menu"' in page, rule.rule


def test_cancelled_upload_is_deleted(client, auth, small_school, app):
    s = small_school()
    auth.login(s.admin)
    token = _token(_upload(client, "teachers", "t.csv", _csv([["Фамилия", "Имя"], ["Тестов", "Тест"]])))
    path = os.path.join(app.config["UPLOAD_FOLDER"], "imports", f"{token}.json")
    assert os.path.isfile(path)
    assert client.post(f"/admin/people/import/{token}/cancel").status_code == 302
    assert not os.path.exists(path)
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    assert db.session.scalar(select(User).where(User.last_name == "Тестов")) is None
