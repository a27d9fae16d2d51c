"""Checking a timetable file before anything is written (issue 10, item 4; as the people import,
ADM-4): a table of strings becomes rows keyed by column, and the rows are checked against a
snapshot of the database (TimetableContext) into a TimetablePlan: the lessons to create, the new
rooms, and every error with its row. Nothing here touches the database, so the same check runs
at preview and again at commit; one bad row and nothing is imported (all or nothing)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.admin.imports.reading import Column, RowError, normalise_class_name, normalise_person, table_records
from domain import timetable as rules

COLUMNS = [
    Column("class_name", _l("Класс"), True),
    Column("weekday", _l("День"), True, ("день недели",)),
    Column("lesson_number", _l("Урок"), True, ("номер урока", "№ урока", "№")),
    Column("subject", _l("Предмет"), True),
    Column("teacher", _l("Учитель"), True, ("фио учителя", "преподаватель")),
    Column("room", _l("Кабинет"), False, ("каб.", "аудитория")),
    Column("subgroup", _l("Подгруппа"), False, ("группа",)),
]
MAX_ROWS = 3000
SAMPLE_ROWS = [
    ("5А", "пн", "1", "Математика", "Числова В.", "204", ""),
    ("5А", "пн", "2", "Английский язык", "Инглишева Е.", "301", "1 группа"),
    ("5А", "пн", "2", "Английский язык", "Числова В.", "302", "2 группа"),
    ("5А", "Вторник", "1", "Русский язык", "Словарёва О.", "205", ""),
    ("5Б", "3", "1", "Математика", "Словарёва О.", "204", ""),
]


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    class_id: int
    class_name: str
    subject_key: str
    subject_name: str
    teacher_id: int
    teacher_name: str
    subgroup_id: int | None
    subgroup_name: str


@dataclass
class TimetableContext:
    """What the check needs to know about the school, loaded once by the operation."""

    classes: dict[str, int] = field(default_factory=dict)  # normalised name -> id, current year
    class_names: dict[int, str] = field(default_factory=dict)
    subgroups: dict[tuple[int, str], int] = field(default_factory=dict)  # (class id, normalised name)
    subjects: dict[str, str] = field(default_factory=dict)  # name or short name, lower -> subject key
    # login, full name, "фамилия и.о." and "фамилия и." (normalised) -> teacher ids
    teachers: dict[str, set[int]] = field(default_factory=dict)
    assignments: list[AssignmentInfo] = field(default_factory=list)
    rooms: dict[str, tuple[int, bool, str]] = field(default_factory=dict)  # lower name -> (id, active, name)
    # lessons of the classes not in the file that are in force from the date on
    others: list[rules.Entry] = field(default_factory=list)


@dataclass
class TimetablePlan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def class_ids(self) -> set[int]:
        return {row["class_id"] for row in self.rows}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


def norm_name(text: str) -> str:
    """Names of people, subjects, subgroups: case, «ё», spaces and the dots of initials aside."""
    return re.sub(r"\s*\.\s*", ".", normalise_person(text)).strip()


def teacher_keys(login: str, last: str, first: str, middle: str) -> set[str]:
    keys = {login.lower(), norm_name(f"{last} {first} {middle}"), norm_name(f"{last} {first}")}
    if first:
        keys.add(norm_name(f"{last} {first[0]}."))
        if middle:
            keys.add(norm_name(f"{last} {first[0]}.{middle[0]}."))
    keys.add(norm_name(last))
    return {k for k in keys if k}


def records_from_table(table: list[list[str]]) -> tuple[list[dict[str, Any]], list[str], list[RowError]]:
    """Raw records {column key: text, "_row": number}, the ignored headers and file-level errors;
    a timetable longer than MAX_ROWS lessons is refused."""
    records, ignored, errors = table_records(COLUMNS, table)
    if len(records) > MAX_ROWS:
        errors.append(RowError(0, "", _("Строк больше %(n)s: разделите файл.", n=MAX_ROWS)))
    return records, ignored, errors


def _row_entry(row: dict[str, Any], a: AssignmentInfo, room_key, room_name: str) -> rules.Entry:
    return rules.Entry(
        key=("row", row["row"]),
        weekday=row["weekday"],
        lesson_number=row["lesson_number"],
        class_id=a.class_id,
        class_name=a.class_name,
        subgroup_id=a.subgroup_id,
        subgroup_name=a.subgroup_name,
        teacher_id=a.teacher_id,
        teacher_name=a.teacher_name,
        subject_name=a.subject_name,
        room_id=room_key,
        room_name=room_name,
    )


def build_plan(
    records: list[dict[str, Any]],
    context: TimetableContext,
    ignored_columns: list[str] | None = None,
    file_errors: list[RowError] | None = None,
) -> TimetablePlan:
    plan = TimetablePlan(ignored_columns=list(ignored_columns or []), errors=list(file_errors or []))
    if plan.errors:
        return plan
    new_room_keys: dict[str, int] = {}
    entries: list[rules.Entry] = []
    # the classes of the file get a new week: only the other classes' lessons can clash
    in_file = {context.classes.get(normalise_class_name(str(r.get("class_name", "") or ""))) for r in records}
    others = [e for e in context.others if e.class_id not in in_file]
    for record in records:
        row = int(record["_row"])
        text = {key: str(record.get(key, "") or "").strip() for key in ("class_name", "weekday", "lesson_number", "subject", "teacher", "room", "subgroup")}
        errors_before = len(plan.errors)
        class_id = context.classes.get(normalise_class_name(text["class_name"])) if text["class_name"] else None
        if class_id is None:
            plan.error(row, _("Класс"), _("Класс «%(name)s» не найден в текущем учебном году.", name=text["class_name"]) if text["class_name"] else _("Не указан класс."))
        weekday = rules.parse_weekday(text["weekday"])
        if weekday is None:
            plan.error(row, _("День"), _("День недели «%(value)s» не распознан: пн–сб, «Понедельник» или число 1–6.", value=text["weekday"]))
        number = int(text["lesson_number"]) if text["lesson_number"].isdigit() else None
        if number is None or not 1 <= number <= rules.MAX_LESSON_NUMBER:
            plan.error(row, _("Урок"), _("Номер урока «%(value)s»: нужно число от 1 до %(max)s.", value=text["lesson_number"], max=rules.MAX_LESSON_NUMBER))
            number = None
        subject_key = context.subjects.get(norm_name(text["subject"])) if text["subject"] else None
        if subject_key is None:
            plan.error(row, _("Предмет"), _("Предмет «%(name)s» не найден в списке предметов школы.", name=text["subject"]) if text["subject"] else _("Не указан предмет."))
        teacher_ids = context.teachers.get(norm_name(text["teacher"]), set()) if text["teacher"] else set()
        if not teacher_ids:
            plan.error(row, _("Учитель"), _("Учитель «%(name)s» не найден: укажите ФИО, «Фамилия И.О.» или логин.", name=text["teacher"]) if text["teacher"] else _("Не указан учитель."))
        subgroup_id = None
        if text["subgroup"] and class_id is not None:
            subgroup_id = context.subgroups.get((class_id, norm_name(text["subgroup"])))
            if subgroup_id is None:
                plan.error(row, _("Подгруппа"), _("У класса %(cls)s нет подгруппы «%(name)s».", cls=context.class_names[class_id], name=text["subgroup"]))
        room_key, room_name = None, text["room"]
        if room_name:
            room_name = " ".join(room_name.split())
            known = context.rooms.get(room_name.lower())
            if len(room_name) > 20:
                plan.error(row, _("Кабинет"), _("Номер или название кабинета — не длиннее 20 знаков."))
            elif known is None:
                if room_name.lower() not in new_room_keys:
                    new_room_keys[room_name.lower()] = -(len(new_room_keys) + 1)  # a room to create
                    plan.new_rooms.append(room_name)
                room_key = new_room_keys[room_name.lower()]
            elif not known[1]:
                plan.error(row, _("Кабинет"), _("Кабинет «%(name)s» отключён: включите его в списке кабинетов или укажите другой.", name=known[2]))
            else:
                room_key, room_name = known[0], known[2]
        if len(plan.errors) > errors_before:
            continue
        matches = [
            a for a in context.assignments
            if a.class_id == class_id and a.subject_key == subject_key and a.teacher_id in teacher_ids
            and (subgroup_id is None or a.subgroup_id == subgroup_id)
        ]
        if text["subgroup"] == "" and len(matches) > 1:
            whole = [a for a in matches if a.subgroup_id is None]
            matches = whole or matches
        if len({a.teacher_id for a in matches}) > 1:
            plan.error(row, _("Учитель"), _("Учителей «%(name)s» несколько: укажите ФИО полностью или логин.", name=text["teacher"]))
            continue
        if len(matches) != 1:
            what = context.class_names[class_id] + (f" ({text['subgroup']})" if text["subgroup"] else "")
            if not matches:
                message = _("Нет такой нагрузки: %(teacher)s не ведёт «%(subject)s» в %(group)s. Назначьте её в «Нагрузке учителей».",
                            teacher=text["teacher"], subject=text["subject"], group=what)
            else:
                message = _("У %(group)s несколько подгрупп по «%(subject)s» у этого учителя: укажите подгруппу.", group=what, subject=text["subject"])
            plan.error(row, _("Предмет"), message)
            continue
        assignment = matches[0]
        row_data = {"row": row, "class_id": class_id, "weekday": weekday, "lesson_number": number,
                    "assignment_id": assignment.id, "room": room_name, "room_id": room_key if room_key and room_key > 0 else None,
                    "class_name": assignment.class_name, "subject": assignment.subject_name,
                    "teacher": assignment.teacher_name, "subgroup": assignment.subgroup_name}
        entry = _row_entry(row_data, assignment, room_key, room_name)
        clash = rules.clashes(entry, entries + others)
        if clash:
            message, params = clash[0].message()
            text_message = _(message, **params)
            other_key = clash[0].other.key
            if isinstance(other_key, tuple) and other_key[0] == "row":
                text_message += " " + _("(строка %(n)s файла)", n=other_key[1])
            plan.error(row, "", text_message)
            continue
        entries.append(entry)
        plan.rows.append(row_data)
    if plan.errors:
        plan.rows.clear()
    return plan
