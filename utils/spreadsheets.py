"""Reading uploaded tables (CSV and XLSX) within fixed bounds, for every importer of the app.

An upload is untrusted: a small XLSX can unpack to gigabytes (a zip bomb, one huge shared
string) and a small CSV can hold one endless row. So everything is bounded BEFORE a parser
builds anything in memory: the upload's size; for XLSX every zip entry's declared size (Python's
zipfile never inflates past it), their total and the compression ratio, then a streaming pass of
expat over the XML (no DTD, constant memory) that counts rows, columns, filled cells and the
length of every cell and shared string; only then does openpyxl (read-only, lazily, at most
max_rows × max_columns) read the values. A CSV is split into lines of bounded length before
the csv module sees them. Every step checks a deadline. A file over a limit is refused with a
Russian message naming the limit (TableRefused, a Refusal); nothing has been stored by then."""
from __future__ import annotations

import csv
import io
import posixpath
import re
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.parsers import expat

from domain.messages import N_, Refusal

MB = 1024 * 1024
EXCEL_MAX_COLUMNS = 16384  # XFD: no valid worksheet row has more cells
RATIO_GRACE_BYTES = 1 * MB  # small entries may compress well without being a bomb
MAX_ZIP_ENTRIES = 1000
READ_CHUNK = 64 * 1024
Row = list[Any]


class TableRefused(Refusal):
    """The file cannot be read, or it is over one of the limits; nothing was stored."""


