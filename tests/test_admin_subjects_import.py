"""The list of subjects to and from files (ADM-4, 004:3.1): export to CSV and XLSX, import
checked as a whole with a preview; a bad row changes nothing and the preview names it; a subject
already in the school (same name) is updated, never duplicated."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from extensions import db
from models import AuditEntry, Subject


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, data: bytes, filename: str = "предметы.csv"):
    return client.post("/admin/subjects/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/admin/subjects/import/([A-Za-z0-9_-]+)$", response.location)
    assert match, response.location
    return match.group(1)


def _subjects(school_id: int) -> dict[str, tuple[str, bool]]:
    db.session.expire_all()
    return {s.name: (s.short_name, s.is_active)
            for s in db.session.scalars(select(Subject).where(Subject.school_id == school_id))}


def test_export_lists_every_subject_in_csv_and_xlsx(client, auth, small_school):
    s = small_school()
    s.english.is_active = False
    db.session.commit()
    auth.login(s.admin)
    response = client.get("/admin/subjects/export?fmt=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="subjects.csv"' in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Предмет", "Сокращение", "Используется"]
    assert ["Математика", "Мат", "да"] in rows and ["Английский язык", "Англ", "нет"] in rows
    assert len(rows) == 4

    response = client.get("/admin/subjects/export?fmt=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Предмет", "Сокращение", "Используется"]
    assert ["Русский язык", "Рус", "да"] in values


def test_an_unknown_export_format_is_refused_in_russian(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    response = client.get("/admin/subjects/export?fmt=pdf")
    assert response.status_code == 400
    assert "Неизвестный формат файла" in response.get_data(as_text=True)


def test_good_file_is_previewed_then_adds_new_subjects_and_updates_existing_by_name(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    before = _subjects(s.school.id)
    token = _token(_upload(client, _csv([
        ["Предмет", "Сокращение", "Используется"],
        ["Биология", "Био", ""],
        ["  математика ", "Матем", "да"],  # the school's «Математика»: updated, not duplicated
        ["Английский язык", "", "нет"],  # an empty short name keeps «Англ»
        ["Русский язык", "Рус", ""],  # nothing to change
        ["Черчение", "Черч", "нет"],
    ])))
    preview = client.get(f"/admin/subjects/import/{token}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Биология" in page and "новый" in page and "обновление" in page and "без изменений" in page
    assert "disabled" not in page.split("Импортировать</button>")[0].rsplit("<button", 1)[1]
    assert _subjects(s.school.id) == before  # a preview writes nothing

    response = client.post(f"/admin/subjects/import/{token}")
    assert response.status_code == 302 and response.location.endswith("/admin/subjects")
    after = _subjects(s.school.id)
    assert after == {
        "Математика": ("Матем", True),
        "Русский язык": ("Рус", True),
        "Английский язык": ("Англ", False),
        "Биология": ("Био", True),
        "Черчение": ("Черч", False),
    }
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "import"))
    assert entry.after["kind"] == "subjects"
    assert (entry.after["created"], entry.after["updated"], entry.after["unchanged"]) == (2, 2, 1)
    update = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "subject",
                                                        AuditEntry.entity_id == s.maths.id))
    assert update.before == {"short_name": "Мат"} and update.after == {"short_name": "Матем"}
    # The kept upload is gone: a second commit changes nothing.
    assert client.post(f"/admin/subjects/import/{token}").status_code == 302
    assert _subjects(s.school.id) == after


def test_a_file_with_one_bad_row_changes_nothing_and_the_preview_names_the_row(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    before = _subjects(s.school.id)
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    token = _token(_upload(client, _xlsx([
        ["Название", "Кратко", "Активен"],
        ["Биология", "Био", "да"],
        ["", "Пус", "да"],
        ["Химия", "Хим", "может быть"],
        ["биология", "Б", ""],
        ["География", "Г" * 31, ""],
    ]), "предметы.xlsx"))
    preview = client.get(f"/admin/subjects/import/{token}")
    page = preview.get_data(as_text=True)
    assert "Не указано название предмета." in page
    assert "Пишите «да» или «нет»." in page
    assert "Предмет «биология» повторяется в файле (строка 2)." in page
    assert "Сокращение длиннее 30 символов." in page
    assert re.search(r'<td>3</td><td>Предмет</td>', page)  # the row and the column are named
    assert "disabled" in page.split("Импортировать</button>")[0].rsplit("<button", 1)[1]

    response = client.post(f"/admin/subjects/import/{token}")
    assert response.status_code == 400
    assert "Ничего не изменено" in response.get_data(as_text=True)
    assert _subjects(s.school.id) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_a_file_without_the_subject_column_or_without_a_file_is_refused(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    token = _token(_upload(client, _csv([["Сокращение"], ["Био"]])))
    page = client.get(f"/admin/subjects/import/{token}").get_data(as_text=True)
    assert "В файле нет обязательного столбца." in page
    assert client.post(f"/admin/subjects/import/{token}").status_code == 400

    response = client.post("/admin/subjects/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Выберите файл." in response.get_data(as_text=True)
    response = _upload(client, b"\x00\x01not a table", "subjects.pdf")
    assert response.status_code in (400, 413, 415)
    assert _subjects(s.school.id) == {"Математика": ("Мат", True), "Русский язык": ("Рус", True),
                                      "Английский язык": ("Англ", True)}


def test_the_exported_file_imports_back_without_changes(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    before = _subjects(s.school.id)
    exported = client.get("/admin/subjects/export?fmt=xlsx").get_data()
    token = _token(_upload(client, exported, "subjects.xlsx"))
    page = client.get(f"/admin/subjects/import/{token}").get_data(as_text=True)
    assert page.count("без изменений") >= 3
    assert client.post(f"/admin/subjects/import/{token}").status_code == 302
    assert _subjects(s.school.id) == before


def test_cancel_deletes_the_upload_and_another_school_cannot_use_the_token(client, auth, small_school, create_user):
    from models import School

    s = small_school()
    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    db.session.flush()
    stranger = create_user(other, "journal_admin", login="stranger")
    db.session.commit()
    auth.login(s.admin)
    token = _token(_upload(client, _csv([["Предмет"], ["Биология"]])))
    auth.logout()
    auth.login(stranger)
    assert client.get(f"/admin/subjects/import/{token}").status_code == 302  # not found for them
    assert client.post(f"/admin/subjects/import/{token}").status_code == 302
    assert "Биология" not in _subjects(s.school.id)
    assert _subjects(other.id) == {}
    auth.logout()
    auth.login(s.admin)
    assert client.post(f"/admin/subjects/import/{token}/cancel").status_code == 302
    assert client.post(f"/admin/subjects/import/{token}").status_code == 302
    assert "Биология" not in _subjects(s.school.id)


def test_the_subjects_page_links_to_import_and_export(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    assert "/admin/subjects/import" in client.get("/admin/subjects").get_data(as_text=True)
