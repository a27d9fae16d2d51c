"""Use cases of the calendar-thematic plan (КТП, JRN-2): topics with hours, import from CSV or
XLSX, and the correction sheet (лист корректировки): once the study period has started, every
change of the plan needs a reason and is written to it (003 Положение 1.4, 2.4).
They flush; the view commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update

from blueprints.journal import queries
from blueprints.journal.operations import JournalError
from domain.messages import N_
from domain.periods import current_period, has_begun
from extensions import db
from models import Lesson, PlanCorrection, PlanItem, TeachingAssignment, User
from models.base import utcnow
from models.year_closing import ensure_year_open
from utils import audit, spreadsheets
from utils.spreadsheets import TableLimits

MAX_IMPORT_ROWS = 2000
HEADER_WORDS = ("номер", "№", "n", "no", "number", "#")


def plan_item_snapshot(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "number": item.number,
        "topic": item.topic,
        "hours": item.hours,
        "planned_date": item.planned_date.isoformat() if item.planned_date else None,
    }


def corrections_required(assignment: TeachingAssignment, today: date) -> bool:
    """Whether the current study period of the assignment has started."""
    return has_begun(current_period(queries.periods_of(assignment), today), today)


def _check_writable(assignment: TeachingAssignment) -> None:
    ensure_year_open(assignment.year)


def _record(assignment: TeachingAssignment, user: User, item_id: int | None, action: str,
            before: dict | None, after: dict | None, reason: str, correcting: bool) -> None:
    if correcting:
        db.session.add(PlanCorrection(assignment_id=assignment.id, plan_item_id=item_id, at=utcnow(), user_id=user.id,
                                      reason=reason, before=before, after=after))
    audit.record("plan_item", item_id, action, before=before, after=after, reason=reason,
                 school_id=assignment.school_id, user_id=user.id)


def _reason(reason: str, correcting: bool) -> str:
    reason = (reason or "").strip()
    if correcting and not reason:
        raise JournalError(
            N_("Учебный период уже начался: укажите причину изменения — она будет записана в лист корректировки."), 400
        )
    return reason


def _check_number_free(assignment: TeachingAssignment, number: int, item_id: int | None = None) -> None:
    clash = db.session.scalar(
        select(PlanItem.id).where(PlanItem.assignment_id == assignment.id, PlanItem.number == number)
    )
    if clash is not None and clash != item_id:
        raise JournalError(N_("Тема с номером %(n)s уже есть в плане."), 409, n=number)


def add_item(assignment: TeachingAssignment, user: User, number: int, topic: str, hours: int,
             planned_date: date | None, reason: str, today: date) -> PlanItem:
    _check_writable(assignment)
    correcting = corrections_required(assignment, today)
    reason = _reason(reason, correcting)
    _check_number_free(assignment, number)
    item = PlanItem(assignment_id=assignment.id, number=number, topic=topic.strip(), hours=hours,
                    planned_date=planned_date)
    db.session.add(item)
    db.session.flush()
    _record(assignment, user, item.id, "create", None, plan_item_snapshot(item), reason, correcting)
    db.session.flush()
    return item


def update_item(item: PlanItem, user: User, number: int, topic: str, hours: int, planned_date: date | None,
                reason: str, today: date) -> bool:
    assignment = item.assignment
    _check_writable(assignment)
    before = plan_item_snapshot(item)
    wanted = {"number": number, "topic": topic.strip(), "hours": hours,
              "planned_date": planned_date.isoformat() if planned_date else None}
    if all(before[k] == v for k, v in wanted.items()):
        return False
    correcting = corrections_required(assignment, today)
    reason = _reason(reason, correcting)
    _check_number_free(assignment, number, item.id)
    item.number, item.topic, item.hours, item.planned_date = number, topic.strip(), hours, planned_date
    db.session.flush()
    _record(assignment, user, item.id, "update", before, plan_item_snapshot(item), reason, correcting)
    db.session.flush()
    return True


def delete_item(item: PlanItem, user: User, reason: str, today: date) -> None:
    """Remove a topic. Lessons that took it keep their topic text; the correction sheet keeps
    the removed topic in its "before"."""
    assignment = item.assignment
    _check_writable(assignment)
    correcting = corrections_required(assignment, today)
    reason = _reason(reason, correcting)
    before = plan_item_snapshot(item)
    db.session.execute(update(Lesson).where(Lesson.plan_item_id == item.id).values(plan_item_id=None))
    db.session.execute(update(PlanCorrection).where(PlanCorrection.plan_item_id == item.id).values(plan_item_id=None))
    db.session.delete(item)
    db.session.flush()
    _record(assignment, user, None, "delete", before, None, reason, correcting)
    db.session.flush()


# --- Import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    row: int
    number: int
    topic: str
    hours: int


@dataclass(frozen=True)
class RowError:
    row: int
    message: str
    params: dict


class ImportRefused(JournalError):
    def __init__(self, errors: list[RowError]):
        super().__init__(N_("План не загружен: исправьте строки с ошибками и загрузите файл снова."), 400)
        self.errors = errors


def read_rows(filename: str, data: bytes, limits: TableLimits | None = None) -> list[tuple[int, list[Any]]]:
    """The rows of a CSV (`;` or `,`, UTF-8 with or without BOM) or XLSX file, with their numbers,
    within the bounds of utils.spreadsheets (the app's IMPORT_* settings)."""
    if spreadsheets.table_format(filename) not in ("csv", "xlsx"):
        raise JournalError(N_("Загрузите файл CSV или XLSX."), 400)
    return spreadsheets.read_table(filename, data, limits)  # TableRefused, a Refusal, when out of bounds


def _as_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().rstrip(".")
    if not text.isdigit():
        return None
    return int(text)


def parse_rows(rows: list[tuple[int, list[Any]]], existing_numbers: set[int]) -> tuple[list[ImportRow], list[RowError]]:
    """Check every row; the plan is imported only when no row has an error."""
    items: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[int, int] = {}
    first_line = True
    for n, raw in rows:
        cells = ["" if c is None else c for c in raw]
        while cells and str(cells[-1]).strip() == "":
            cells.pop()
        if not cells:
            continue  # an empty line
        is_header = first_line and str(cells[0]).strip().lower() in HEADER_WORDS
        first_line = False
        if is_header:
            continue  # the header line: номер; тема; часы
        number = _as_int(cells[0])
        topic = str(cells[1]).strip() if len(cells) > 1 else ""
        hours_cell = cells[2] if len(cells) > 2 else ""
        hours = 1 if str(hours_cell).strip() == "" else _as_int(hours_cell)
        if len(cells) > 3:
            errors.append(RowError(n, N_("Строка %(row)s: лишние столбцы; нужны три: номер, тема, часы."), {"row": n}))
            continue
        if number is None or number < 1:
            errors.append(RowError(n, N_("Строка %(row)s: номер темы должен быть целым числом от 1."), {"row": n}))
            continue
        if not topic:
            errors.append(RowError(n, N_("Строка %(row)s: не указана тема."), {"row": n}))
            continue
        if len(topic) > 500:
            errors.append(RowError(n, N_("Строка %(row)s: тема длиннее 500 знаков."), {"row": n}))
            continue
        if hours is None or hours < 1 or hours > 500:
            errors.append(RowError(n, N_("Строка %(row)s: часы должны быть целым числом от 1."), {"row": n}))
            continue
        if number in existing_numbers:
            errors.append(RowError(n, N_("Строка %(row)s: тема с номером %(n)s уже есть в плане."), {"row": n, "n": number}))
            continue
        if number in seen:
            errors.append(RowError(n, N_("Строка %(row)s: номер %(n)s уже был в строке %(first)s."),
                                   {"row": n, "n": number, "first": seen[number]}))
            continue
        seen[number] = n
        items.append(ImportRow(n, number, topic, hours))
    if len(items) > MAX_IMPORT_ROWS:
        errors.append(RowError(0, N_("В файле больше %(max)s тем."), {"max": MAX_IMPORT_ROWS}))
    return items, errors


def import_plan(assignment: TeachingAssignment, user: User, filename: str, data: bytes, reason: str,
                today: date, limits: TableLimits | None = None) -> list[PlanItem]:
    """Add the topics of the file to the plan: all of them, or none when a row is wrong."""
    _check_writable(assignment)
    correcting = corrections_required(assignment, today)
    reason = _reason(reason, correcting)
    rows = read_rows(filename, data, limits)
    existing = set(db.session.scalars(select(PlanItem.number).where(PlanItem.assignment_id == assignment.id)))
    parsed, errors = parse_rows(rows, existing)
    if errors:
        raise ImportRefused(errors)
    if not parsed:
        raise JournalError(N_("В файле нет ни одной темы."), 400)
    created = []
    for row in parsed:
        item = PlanItem(assignment_id=assignment.id, number=row.number, topic=row.topic, hours=row.hours)
        db.session.add(item)
        created.append(item)
    db.session.flush()
    for item in created:
        _record(assignment, user, item.id, "import", None, plan_item_snapshot(item), reason, correcting)
    db.session.flush()
    return created
