"""The list of subjects to and from files (ADM-4, 004:3.1), like the people's lists: export to
CSV/XLSX; import checked as a whole first (a preview names every bad row), then written all or
nothing. A row whose subject already exists (the same name, ignoring case, «ё» and spaces)
updates its short name and state; the name itself is never changed by an import.

The check is a pure function of the table and the school's subjects (build_plan), so the same
check runs at the preview and again at the commit."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blueprints.admin.imports import pending
from blueprints.admin.imports.reading import Column, RowError, read_table, table_records
from blueprints.admin.people.operations import ExportTable
from extensions import db
from models import School, Subject
from utils import audit

COLUMNS = [
    Column("name", _l("Предмет"), True, ("название", "название предмета", "наименование")),
    Column("short_name", _l("Сокращение"), False, ("краткое название", "сокращенное название", "кратко")),
    Column("active", _l("Используется"), False, ("активен", "активный", "действует")),
]
YES = {"да", "д", "1", "+", "yes", "y", "true", "используется"}
NO = {"нет", "н", "0", "-", "no", "n", "false", "отключен", "не используется"}
MAX_ROWS = 500
NAME_MAX, SHORT_MAX = 120, 30


@dataclass
class SubjectPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)


def name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower().replace("ё", "е")


def records_from_table(table: list[list[str]]) -> tuple[list[dict[str, Any]], list[str], list[RowError]]:
    """Raw records {column key: text, "_row": number}, the ignored headers and file-level errors."""
    return table_records(COLUMNS, table)


def build_plan(
    records: list[dict[str, Any]],
    existing: dict[str, tuple[int, str, str, bool]],
    ignored_columns: list[str] | None = None,
    file_errors: list[RowError] | None = None,
) -> SubjectPlan:
    """Check every record against the school's subjects (name key -> id, name, short name,
    active); the plan lists each row's action (create, update, same) and every error."""
    plan = SubjectPlan(ignored_columns=list(ignored_columns or []), errors=list(file_errors or []))
    if plan.errors:
        return plan
    if len(records) > MAX_ROWS:
        plan.errors.append(RowError(0, "", _("В файле больше %(n)s строк.", n=MAX_ROWS)))
        return plan
    titles = {c.key: str(c.title) for c in COLUMNS}
    seen: dict[str, int] = {}
    for record in records:
        row = int(record["_row"])
        errors_before = len(plan.errors)
        name = re.sub(r"\s+", " ", str(record.get("name", "") or "")).strip()
        short_name = re.sub(r"\s+", " ", str(record.get("short_name", "") or "")).strip()
        active_text = name_key(str(record.get("active", "") or "")).rstrip(".")
        key = name_key(name)
        if not name:
            plan.errors.append(RowError(row, titles["name"], _("Не указано название предмета.")))
        elif len(name) > NAME_MAX:
            plan.errors.append(RowError(row, titles["name"], _("Название длиннее %(n)s символов.", n=NAME_MAX)))
        elif key in seen:
            plan.errors.append(
                RowError(row, titles["name"], _("Предмет «%(s)s» повторяется в файле (строка %(r)s).", s=name, r=seen[key]))
            )
        if name:
            seen.setdefault(key, row)
        if len(short_name) > SHORT_MAX:
            plan.errors.append(RowError(row, titles["short_name"], _("Сокращение длиннее %(n)s символов.", n=SHORT_MAX)))
        active: bool | None = None
        if active_text in YES:
            active = True
        elif active_text in NO:
            active = False
        elif active_text:
            plan.errors.append(RowError(row, titles["active"], _("Пишите «да» или «нет».")))
        if len(plan.errors) > errors_before:
            continue
        known = existing.get(key)
        if known is None:
            plan.rows.append({"row": row, "action": "create", "subject_id": None, "name": name,
                              "short_name": short_name, "active": True if active is None else active})
            continue
        subject_id, known_name, known_short, known_active = known
        new_active = known_active if active is None else active
        # An empty short name in the file keeps the one the school has.
        new_short = short_name or known_short
        same = new_short == known_short and new_active == known_active
        plan.rows.append({"row": row, "action": "same" if same else "update", "subject_id": subject_id,
                          "name": known_name, "short_name": new_short, "active": new_active})
    return plan


# Operations (only flush; the view commits) ---------------------------------------------------


def existing_subjects(school: School) -> dict[str, tuple[int, str, str, bool]]:
    return {
        name_key(s.name): (s.id, s.name, s.short_name, s.is_active)
        for s in db.session.scalars(select(Subject).where(Subject.school_id == school.id))
    }


def plan_pending(pending: dict[str, Any], school: School) -> SubjectPlan:
    return build_plan(
        pending["records"],
        existing_subjects(school),
        pending.get("ignored", []),
        [RowError(*e) for e in pending.get("file_errors", [])],
    )


def apply_plan(school: School, plan: SubjectPlan, filename: str) -> dict[str, int]:
    """Create and update every row of a checked plan; the caller commits once."""
    if not plan.ok:
        raise ValueError("a plan with errors is never applied")
    by_id = {s.id: s for s in db.session.scalars(select(Subject).where(Subject.school_id == school.id))}
    for row in plan.rows:
        if row["action"] == "create":
            subject = Subject(school_id=school.id, name=row["name"], short_name=row["short_name"],
                              is_active=row["active"])
            db.session.add(subject)
            db.session.flush()
            audit.record("subject", subject.id, "create", after={"name": subject.name, "short_name": subject.short_name,
                                                                  "is_active": subject.is_active}, school_id=school.id)
        elif row["action"] == "update":
            subject = by_id[row["subject_id"]]
            before = {"short_name": subject.short_name, "is_active": subject.is_active}
            subject.short_name, subject.is_active = row["short_name"], row["active"]
            after = {"short_name": subject.short_name, "is_active": subject.is_active}
            changed = [k for k in after if after[k] != before[k]]
            audit.record("subject", subject.id, "update", before={k: before[k] for k in changed},
                         after={k: after[k] for k in changed}, reason=_("Импорт из файла"), school_id=school.id)
    db.session.flush()
    counts = {"created": plan.count("create"), "updated": plan.count("update"), "unchanged": plan.count("same")}
    audit.record("import", None, "import", after={"kind": "subjects", "filename": filename, **counts},
                 school_id=school.id)
    return counts


def export_table(school: School) -> ExportTable:
    subjects = db.session.scalars(
        select(Subject).where(Subject.school_id == school.id).order_by(Subject.is_active.desc(), Subject.name)
    ).all()
    return ExportTable(
        [str(c.title) for c in COLUMNS],
        [[s.name, s.short_name, _("да") if s.is_active else _("нет")] for s in subjects],
    )


# The upload between the preview and the commit, kept on the server under a random token -----


def read_upload(filename: str, data: bytes, school: School, limits) -> str:
    """Read the file (ImportFileError when it cannot be read) and keep its rows for the preview."""
    records, ignored, errors = records_from_table(read_table(filename, data, limits))
    return pending.subject_uploads.save(
        {
            "school_id": school.id,
            "filename": os.path.basename(filename or "")[:200],
            "records": records,
            "ignored": ignored,
            "file_errors": [[e.row, e.column, e.message] for e in errors],
        }
    )
