"""Reading and checking list files before anything is written (ADM-4, 004:3.1).

Pure functions: a file becomes a table of strings, the table becomes raw records keyed by
column, and the records are checked against a snapshot of the database (ImportContext) into an
ImportPlan: the rows that would be created and every error with its row and column. Nothing
here touches the database, so the same check runs at preview and again at commit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from domain.messages import Refusal
from utils import spreadsheets
from utils.credentials import make_login
from utils.spreadsheets import TableLimits, TableRefused

KINDS = ("students", "parents", "teachers", "classes")
KIND_LABELS = {
    "students": _l("Обучающиеся"),
    "parents": _l("Родители (законные представители)"),
    "teachers": _l("Учителя"),
    "classes": _l("Классы"),
}
MAX_ROWS = 3000
PARENT_SLOTS = (1, 2)
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLASS_NAME_RE = re.compile(r"^(\d{1,2})\s*-?\s*([А-ЯЁA-Z]{0,2})$")
NAME_EXTRA_CHARS = set(" -'’.")
OLDEST_BIRTH_DATE = date(1940, 1, 1)


class ImportFileError(Refusal):
    """The file as a whole cannot be read (a table over the import limits); answered with 400."""


@dataclass(frozen=True)
class Column:
    key: str
    title: Any  # lazy Russian header, also the header of the export
    required: bool = False
    aliases: tuple[str, ...] = ()


def _person_columns(with_login: bool = True) -> list[Column]:
    columns = [
        Column("last_name", _l("Фамилия"), True),
        Column("first_name", _l("Имя"), True),
        Column("middle_name", _l("Отчество")),
    ]
    if with_login:
        columns.append(Column("login", _l("Логин")))
    return columns


def _parent_slot_columns(n: int) -> list[Column]:
    return [
        Column(f"parent{n}_name", _l("Родитель %(n)s: ФИО", n=n)),
        Column(f"parent{n}_email", _l("Родитель %(n)s: e-mail", n=n)),
        Column(f"parent{n}_phone", _l("Родитель %(n)s: телефон", n=n)),
        Column(f"parent{n}_relation", _l("Родитель %(n)s: кем приходится", n=n)),
    ]


COLUMNS: dict[str, list[Column]] = {
    "students": [
        *_person_columns(),
        Column("birth_date", _l("Дата рождения"), True),
        Column("gender", _l("Пол")),
        Column("class_name", _l("Класс"), True),
        Column(
            "book_number",
            _l("Номер в алфавитной книге"),
            True,
            ("№ в алфавитной книге", "номер личного дела", "алфавитная книга"),
        ),
        Column("order_number", _l("Номер приказа"), False, ("приказ", "№ приказа")),
        Column("enrol_date", _l("Дата зачисления")),
        *[c for n in PARENT_SLOTS for c in _parent_slot_columns(n)],
    ],
    "parents": [
        *_person_columns(),
        Column("email", _l("E-mail"), False, ("email", "эл. почта", "электронная почта")),
        Column("phone", _l("Телефон")),
        Column("children", _l("Дети: номера в алфавитной книге"), False, ("дети", "номер ребенка в алфавитной книге")),
        Column("relation", _l("Кем приходится")),
    ],
    "teachers": [
        *_person_columns(),
        Column("email", _l("E-mail"), False, ("email", "эл. почта", "электронная почта")),
        Column("phone", _l("Телефон")),
    ],
    "classes": [
        Column("class_name", _l("Класс"), True, ("название",)),
        Column("grade", _l("Параллель")),
        Column("letter", _l("Литера"), False, ("буква",)),
        Column("class_teacher", _l("Классный руководитель (логин)"), False, ("классный руководитель",)),
    ],
}


@dataclass
class RowError:
    row: int  # the row number as the spreadsheet shows it (the header is row 1); 0 = whole file
    column: str
    message: str


@dataclass
class ImportContext:
    """What the check needs to know about the database, loaded once by the operation."""

    today: date
    logins: set[str] = field(default_factory=set)  # every login of every school, lower case
    class_ids: dict[str, int] = field(default_factory=dict)  # normalised name -> id, current year
    book_numbers: dict[str, int] = field(default_factory=dict)  # book number -> student id
    staff_logins: dict[str, int] = field(default_factory=dict)  # login -> user id, this school
    # (normalised full name, e-mail, phone digits) of this school's parents -> user id
    parents: dict[tuple[str, str, str], int] = field(default_factory=dict)
    has_current_year: bool = True


@dataclass
class ImportPlan:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    parents: dict[str, dict[str, Any]] = field(default_factory=dict)  # new parents of student rows
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


# Reading files ------------------------------------------------------------------------------


def import_limits() -> TableLimits:
    """The bounds of an uploaded list, from the app's IMPORT_* settings."""
    return TableLimits.from_config(current_app.config)