@dataclass(frozen=True)
class TableLimits:
    """Bounds for one uploaded table; from_config() reads them from the app's settings."""

    max_file_bytes: int = 2 * MB
    max_rows: int = 5000
    max_columns: int = 50
    max_cell_chars: int = 1000
    max_cells: int = 150_000
    max_text_chars: int = 5_000_000
    max_uncompressed_bytes: int = 20 * MB
    max_ratio: int = 100
    max_seconds: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TableLimits:
        default = cls()
        file_bytes = int(config.get("IMPORT_MAX_FILE_MB") or default.max_file_bytes // MB) * MB
        if config.get("MAX_CONTENT_LENGTH"):
            file_bytes = min(file_bytes, int(config["MAX_CONTENT_LENGTH"]))
        return cls(
            max_file_bytes=file_bytes,
            max_rows=int(config.get("IMPORT_MAX_ROWS") or default.max_rows),
            max_columns=int(config.get("IMPORT_MAX_COLUMNS") or default.max_columns),
            max_cell_chars=int(config.get("IMPORT_MAX_CELL_CHARS") or default.max_cell_chars),
            max_cells=int(config.get("IMPORT_MAX_CELLS") or default.max_cells),
            max_text_chars=int(config.get("IMPORT_MAX_TEXT_CHARS") or default.max_text_chars),
            max_uncompressed_bytes=int(config.get("IMPORT_MAX_UNCOMPRESSED_MB") or default.max_uncompressed_bytes // MB)
            * MB,
            max_ratio=int(config.get("IMPORT_MAX_RATIO") or default.max_ratio),
            max_seconds=float(config.get("IMPORT_MAX_SECONDS") or default.max_seconds),
        )


def _mb(n: int) -> str:
    return f"{n / MB:g}"


def read_upload(storage, limits: TableLimits) -> bytes:
    """The bytes of an uploaded file, reading at most one byte more than the limit."""
    data = storage.stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise TableRefused(N_("Файл слишком большой: для загрузки таблицы не больше %(mb)s МБ."), 413,
                           mb=_mb(limits.max_file_bytes))
    return data


def table_format(filename: str) -> str:
    """'xlsx', 'csv', 'xls' (refused by the readers with a hint) or '' for anything else."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    if name.endswith(".xls"):
        return "xls"
    return ""


def read_table(filename: str, data: bytes, limits: TableLimits | None = None) -> list[tuple[int, Row]]:
    """The rows of the first sheet of an XLSX, or of a CSV (UTF-8 with or without BOM, `;` or
    `,`), with their numbers as the spreadsheet shows them; trailing empty cells are dropped.
    XLSX values keep their type (str, int, float, datetime, bool); CSV values are strings."""
    limits = limits or TableLimits()
    kind = table_format(filename)
    if kind == "xls":
        raise TableRefused(N_("Старый формат .xls не поддерживается. Сохраните файл как .xlsx или CSV (UTF-8)."))
    if kind not in ("xlsx", "csv"):
        raise TableRefused(N_("Неподдерживаемый тип файла. Загрузите таблицу в формате .xlsx или .csv."))
    if len(data) > limits.max_file_bytes:
        raise TableRefused(N_("Файл слишком большой: для загрузки таблицы не больше %(mb)s МБ."), 413,
                           mb=_mb(limits.max_file_bytes))
    budget = _Budget(limits)
    return _read_xlsx(data, budget) if kind == "xlsx" else _read_csv(data, budget)


class _Budget:
    """Counts what was read against the limits and the deadline."""

    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.cells = 0
        self.text = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TableRefused(
                N_("Файл разбирается слишком долго (больше %(s)s с): он слишком сложный. Разделите его на части."),
                s=f"{self.limits.max_seconds:g}",
            )

    def row(self, number: int) -> None:
        if number > self.limits.max_rows:
            raise TableRefused(N_("В файле больше %(n)s строк. Разделите его на части."), n=self.limits.max_rows)

    def column(self, row: int, column: int) -> None:
        if column > self.limits.max_columns:
            raise TableRefused(N_("В строке %(row)s больше %(n)s столбцов. Столько столбцов таблица иметь не может."),
                               row=row, n=self.limits.max_columns)

    def cell(self, row: int | None, length: int) -> None:
        if length > self.limits.max_cell_chars:
            if row is None:
                raise TableRefused(N_("В книге есть ячейка с текстом длиннее %(n)s знаков."),
                                   n=self.limits.max_cell_chars)
            raise TableRefused(N_("В строке %(row)s есть ячейка длиннее %(n)s знаков."),
                               row=row, n=self.limits.max_cell_chars)

    def filled(self, length: int) -> None:
        self.cells += 1
        self.text += length
        if self.cells > self.limits.max_cells:
            raise TableRefused(N_("В файле больше %(n)s заполненных ячеек. Разделите его на части."),
                               n=self.limits.max_cells)
        if self.text > self.limits.max_text_chars:
            raise TableRefused(N_("В файле больше %(n)s знаков текста. Разделите его на части."),
                               n=self.limits.max_text_chars)


def _trimmed(values) -> Row:
    row = list(values)
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row


# CSV ----------------------------------------------------------------------------------------


def _read_csv(data: bytes, budget: _Budget) -> list[tuple[int, Row]]:
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        raise TableRefused(N_("Файл не похож на CSV. Загрузите таблицу в формате .xlsx или .csv."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableRefused(
            N_("Файл CSV должен быть в кодировке UTF-8. В Excel выберите «Сохранить как» → «CSV UTF-8».")
        ) from None
    limits = budget.limits
    # A line can hold at most max_columns cells of max_cell_chars, every quote doubled, quoted
    # and separated; a longer line breaks a limit whatever it holds.
    max_line = limits.max_columns * (2 * limits.max_cell_chars + 3) + 2
    first = _first_line(text, max_line)
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    rows: list[tuple[int, Row]] = []
    reader = csv.reader(_bounded_lines(text, max_line, budget), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            budget.row(number)
            if number % 256 == 0:
                budget.tick()
            row = _trimmed(cell.strip() for cell in values)
            if len(row) > limits.max_columns:
                budget.column(number, len(row))
            for value in row:
                budget.cell(number, len(value))
                if value:
                    budget.filled(len(value))
            rows.append((number, row))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise TableRefused(N_("В файле есть ячейка длиннее %(n)s знаков."), n=limits.max_cell_chars) from None
        raise TableRefused(N_("Файл CSV повреждён и не читается.")) from None
    return rows


def _first_line(text: str, max_line: int) -> str:
    for match in re.finditer(r"[^\r\n]*", text[: max_line * 4]):
        if match.group().strip():
            return match.group()[:max_line]
    return ""


def _bounded_lines(text: str, max_line: int, budget: _Budget) -> Iterator[str]:
    """The lines of the text with their ends, refusing a line longer than max_line."""
    start, physical = 0, 0
    for match in re.finditer(r"\r\n|\n|\r", text):
        physical += 1
        if match.start() - start > max_line:
            _line_too_long(physical, budget.limits)
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        if len(text) - start > max_line:
            _line_too_long(physical + 1, budget.limits)
        yield text[start:]


def _line_too_long(line: int, limits: TableLimits) -> None:
    raise TableRefused(
        N_("Строка %(row)s файла слишком длинная: в ней больше %(columns)s столбцов или ячейка длиннее %(n)s знаков."),
        row=line, columns=limits.max_columns, n=limits.max_cell_chars,
    )


# XLSX ---------------------------------------------------------------------------------------

_BROKEN_XLSX = N_("Файл не является книгой Excel (.xlsx) или повреждён.")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _read_xlsx(data: bytes, budget: _Budget) -> list[tuple[int, Row]]:
    if not data.startswith(b"PK\x03\x04"):
        raise TableRefused(_BROKEN_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise TableRefused(_BROKEN_XLSX) from None
    with archive:
        _check_entries(entries, budget.limits)
        _prescan(archive, budget)
    budget.cells = budget.text = 0  # counted again on the values openpyxl returns
    return _read_values(data, budget)


def _check_entries(entries: list[zipfile.ZipInfo], limits: TableLimits) -> None:
    """Sizes as the zip declares them: zipfile never inflates an entry beyond its declared
    size (a lying entry ends in a CRC error), so these bound the memory of every later step."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise TableRefused(N_("В книге Excel больше %(n)s частей: это не похоже на таблицу."), n=MAX_ZIP_ENTRIES)
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1 or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TableRefused(_BROKEN_XLSX)  # encrypted, or a compression Excel never writes
        total += entry.file_size
        if entry.file_size > limits.max_uncompressed_bytes or total > limits.max_uncompressed_bytes:
            raise TableRefused(
                N_("Книга Excel в распакованном виде больше %(mb)s МБ. Сохраните в ней только нужную таблицу."),
                mb=_mb(limits.max_uncompressed_bytes),
            )
        if entry.file_size > RATIO_GRACE_BYTES and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            raise TableRefused(
                N_("Книга Excel сжата подозрительно сильно (больше чем в %(ratio)s раз) и не будет открыта."),
                ratio=limits.max_ratio,
            )


def _prescan(archive: zipfile.ZipFile, budget: _Budget) -> None:
    """Every XML part once through expat: no DTD anywhere (entity bombs); the shared strings
    and the first sheet (the one read) also counted against the limits."""
    names = {info.filename for info in archive.infolist()}
    sheet = _first_sheet_path(archive, names)
    for name in sorted(names):
        lower = name.lower()
        if not lower.endswith((".xml", ".rels")):
            continue
        if name == sheet:
            _parse(archive, name, _SheetCounter(budget), budget)
        elif posixpath.basename(lower) == "sharedstrings.xml":
            _parse(archive, name, _SharedStringCounter(budget), budget)
        else:
            _parse(archive, name, None, budget)


def _first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The part of the workbook's first sheet (the one the importers read)."""
    book = "xl/workbook.xml"
    if book not in names:
        raise TableRefused(_BROKEN_XLSX)
    first_rid: list[str] = []

    def sheet_start(name, attrs):
        if name.rsplit("}", 1)[-1] == "sheet" and not first_rid:
            first_rid.append(attrs.get(f"{_REL_NS}}}id", ""))

    _parse_small(archive, book, sheet_start)
    targets: dict[str, str] = {}

    def rel_start(name, attrs):
        if name.rsplit("}", 1)[-1] == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    rels = "xl/_rels/workbook.xml.rels"
    if rels in names:
        _parse_small(archive, rels, rel_start)
    target = targets.get(first_rid[0], "") if first_rid else ""
    if not target:
        raise TableRefused(_BROKEN_XLSX)
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in names:
        raise TableRefused(_BROKEN_XLSX)
    return path


def _new_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True

    def no_dtd(*_args):
        raise TableRefused(_BROKEN_XLSX)  # Excel never writes a DTD; entities only serve bombs

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _parse_small(archive: zipfile.ZipFile, name: str, start) -> None:
    parser = _new_parser()
    parser.StartElementHandler = start
    try:
        parser.Parse(archive.read(name), True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise TableRefused(_BROKEN_XLSX) from None


def _parse(archive: zipfile.ZipFile, name: str, counter, budget: _Budget) -> None:
    parser = _new_parser()
    if counter is not None:
        parser.StartElementHandler = counter.start
        parser.EndElementHandler = counter.end
        parser.CharacterDataHandler = counter.text
    try:
        with archive.open(name) as part:
            while chunk := part.read(READ_CHUNK):
                budget.tick()
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise TableRefused(_BROKEN_XLSX) from None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


class _SharedStringCounter:
    """Counts the shared strings and the length of each (every <t> of one <si>)."""

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.strings = 0
        self.length = 0
        self.in_text = False

    def start(self, name, _attrs):
        tag = _local(name)
        if tag == "si":
            self.strings += 1
            self.length = 0
            if self.strings > self.budget.limits.max_cells:
                raise TableRefused(N_("В файле больше %(n)s заполненных ячеек. Разделите его на части."),
                                   n=self.budget.limits.max_cells)
            if self.strings % 1024 == 0:
                self.budget.tick()
        elif tag == "t":
            self.in_text = True

    def end(self, name):
        if _local(name) == "t":
            self.in_text = False

    def text(self, data):
        if self.in_text:
            self.length += len(data)
            self.budget.cell(None, self.length)


class _SheetCounter:
    """Rows, cells per row, filled cells and their text in the first sheet, as openpyxl will
    see them (a row or cell without a reference follows the previous one)."""

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.row = 0
        self.cells_in_row = 0
        self.column = 0
        self.filled = False
        self.length = 0
        self.in_value = False

    def start(self, name, attrs):
        tag = _local(name)
        if tag == "c":
            self.cells_in_row += 1
            if self.cells_in_row > EXCEL_MAX_COLUMNS:
                self.budget.column(self.row, EXCEL_MAX_COLUMNS + 1)
            match = _CELL_REF.match(attrs.get("r", ""))
            self.column = _column_number(match.group(1)) if match else self.column + 1
            self.filled, self.length = False, 0
        elif tag == "row":
            ref = attrs.get("r", "")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.budget.row(self.row)
            self.cells_in_row = self.column = 0
            if self.row % 256 == 0:
                self.budget.tick()
        elif tag in ("v", "t"):
            self.in_value = True

    def end(self, name):
        tag = _local(name)
        if tag in ("v", "t"):
            self.in_value = False
        elif tag == "c" and self.filled:
            self.budget.column(self.row, self.column)
            self.budget.filled(self.length)

    def text(self, data):
        if self.in_value:
            self.filled = True
            self.length += len(data)
            self.budget.cell(self.row, self.length)


def _read_values(data: bytes, budget: _Budget) -> list[tuple[int, Row]]:
    from openpyxl import load_workbook  # imported lazily: only imports need it

    limits = budget.limits
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TableRefused:
        raise
    except Exception:  # noqa: BLE001  any failure of an untrusted file means "unreadable"
        raise TableRefused(_BROKEN_XLSX) from None
    rows: list[tuple[int, Row]] = []
    try:
        if not book.worksheets:
            raise TableRefused(_BROKEN_XLSX)
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True, max_col=limits.max_columns, max_row=limits.max_rows)
        for number, raw in enumerate(values, start=1):
            budget.row(number)
            if number % 256 == 0:
                budget.tick()
            row = _trimmed(raw)
            for value in row:
                if value is None:
                    continue
                length = len(value) if isinstance(value, str) else len(_plain(value))
                budget.cell(number, length)
                budget.filled(length)
            rows.append((number, row))
    except TableRefused:
        raise
    except Exception:  # noqa: BLE001
        raise TableRefused(_BROKEN_XLSX) from None
    finally:
        book.close()
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
