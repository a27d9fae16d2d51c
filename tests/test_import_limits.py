"""Imported tables cannot exhaust the server: the upload's size, an XLSX's unpacked size and
compression ratio, rows, columns, cell length, filled cells, text and parse time are bounded
before anything is parsed or stored, and a file over a limit is refused with a Russian message
naming the limit, for the people import (ADM-4) and the calendar-thematic plan (JRN-2).
The hostile files are built in memory from highly compressible data, so they stay small."""
from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable

import pytest
from sqlalchemy import func, select

from extensions import db
from models import PlanItem, Student, User
from utils import spreadsheets
from utils.spreadsheets import TableLimits, TableRefused

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = (f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
             f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (f'<Relationships xmlns="{PKG_REL_NS}">'
                 f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
                 f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
                 '</Relationships>')


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


def _cell(row: int, column: int, value) -> str:
    ref = f"{_letters(column)}{row}"
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, tuple):  # ("s", index): a shared string
        return f'<c r="{ref}" t="s"><v>{value[1]}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _rows_xml(rows: Iterable[list]) -> Iterable[str]:
    for number, values in enumerate(rows, start=1):
        yield f'<row r="{number}">' + "".join(_cell(number, c, v) for c, v in enumerate(values, start=1)) + "</row>"


def _xlsx(sheet: Iterable[str], shared: Iterable[str] = (), sheet_padding: int = 0, prolog: str = "") -> bytes:
    """A minimal workbook written part by part in chunks: a part can unpack to tens of
    megabytes while the file and the test's memory stay small. `shared` yields the text of the
    shared strings (each may come in several pieces: a list); `sheet_padding` adds that many
    bytes of whitespace to the sheet, which compresses about a thousand times; `prolog` comes
    before the sheet's root element."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<sst xmlns="{MAIN_NS}">'.encode())
            for text in shared:
                part.write(b"<si><t>")
                for piece in [text] if isinstance(text, str) else text:
                    part.write(piece.encode())
                part.write(b"</t></si>")
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f'{prolog}<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            for row in sheet:
                part.write(row.encode())
            part.write(b"</sheetData>")
            for _ in range(sheet_padding // (1024 * 1024)):
                part.write(b" " * (1024 * 1024))
            part.write(b"</worksheet>")
    return out.getvalue()


def _csv(lines: Iterable[str]) -> bytes:
    return "\r\n".join(lines).encode("utf-8")


HEADER = ["Фамилия", "Имя"]


def _teachers(n: int) -> list[list]:
    return [HEADER, *[["Тестов", f"Имя{'а' * (i % 5)}"] for i in range(n)]]


# What a hostile file does to each limit, with the Russian message that names the limit.
HOSTILE = {
    "xlsx_50_mb_shared_string": lambda: (
        "list.xlsx",
        _xlsx(_rows_xml(_teachers(1)), shared=[["я" * (1024 * 1024)] * 25]),  # 50 MB of UTF-8
        "в распакованном виде больше 20 МБ",
    ),
    "xlsx_long_shared_string": lambda: (
        "list.xlsx",
        _xlsx(_rows_xml([HEADER, [("s", 0), "Иван"]]), shared=["я" * 5000]),
        "ячейка с текстом длиннее 1000 знаков",
    ),
    "xlsx_one_huge_row": lambda: (
        "list.xlsx",
        _xlsx(_rows_xml([HEADER, list(range(100_000))])),
        "В строке 2 больше 50 столбцов",
    ),
    "xlsx_too_many_rows": lambda: (
        "list.xlsx",
        _xlsx(_rows_xml(_teachers(5000))),
        "В файле больше 5000 строк",
    ),
    "xlsx_bomb_ratio": lambda: (
        "list.xlsx",
        _xlsx(_rows_xml(_teachers(2)), sheet_padding=8 * 1024 * 1024),
        "сжата подозрительно сильно (больше чем в 100 раз)",
    ),
    "xlsx_shared_string_repeated": lambda: (
        "list.xlsx",
        # 6,000 cells of one 999-character string: 6 million characters from a file of a few KB.
        _xlsx(_rows_xml([HEADER, *[[("s", 0)] * 50 for _ in range(120)]]), shared=["я" * 999]),
        "В файле больше 5000000 знаков текста",
    ),
    "xlsx_entity_bomb": lambda: (
        "list.xlsx",
        _xlsx(_rows_xml([HEADER, ["&a;", "Иван"]]), prolog='<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'),
        "повреждён",
    ),
    "csv_one_huge_row": lambda: (
        "list.csv",
        _csv(["Фамилия;Имя", ";" * 500_000]),
        "Строка 2 файла слишком длинная",
    ),
    "csv_too_many_columns": lambda: (
        "list.csv",
        _csv(["Фамилия;Имя", ";".join(["x"] * 51)]),
        "В строке 2 больше 50 столбцов",
    ),
    "csv_long_cell": lambda: (
        "list.csv",
        _csv(["Фамилия;Имя", "Тестов;" + "я" * 1001]),
        "В строке 2 есть ячейка длиннее 1000 знаков",
    ),
    "csv_long_quoted_cell_over_many_lines": lambda: (
        "list.csv",
        _csv(["Фамилия;Имя", 'Тестов;"' + "\r\n".join(["я" * 900] * 200) + '"']),
        "ячейка длиннее 1000 знаков",
    ),
    "csv_too_many_rows": lambda: (
        "list.csv",
        _csv(";".join(row) for row in _teachers(5000)),
        "В файле больше 5000 строк",
    ),
}


def _pending_files(app) -> list[str]:
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "imports")
    return os.listdir(folder) if os.path.isdir(folder) else []


def _people_counts():
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Student)))


def _people_upload(client, filename, data):
    form = {"kind": "teachers", "file": (io.BytesIO(data), filename), "order_number": "", "enrol_date": ""}
    return client.post("/admin/people/import", data=form, content_type="multipart/form-data")


def _plan_upload(client, assignment, filename, data):
    return client.post(f"/journal/assignments/{assignment.id}/plan/import",
                       data={"file": (io.BytesIO(data), filename), "reason": "план"},
                       content_type="multipart/form-data")


def _plan_count(assignment) -> int:
    return db.session.scalar(select(func.count()).select_from(PlanItem).where(PlanItem.assignment_id == assignment.id))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_people_list_is_refused_naming_the_limit_and_nothing_is_kept(client, auth, small_school, app, case):
    filename, data, message = HOSTILE[case]()
    assert len(data) < 2 * 1024 * 1024  # each one fits in an ordinary upload
    s = small_school()
    auth.login(s.admin)
    before = _people_counts()
    response = _people_upload(client, filename, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    assert message in page
    assert "Traceback" not in page
    assert _pending_files(app) == []  # no pending upload written
    assert _people_counts() == before


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_plan_file_is_refused_naming_the_limit_and_nothing_is_stored(client, auth, small_school, case):
    filename, data, message = HOSTILE[case]()
    s = small_school()
    auth.login(s.maths_teacher)
    response = _plan_upload(client, s.maths_5a, filename, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    assert message in page
    assert _plan_count(s.maths_5a) == 0


def test_upload_over_the_import_size_limit_is_refused_before_reading(client, auth, small_school, app):
    s = small_school()
    data = _csv(["Фамилия;Имя", *(["Тестов;Тест"] * 200_000)])  # about 4 MB: under MAX_UPLOAD_MB
    assert app.config["MAX_CONTENT_LENGTH"] > len(data) > 2 * 1024 * 1024
    auth.login(s.admin)
    response = _people_upload(client, "list.csv", data)
    assert response.status_code == 413
    assert "не больше 2 МБ" in response.get_data(as_text=True)
    assert _pending_files(app) == []
    auth.logout()
    auth.login(s.maths_teacher)
    response = _plan_upload(client, s.maths_5a, "plan.csv", data)
    assert response.status_code == 413
    assert "не больше 2 МБ" in response.get_data(as_text=True)
    assert _plan_count(s.maths_5a) == 0


def test_limits_come_from_the_settings(client, auth, small_school, app):
    s = small_school()
    client.application.config.update(IMPORT_MAX_ROWS=10, IMPORT_MAX_CELLS=100)  # the app serving requests
    auth.login(s.admin)
    response = _people_upload(client, "list.csv", _csv(";".join(r) for r in _teachers(10)))
    assert response.status_code == 400
    assert "В файле больше 10 строк" in response.get_data(as_text=True)
    client.application.config.update(IMPORT_MAX_ROWS=1000)
    response = _people_upload(client, "list.xlsx", _xlsx(_rows_xml([HEADER, *[[1] * 20 for _ in range(6)]])))
    assert "В файле больше 100 заполненных ячеек" in response.get_data(as_text=True)


def test_parse_time_budget_stops_a_slow_file(client, auth, small_school, app):
    s = small_school()
    client.application.config["IMPORT_MAX_SECONDS"] = 1e-6  # any real parse takes longer
    auth.login(s.admin)
    response = _people_upload(client, "list.xlsx", _xlsx(_rows_xml(_teachers(3))))
    assert response.status_code == 400
    assert "Файл разбирается слишком долго" in response.get_data(as_text=True)
    assert _pending_files(app) == []


def test_a_normal_people_list_at_the_limits_is_still_imported(client, auth, small_school, app):
    """A sheet written by our own minimal writer with shared strings, 50 columns and a cell of
    exactly 1,000 characters (ignored column) is read and imported."""
    s = small_school()
    auth.login(s.admin)
    header = [*HEADER, *[f"Примечание {i}" for i in range(48)]]
    rows = [header, [("s", 0), ("s", 1), *(["я" * 1000] * 48)], [("s", 0), "Пётр"]]
    data = _xlsx(_rows_xml(rows), shared=["Лимитов", "Иван"])
    response = _people_upload(client, "list.xlsx", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    token = response.location.rsplit("/", 1)[-1]
    assert client.post(f"/admin/people/import/{token}").status_code == 302
    names = set(db.session.scalars(select(User.first_name).where(User.last_name == "Лимитов")))
    assert names == {"Иван", "Пётр"}


def test_a_normal_plan_still_imports_from_csv_and_from_xlsx(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    csv_data = _csv(["номер;тема;часы", *[f"{n};Тема {n};1" for n in range(1, 301)]])
    assert _plan_upload(client, s.maths_5a, "plan.csv", csv_data).status_code == 303
    xlsx_data = _xlsx(_rows_xml([[301, ("s", 0), 2], [302, "Итоговое повторение", 1]]), shared=["Проценты"])
    assert _plan_upload(client, s.maths_5a, "plan.xlsx", xlsx_data).status_code == 303
    topics = dict(db.session.execute(select(PlanItem.number, PlanItem.topic)
                                     .where(PlanItem.assignment_id == s.maths_5a.id)).all())
    assert len(topics) == 302
    assert topics[301] == "Проценты"


def test_reader_refuses_a_forged_entry_that_unpacks_beyond_its_declared_size():
    """zipfile stops at the size the archive declares, so a part that lies about its size
    cannot inflate past the checked bound: it reads as a broken file."""
    data = bytearray(_xlsx(_rows_xml(_teachers(50))))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Patch the central directory's "uncompressed size" of the sheet down to 100 bytes.
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/worksheets/sheet1.xml") + 1)
    assert int.from_bytes(data[central + 24: central + 28], "little") == info.file_size
    data[central + 24: central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(TableRefused) as refused:
        spreadsheets.read_table("list.xlsx", bytes(data), TableLimits())
    assert "повреждён" in refused.value.message


def test_reader_keeps_values_types_and_row_numbers():
    rows = spreadsheets.read_table("x.xlsx", _xlsx(_rows_xml([HEADER, [], [7, ("s", 0)]]), shared=["Дроби"]))
    assert rows == [(1, HEADER), (2, []), (3, [7, "Дроби"])]
    rows = spreadsheets.read_table("x.csv", "\ufeffа;б\n\n1; 2 \n".encode())
    assert rows == [(1, ["а", "б"]), (2, []), (3, ["1", "2"])]