def read_table(filename: str, data: bytes, limits: TableLimits | None = None) -> list[list[str]]:
    """CSV (UTF-8 with or without BOM, `;` or `,`) or XLSX into rows of stripped strings, within
    the bounds of utils.spreadsheets (the app's IMPORT_* settings)."""
    try:
        rows = spreadsheets.read_table(filename, data, limits)
    except TableRefused as refused:
        raise ImportFileError(refused.message, **refused.params) from None
    table: list[list[str]] = []
    previous = 0
    for number, values in rows:
        table.extend([] for _gap in range(number - previous - 1))  # keep the row numbers
        table.append([_cell_text(v) for v in values])
        previous = number
    return table


def _cell_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Columns ------------------------------------------------------------------------------------


def _norm_header(text: str) -> str:
    text = text.replace("ё", "е").replace("Ё", "Е").lower().strip().rstrip("*").strip()
    return re.sub(r"\s+", " ", text)


def records_from_table(kind: str, table: list[list[str]]) -> tuple[list[dict[str, str]], list[str], list[RowError]]:
    """Raw records of a people list (see table_records)."""
    return table_records(COLUMNS[kind], table)


def table_records(columns: list[Column], table: list[list[str]]) -> tuple[list[dict[str, str]], list[str], list[RowError]]:
    """Raw records {column key: text, "_row": number}, the ignored headers and file-level errors
    of any list the school imports (people, subjects, the timetable): the first non-empty row
    holds the headers, matched to the columns' titles and aliases."""
    start = next((i for i, row in enumerate(table) if any(row)), None)
    if start is None:
        return [], [], [RowError(0, "", _("Файл пуст."))]
    lookup = {}
    for column in columns:
        lookup[_norm_header(str(column.title))] = column.key
        for alias in column.aliases:
            lookup[_norm_header(alias)] = column.key
    index: dict[int, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for i, header in enumerate(table[start]):
        if not header:
            continue
        key = lookup.get(_norm_header(header))
        if key is None:
            ignored.append(header)
        elif key in index.values():
            errors.append(RowError(start + 1, header, _("Столбец повторяется.")))
        else:
            index[i] = key
    for column in columns:
        if column.required and column.key not in index.values():
            errors.append(RowError(start + 1, str(column.title), _("В файле нет обязательного столбца.")))
    records = []
    for number, row in enumerate(table[start + 1 :], start=start + 2):
        if not any(row):
            continue
        record = {key: (row[i] if i < len(row) else "") for i, key in index.items()}
        record["_row"] = number
        records.append(record)
    if not records and not errors:
        errors.append(RowError(0, "", _("В файле нет строк с данными.")))
    return records, ignored, errors


# Values -------------------------------------------------------------------------------------


def normalise_class_name(name: str) -> str:
    return re.sub(r"[\s-]+", "", name).upper().replace("Ё", "Е")


def normalise_person(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower().replace("ё", "е")


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _name_is_valid(text: str) -> bool:
    return all(ch.isalpha() or ch in NAME_EXTRA_CHARS for ch in text) and any(ch.isalpha() for ch in text)


class _RowChecker:
    """Collects the errors of one row, so that each rule reads as one line."""

    def __init__(self, plan: ImportPlan, record: dict[str, str]):
        self.plan, self.record, self.row = plan, record, int(record["_row"])
        self.failed = False
        self.titles = {c.key: str(c.title) for c in COLUMNS[plan.kind]}

    def value(self, key: str) -> str:
        return str(self.record.get(key, "") or "").strip()

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self.plan.error(self.row, self.titles.get(key, key), message)

    def name(self, key: str, required: bool, label: str) -> str:
        value = _clean_name(self.value(key))
        if not value:
            if required:
                self.error(key, _("Не указано: %(what)s.", what=label))
        elif len(value) > 80:
            self.error(key, _("Слишком длинное значение (больше 80 символов)."))
        elif not _name_is_valid(value):
            self.error(key, _("Недопустимые символы в имени."))
        return value

    def email(self, key: str) -> str:
        value = self.value(key)
        if value and (len(value) > 200 or not EMAIL_RE.match(value)):
            self.error(key, _("Неверный адрес электронной почты."))
        return value.lower()

    def phone(self, key: str) -> str:
        value = self.value(key)
        if value and (len(value) > 40 or not 10 <= len(phone_digits(value)) <= 15 or re.search(r"[^\d\s()+-]", value)):
            self.error(key, _("Неверный номер телефона."))
        return value

    def date(self, key: str, required: bool, label: str, earliest: date, latest: date) -> date | None:
        text = self.value(key)
        if not text:
            if required:
                self.error(key, _("Не указано: %(what)s.", what=label))
            return None
        value = parse_date(text)
        if value is None:
            self.error(key, _("Неверная дата «%(text)s». Пишите ДД.ММ.ГГГГ.", text=text[:20]))
        elif not earliest <= value <= latest:
            self.error(key, _("Дата %(d)s вне допустимого диапазона.", d=value.strftime("%d.%m.%Y")))
            return None
        return value


class _Logins:
    """Logins of this file: given ones are checked, missing ones generated; all unique."""

    def __init__(self, context: ImportContext):
        self.taken = set(context.logins)
        self.context = context
        self.in_file: dict[str, int] = {}

    def claim(self, check: _RowChecker, given: str, last: str, first: str, middle: str) -> str:
        if given:
            login = given.lower()
            if not LOGIN_RE.match(login):
                check.error(
                    "login",
                    _(
                        "Логин может содержать только латинские буквы, цифры, точку, дефис и подчёркивание (2–60 символов)."
                    ),
                )
            elif login in self.in_file:
                check.error(
                    "login", _("Логин «%(l)s» повторяется в файле (строка %(r)s).", l=login, r=self.in_file[login])
                )
            elif login in self.context.logins:
                check.error("login", _("Логин «%(l)s» уже занят.", l=login))
            self.in_file.setdefault(login, check.row)
            self.taken.add(login)
            return login
        if not last:
            return ""
        login = make_login(last, first, middle, lambda candidate: candidate in self.taken)
        self.taken.add(login)
        return login


# Checks by kind -----------------------------------------------------------------------------


def build_plan(
    kind: str,
    records: list[dict[str, str]],
    context: ImportContext,
    *,
    default_order_number: str = "",
    default_enrol_date: date | None = None,
    ignored_columns: Iterable[str] = (),
    file_errors: Iterable[RowError] = (),
) -> ImportPlan:
    """Check every record; the plan lists the rows to create and every error found."""
    if kind not in KINDS:
        raise ValueError(kind)
    plan = ImportPlan(kind=kind, ignored_columns=list(ignored_columns), errors=list(file_errors))
    if plan.errors:
        return plan
    if len(records) > MAX_ROWS:
        plan.error(0, "", _("В файле больше %(n)s строк. Разделите его на части.", n=MAX_ROWS))
        return plan
    if kind in ("students", "classes") and not context.has_current_year:
        plan.error(0, "", _("Не открыт текущий учебный год: сначала создайте его в разделе «Учебный год»."))
        return plan
    logins = _Logins(context)
    check_row = {
        "students": _check_student,
        "parents": _check_parent,
        "teachers": _check_teacher,
        "classes": _check_class,
    }[kind]
    seen: dict[str, int] = {}
    for record in records:
        check = _RowChecker(plan, record)
        row = check_row(
            check,
            context,
            logins,
            seen,
            default_order_number=default_order_number.strip(),
            default_enrol_date=default_enrol_date or context.today,
        )
        if not check.failed and row is not None:
            plan.rows.append(row)
    return plan


def _person(check: _RowChecker) -> tuple[str, str, str]:
    return (
        check.name("last_name", True, _("фамилия")),
        check.name("first_name", True, _("имя")),
        check.name("middle_name", False, _("отчество")),
    )


def _check_teacher(check, context, logins, seen, **_options):
    last, first, middle = _person(check)
    email, phone = check.email("email"), check.phone("phone")
    login = logins.claim(check, check.value("login"), last, first, middle)
    return {
        "row": check.row,
        "last_name": last,
        "first_name": first,
        "middle_name": middle,
        "email": email,
        "phone": phone,
        "login": login,
    }


def _check_parent(check, context, logins, seen, **_options):
    row = _check_teacher(check, context, logins, seen)
    children = []
    for number in re.split(r"[,;\s]+", check.value("children")):
        if not number:
            continue
        if number not in context.book_numbers:
            check.error("children", _("Нет обучающегося с номером %(n)s в алфавитной книге.", n=number))
        else:
            children.append(context.book_numbers[number])
    row["children"] = children
    row["relation"] = check.value("relation")[:40]
    return row


def _check_student(check, context, logins, seen, *, default_order_number, default_enrol_date):
    last, first, middle = _person(check)
    birth_date = check.date("birth_date", True, _("дата рождения"), OLDEST_BIRTH_DATE, context.today)
    gender = {
        "": "",
        "м": "m",
        "муж": "m",
        "мужской": "m",
        "m": "m",
        "ж": "f",
        "жен": "f",
        "женский": "f",
        "f": "f",
    }.get(check.value("gender").lower().rstrip("."))
    if gender is None:
        check.error("gender", _("Пол пишется буквой «м» или «ж»."))
    class_name = check.value("class_name")
    class_id = context.class_ids.get(normalise_class_name(class_name))
    if not class_name:
        check.error("class_name", _("Не указан класс."))
    elif class_id is None:
        check.error("class_name", _("Класса «%(c)s» нет в текущем учебном году.", c=class_name[:30]))
    book_number = check.value("book_number")
    if not book_number:
        check.error("book_number", _("Не указан номер в алфавитной книге."))
    elif len(book_number) > 20:
        check.error("book_number", _("Слишком длинный номер (больше 20 символов)."))
    elif book_number in seen:
        check.error(
            "book_number", _("Номер %(n)s повторяется в файле (строка %(r)s).", n=book_number, r=seen[book_number])
        )
    elif book_number in context.book_numbers:
        check.error("book_number", _("Номер %(n)s уже есть в алфавитной книге школы.", n=book_number))
    if book_number:
        seen.setdefault(book_number, check.row)
    order_number = check.value("order_number") or default_order_number
    if not order_number:
        check.error("order_number", _("Не указан номер приказа о зачислении (в файле или в форме загрузки)."))
    elif len(order_number) > 40:
        check.error("order_number", _("Слишком длинный номер приказа."))
    enrol_date = check.date(
        "enrol_date", False, _("дата зачисления"), date(2000, 1, 1), context.today.replace(year=context.today.year + 1)
    )
    login = logins.claim(check, check.value("login"), last, first, middle)
    parents = [p for n in PARENT_SLOTS if (p := _check_parent_slot(check, context, logins, n)) is not None]
    return {
        "row": check.row,
        "last_name": last,
        "first_name": first,
        "middle_name": middle,
        "birth_date": birth_date,
        "gender": gender or "",
        "class_id": class_id,
        "class_name": class_name,
        "book_number": book_number,
        "order_number": order_number,
        "enrol_date": enrol_date or default_enrol_date,
        "login": login,
        "parents": parents,
    }


def _check_parent_slot(check: _RowChecker, context: ImportContext, logins: _Logins, n: int) -> dict[str, Any] | None:
    """A parent named in a student's row: an existing account is reused (same name and the same
    e-mail or phone), a parent named twice in the file (brothers and sisters) is created once."""
    name_key = f"parent{n}_name"
    full_name = _clean_name(check.value(name_key))
    email, phone = check.email(f"parent{n}_email"), check.phone(f"parent{n}_phone")
    relation = check.value(f"parent{n}_relation")[:40]
    if not full_name:
        if email or phone or relation:
            check.error(name_key, _("Не указаны фамилия и имя родителя."))
        return None
    parts = full_name.split(" ")
    if len(parts) < 2:
        check.error(name_key, _("Укажите фамилию и имя родителя (и отчество, если есть)."))
        return None
    if len(full_name) > 160 or any(len(p) > 80 for p in parts) or not _name_is_valid(full_name):
        check.error(name_key, _("Недопустимое ФИО родителя."))
        return None
    person = normalise_person(full_name)
    digits = phone_digits(phone)
    existing = None
    for (name, known_email, known_digits), user_id in context.parents.items():
        if name == person and ((email and email == known_email) or (digits and digits == known_digits)):
            existing = user_id
            break
    if existing is not None:
        return {"existing_id": existing, "relation": relation, "full_name": full_name}
    key = f"{person}|{email}|{digits}"
    plan = check.plan
    if key not in plan.parents and not check.failed:
        last, first, middle = parts[0], parts[1], " ".join(parts[2:])
        plan.parents[key] = {
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "email": email,
            "phone": phone,
            "login": logins.claim(check, "", last, first, middle),
            "row": check.row,
        }
    return {"key": key, "relation": relation, "full_name": full_name}


def _check_class(check, context, logins, seen, **_options):
    name = re.sub(r"\s+", "", check.value("class_name"))
    match = CLASS_NAME_RE.match(name.upper())
    grade_text, letter = check.value("grade"), check.value("letter").upper()
    grade = None
    if not name:
        check.error("class_name", _("Не указано название класса."))
    elif len(name) > 30:
        check.error("class_name", _("Слишком длинное название класса."))
    if grade_text:
        grade = int(grade_text) if grade_text.isdigit() else None
        if grade is None:
            check.error("grade", _("Параллель — число от 1 до 11."))
    elif match:
        grade = int(match.group(1))
    elif name:
        check.error("grade", _("Не удалось определить параллель: укажите её в столбце «Параллель»."))
    if grade is not None and not 1 <= grade <= 11:
        check.error("grade", _("Параллель — число от 1 до 11."))
    if not letter and match:
        letter = match.group(2)
    if len(letter) > 5:
        check.error("letter", _("Слишком длинная литера."))
    key = normalise_class_name(name)
    if name and key in seen:
        check.error("class_name", _("Класс «%(c)s» повторяется в файле (строка %(r)s).", c=name, r=seen[key]))
    elif name and key in context.class_ids:
        check.error("class_name", _("Класс «%(c)s» уже есть в текущем учебном году.", c=name))
    if name:
        seen.setdefault(key, check.row)
    teacher_login = check.value("class_teacher").lower()
    teacher_id = None
    if teacher_login:
        teacher_id = context.staff_logins.get(teacher_login)
        if teacher_id is None:
            check.error("class_teacher", _("Нет сотрудника школы с логином «%(l)s».", l=teacher_login[:60]))
    return {
        "row": check.row,
        "name": name,
        "grade": grade,
        "letter": letter,
        "class_teacher_id": teacher_id,
        "class_teacher_login": teacher_login,
    }


# Preview ------------------------------------------------------------------------------------


def preview_table(plan: ImportPlan) -> tuple[list[str], list[list[str]]]:
    """The rows that will be created, as the preview page shows them."""
    if plan.kind == "classes":
        headers = [_("Строка"), _("Класс"), _("Параллель"), _("Литера"), _("Классный руководитель")]
        rows = [[str(r["row"]), r["name"], str(r["grade"]), r["letter"], r["class_teacher_login"]] for r in plan.rows]
        return headers, rows
    headers = [_("Строка"), _("ФИО"), _("Логин")]
    if plan.kind == "students":
        headers += [_("Класс"), _("Дата рождения"), _("Номер в алфавитной книге"), _("Приказ"), _("Родители")]
    elif plan.kind == "parents":
        headers += [_("E-mail"), _("Телефон"), _("Детей")]
    else:
        headers += [_("E-mail"), _("Телефон")]
    rows = []
    for r in plan.rows:
        name = " ".join(p for p in (r["last_name"], r["first_name"], r["middle_name"]) if p)
        row = [str(r["row"]), name, r["login"]]
        if plan.kind == "students":
            parents = []
            for ref in r["parents"]:
                login = plan.parents[ref["key"]]["login"] if "key" in ref else ""
                note = _("новая учётная запись, логин %(l)s", l=login) if login else _("уже есть в системе")
                parents.append(f"{ref['full_name']} ({note})")
            row += [
                r["class_name"],
                r["birth_date"].strftime("%d.%m.%Y"),
                r["book_number"],
                _("№ %(n)s от %(d)s", n=r["order_number"], d=r["enrol_date"].strftime("%d.%m.%Y")),
                "; ".join(parents),
            ]
        elif plan.kind == "parents":
            row += [r["email"], r["phone"], str(len(r["children"]))]
        else:
            row += [r["email"], r["phone"]]
        rows.append(row)
    return headers, rows
