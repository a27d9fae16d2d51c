"""Use cases of the people import (ADM-4): the context a file is checked against, keeping the
upload for its preview, and creating every row of a checked plan at once. Operations only flush;
the view commits once."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.admin.imports import pending
from blueprints.admin.imports import reading as importing
from blueprints.admin.imports.reading import ImportContext, ImportPlan, import_limits
from blueprints.admin.people.operations import PeopleError, current_year, school_today
from domain.messages import N_
from extensions import db
from models import (
    AuditEntry,
    ClassGroup,
    ClassMembership,
    EnrolmentEvent,
    ParentLink,
    School,
    Student,
    User,
    UserRole,
)
from utils import audit

__all__ = ["import_limits"]  # kept here too: the people import's limits are every import's


def import_context(school: School) -> ImportContext:
    context = ImportContext(today=school_today(school))
    context.logins = set(db.session.scalars(select(func.lower(User.login))))
    year = current_year(school.id)
    context.has_current_year = year is not None
    if year is not None:
        for class_id, name in db.session.execute(
            select(ClassGroup.id, ClassGroup.name).where(ClassGroup.year_id == year.id)
        ):
            context.class_ids[importing.normalise_class_name(name)] = class_id
    context.book_numbers = {
        number: student_id
        for number, student_id in db.session.execute(
            select(Student.book_number, Student.id).where(Student.school_id == school.id)
        )
    }
    users = db.session.scalars(
        select(User).where(User.school_id == school.id).options(selectinload(User.role_rows))
    ).all()
    for user in users:
        if user.is_staff:
            context.staff_logins[user.login.lower()] = user.id
        if user.has_role("parent"):
            key = (importing.normalise_person(user.full_name), user.email.lower(), importing.phone_digits(user.phone))
            context.parents[key] = user.id
    return context


# The upload between the preview and the commit (imports/pending.py)
save_pending = pending.people_uploads.save


def read_upload(
    kind: str, filename: str, data: bytes, school: School, user: User, order_number: str, enrol_date: date | None
) -> str:
    """Read the file (ImportFileError if it cannot be read or is over a limit) and keep its rows
    for the preview; nothing is written for a refused file."""
    table = importing.read_table(filename, data, import_limits())
    records, ignored, errors = importing.records_from_table(kind, table)
    return save_pending(
        {
            "school_id": school.id,
            "user_id": user.id,
            "kind": kind,
            "filename": os.path.basename(filename or "")[:200],
            "order_number": order_number.strip()[:40],
            "enrol_date": enrol_date.isoformat() if enrol_date else "",
            "records": records,
            "ignored": ignored,
            "file_errors": [[e.row, e.column, e.message] for e in errors],
        }
    )


def plan_pending(pending: dict[str, Any], school: School) -> ImportPlan:
    """Check the kept rows against the database as it is now (at preview and again at commit)."""
    enrol_date = date.fromisoformat(pending["enrol_date"]) if pending.get("enrol_date") else None
    return importing.build_plan(
        pending["kind"],
        pending["records"],
        import_context(school),
        default_order_number=pending.get("order_number", ""),
        default_enrol_date=enrol_date,
        ignored_columns=pending.get("ignored", []),
        file_errors=[importing.RowError(*e) for e in pending.get("file_errors", [])],
    )


def _new_user(school: School, role: str, row: dict[str, Any]) -> User:
    user = User(
        school_id=school.id,
        login=row["login"],
        last_name=row["last_name"],
        first_name=row["first_name"],
        middle_name=row.get("middle_name", ""),
        email=row.get("email", ""),
        phone=row.get("phone", ""),
        must_change_password=True,
    )
    # No password until a slip is printed: the slip issues one (ADM-3). Not hashing an
    # unseen password keeps a 1,000-person import from spending ~100 s in scrypt.
    user.set_unusable_password()
    user.role_rows = [UserRole(role=role)]
    db.session.add(user)
    return user


def apply_import(school: School, plan: ImportPlan, filename: str) -> AuditEntry:
    """Create every row of a checked plan. The caller commits once, so it is all or nothing."""
    if not plan.ok:
        raise PeopleError(N_("В файле есть ошибки: ничего не импортировано."))
    created: list[User] = []
    counts = {"users": 0, "students": 0, "classes": 0, "links": 0}
    if plan.kind == "classes":
        year = current_year(school.id)
        for row in plan.rows:
            db.session.add(
                ClassGroup(
                    school_id=school.id,
                    year_id=year.id,
                    name=row["name"],
                    grade=row["grade"],
                    letter=row["letter"],
                    # First grade: attendance only, no marks (003 Положение 1.3).
                    attendance_only=row["grade"] == 1,
                    class_teacher_id=row["class_teacher_id"],
                )
            )
            counts["classes"] += 1
    elif plan.kind == "teachers":
        created = [_new_user(school, "teacher", row) for row in plan.rows]
    elif plan.kind == "parents":
        for row in plan.rows:
            parent = _new_user(school, "parent", row)
            created.append(parent)
            db.session.flush()
            for student_id in row["children"]:
                db.session.add(ParentLink(parent_id=parent.id, student_id=student_id, relation=row["relation"]))
                counts["links"] += 1
    else:
        new_parents = {key: _new_user(school, "parent", data) for key, data in plan.parents.items()}
        created.extend(new_parents.values())
        db.session.flush()
        for row in plan.rows:
            user = _new_user(school, "student", row)
            created.append(user)
            student = Student(
                school_id=school.id,
                user=user,
                last_name=row["last_name"],
                first_name=row["first_name"],
                middle_name=row["middle_name"],
                birth_date=row["birth_date"],
                gender=row["gender"],
                book_number=row["book_number"],
                current_class_id=row["class_id"],
            )
            db.session.add(student)
            db.session.flush()
            db.session.add(ClassMembership(student_id=student.id, class_id=row["class_id"], since=row["enrol_date"]))
            db.session.add(
                EnrolmentEvent(
                    student_id=student.id,
                    kind="enrol",
                    date=row["enrol_date"],
                    order_number=row["order_number"],
                    to_class_id=row["class_id"],
                    note=_("Импорт из файла"),
                )
            )
            counts["students"] += 1
            linked: set[int] = set()
            for ref in row["parents"]:
                parent_id = ref.get("existing_id") or new_parents[ref["key"]].id
                if parent_id not in linked:
                    linked.add(parent_id)
                    db.session.add(ParentLink(parent_id=parent_id, student_id=student.id, relation=ref["relation"]))
                    counts["links"] += 1
    db.session.flush()
    counts["users"] = len(created)
    return audit.record(
        "import",
        None,
        "import",
        after={
            "kind": plan.kind,
            "filename": filename,
            "rows": len(plan.rows),
            **counts,
            "user_ids": [u.id for u in created],
        },
    )


def imported_users(entry: AuditEntry) -> list[User]:
    ids = [i for i in (entry.after or {}).get("user_ids", []) if isinstance(i, int)]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(ids), User.school_id == entry.school_id)
            .order_by(User.last_name, User.first_name, User.id)
        )
    )
