"""Use cases of people administration: roles, block and reset, parents, imports, exports and
credential slips (ADM-3, ADM-4, ADM-7, PD-4). Operations only flush; the view commits once.

A new password exists in clear only in memory between its generation and the PDF answered to
the administrator: it is never stored, logged or written to the audit (003:1.6, 001:2.5.7)."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import queries
from blueprints.admin.imports import pending
from blueprints.admin.imports import reading as importing
from blueprints.admin.imports.reading import COLUMNS, ImportContext, ImportPlan
from blueprints.auth.sessions import end_sessions
from blueprints.main.labels import ROLE_LABELS
from domain.messages import N_, Refusal
from extensions import db
from models import (
    ROLES,
    AdminAlert,
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
from models.base import utcnow
from models.people import UNUSABLE_PASSWORD_PREFIX
from utils import audit, timeutil
from utils.credentials import generate_password
from utils.spreadsheets import TableLimits


class PeopleError(Refusal):
    """A request that cannot be carried out: a N_-marked message for the user; answered with 400."""


class NotYourRights(Refusal):
    """An account change beyond the actor's rights (domain/roles.py): refused with 403, nothing
    stored."""

    status = 403


ROLE_REFUSALS = {
    "self": N_("Нельзя назначить роль самому себе: роли вам назначает директор."),
    "above": N_("Роль выше вашей собственной может назначить или снять только директор."),
    "senior": N_("Роли этого пользователя может изменить только директор: его роль выше вашей."),
    "not_admin": N_("Менять роли могут только администраторы своей школы."),
}


def school_today(school: School) -> date:
    """Today at the school, by the app's clock (utils/timeutil.py); a school without a valid
    timezone falls back to SCHOOL_TIMEZONE."""
    try:
        ZoneInfo(school.timezone or "")
        tz = school.timezone
    except (KeyError, ValueError):
        tz = current_app.config["SCHOOL_TIMEZONE"]
    return timeutil.school_today(tz)


current_year = queries.current_year


# Accounts (ADM-7) ---------------------------------------------------------------------------


def set_roles(user: User, roles: Iterable[str], actor: User) -> None:
    new = set(roles)
    if not new:
        raise PeopleError(N_("У пользователя должна быть хотя бы одна роль."))
    if not new <= set(ROLES):
        raise PeopleError(N_("Неизвестная роль."))
    if user.id == actor.id and not new & policy.ADMIN_ROLES:
        raise PeopleError(N_("Нельзя снять с себя права администратора: попросите другого администратора."))
    before = sorted(user.roles)
    if set(before) == new:
        return
    refusal = policy.role_change_refusal(actor, user, new)
    if refusal is not None:
        raise NotYourRights(ROLE_REFUSALS[refusal])
    user.role_rows = [r for r in user.role_rows if r.role in new] + [
        UserRole(role=r) for r in sorted(new - set(before))
    ]
    end_sessions(user, "roles")  # the user's open sessions end: their rights changed
    audit.record("user", user.id, "roles", before={"roles": before}, after={"roles": sorted(new)})


def block_user(user: User, reason: str, actor: User) -> None:
    if user.id == actor.id:
        raise PeopleError(N_("Нельзя заблокировать собственную учётную запись."))
    if user.is_blocked:
        raise PeopleError(N_("Учётная запись уже заблокирована."))
    user.is_blocked = True
    user.blocked_reason = reason.strip()[:300] or _("Заблокирована администратором")
    end_sessions(user, "block")
    audit.record("user", user.id, "block", reason=reason.strip())


def unblock_user(user: User) -> None:
    if not user.is_blocked:
        raise PeopleError(N_("Учётная запись не заблокирована."))
    user.is_blocked = False
    user.blocked_reason = ""
    audit.record("user", user.id, "unblock")


def _new_password(user: User) -> str:
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    end_sessions(user, "reset")  # every session under the old password ends
    return password


def reset_password(user: User, actor: User, reason: str = "") -> str:
    """A new password for one person, shown once on the slip that the view answers with. The
    owner is told (an alert they see on their main page and profile, also on the
    administrators' alerts page): whoever holds the slip can log in as them."""
    if actor.id == user.id:
        raise NotYourRights(N_("Свой пароль меняйте в профиле."), status=400)
    if not policy.can_reset_password(actor, user):
        raise NotYourRights(
            N_("Пароль директора или заместителя директора (и любого, чья роль выше вашей) сбрасывает только директор.")
        )
    _alert_owner(user, actor)
    password = _new_password(user)
    audit.record("user", user.id, "password_reset", reason=reason.strip())
    audit.record(
        "credentials",
        user.id,
        "disclose",
        after={"document": "slip", "login": user.login},
        reason=_("Выдача нового пароля"),
    )
    return password


def _alert_owner(user: User, actor: User) -> None:
    """A password that replaces one the owner could use is a reset: the owner and the
    administrators are told who did it. A first password (none was issued before) is not."""
    if user.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
        return
    db.session.add(
        AdminAlert(
            school_id=user.school_id,
            kind=AdminAlert.PASSWORD_RESET,
            user_id=user.id,
            message=_(
                "Пароль пользователя %(name)s (логин %(login)s) сброшен администратором %(actor)s; "
                "новый пароль выдан на карточке. Если владелец не просил об этом, заблокируйте запись.",
                name=user.full_name,
                login=user.login,
                actor=actor.full_name,
            ),
        )
    )


def issue_passwords(users: list[User], reason: str, actor: User) -> list[tuple[User, str]]:
    """New passwords for the people of a slips sheet; every disclosure goes to the register (PD-4)
    and every owner whose working password is replaced is told."""
    issued = []
    for user in users:
        _alert_owner(user, actor)
        issued.append((user, _new_password(user)))
        audit.record("credentials", user.id, "disclose", after={"document": "slip", "login": user.login}, reason=reason)
    return issued


def resolve_alert(alert: AdminAlert) -> None:
    if alert.is_resolved:
        raise PeopleError(N_("Уведомление уже отмечено как решённое."))
    alert.is_resolved = True
    audit.record("admin_alert", alert.id, "resolve")


# Parents (ADM-6: parents see only their own children) -------------------------------------


def find_parent(school_id: int, login: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.school_id == school_id, func.lower(User.login) == login.strip().lower())
    )


def link_parent(student: Student, parent: User, relation: str) -> ParentLink:
    if parent.school_id != student.school_id or not parent.has_role("parent"):
        raise PeopleError(N_("Пользователь не является родителем в этой школе."))
    exists = db.session.scalar(
        select(ParentLink).where(ParentLink.parent_id == parent.id, ParentLink.student_id == student.id)
    )
    if exists is not None:
        raise PeopleError(N_("Этот родитель уже связан с обучающимся."))
    link = ParentLink(parent_id=parent.id, student_id=student.id, relation=relation.strip()[:40])
    db.session.add(link)
    db.session.flush()
    audit.record("parent_link", link.id, "create", after={"parent_id": parent.id, "student_id": student.id})
    return link


def unlink_parent(link: ParentLink) -> None:
    audit.record("parent_link", link.id, "delete", before={"parent_id": link.parent_id, "student_id": link.student_id})
    db.session.delete(link)
    db.session.flush()


# Imports (ADM-4) ----------------------------------------------------------------------------


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
load_pending = pending.people_uploads.load
delete_pending = pending.people_uploads.delete


def import_limits() -> TableLimits:
    return TableLimits.from_config(current_app.config)


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


# Credential slips (ADM-3) -------------------------------------------------------------------


def class_people(class_group: ClassGroup, students: bool, parents: bool) -> list[User]:
    """Accounts of a class's students and of their parents, in the order of the class list."""
    pupils = db.session.scalars(
        select(Student)
        .where(Student.current_class_id == class_group.id, Student.is_withdrawn.is_(False))
        .options(selectinload(Student.user), selectinload(Student.parent_links).selectinload(ParentLink.parent))
        .order_by(Student.last_name, Student.first_name, Student.id)
    ).all()
    people: list[User] = []
    for pupil in pupils:
        if students and pupil.user is not None:
            people.append(pupil.user)
        if parents:
            people.extend(link.parent for link in pupil.parent_links)
    seen, unique = set(), []
    for user in people:
        if user.id not in seen:
            seen.add(user.id)
            unique.append(user)
    return unique


def slip_rows(issued: list[tuple[User, str]], school: School, site_url: str) -> list[dict[str, str]]:
    """Plain data for templates/pdf/credentials.html."""
    ids = [user.id for user, _password in issued]
    own = (
        {
            s.user_id: s
            for s in db.session.scalars(
                select(Student).where(Student.user_id.in_(ids)).options(selectinload(Student.current_class))
            )
        }
        if ids
        else {}
    )
    children: dict[int, list[Student]] = {}
    if ids:
        for link in db.session.scalars(
            select(ParentLink)
            .where(ParentLink.parent_id.in_(ids))
            .options(selectinload(ParentLink.student).selectinload(Student.current_class))
        ):
            children.setdefault(link.parent_id, []).append(link.student)
    rows = []
    for user, password in issued:
        if user.id in own and own[user.id].current_class is not None:
            detail = own[user.id].current_class.name
        elif user.id in children:
            detail = ", ".join(
                f"{c.short_name} ({c.current_class.name})" if c.current_class else c.short_name
                for c in sorted(children[user.id], key=lambda c: (c.last_name, c.first_name))
            )
        else:
            detail = ""
        role = next((r for r in ROLES if r in user.roles), "")
        rows.append(
            {
                "school": school.name,
                "full_name": user.full_name,
                "detail": detail,
                "is_parent": user.id in children and user.id not in own,
                "role": str(ROLE_LABELS.get(role, role)),
                "login": user.login,
                "password": password,
                "site": site_url,
            }
        )
    return rows


# Exports (ADM-4, PD-4) ----------------------------------------------------------------------


@dataclass
class ExportTable:
    headers: list[str]
    rows: list[list[str]]


def _titles(kind: str, keys: list[str]) -> list[str]:
    by_key = {c.key: str(c.title) for c in COLUMNS[kind]}
    return [by_key[k] for k in keys]


def export_table(kind: str, school: School) -> ExportTable:
    """The lists in the same columns as the import files; never a password hash."""
    if kind == "students":
        students = db.session.scalars(
            select(Student)
            .where(Student.school_id == school.id, Student.is_withdrawn.is_(False))
            .options(
                selectinload(Student.user),
                selectinload(Student.current_class),
                selectinload(Student.parent_links).selectinload(ParentLink.parent),
            )
            .order_by(Student.last_name, Student.first_name, Student.id)
        ).all()
        keys = ["last_name", "first_name", "middle_name", "birth_date", "gender", "class_name", "book_number", "login"]
        headers = _titles("students", keys) + [_("Родители")]
        rows = [
            [
                s.last_name,
                s.first_name,
                s.middle_name,
                s.birth_date.strftime("%d.%m.%Y") if s.birth_date else "",
                {"m": "м", "f": "ж"}.get(s.gender, ""),
                s.current_class.name if s.current_class else "",
                s.book_number,
                s.user.login if s.user else "",
                ", ".join(link.parent.full_name for link in s.parent_links),
            ]
            for s in students
        ]
        return ExportTable(headers, rows)
    if kind == "classes":
        year = current_year(school.id)
        classes = (
            []
            if year is None
            else db.session.scalars(
                select(ClassGroup)
                .where(ClassGroup.year_id == year.id)
                .options(selectinload(ClassGroup.class_teacher))
                .order_by(ClassGroup.grade, ClassGroup.name)
            ).all()
        )
        counts = {
            class_id: n
            for class_id, n in db.session.execute(
                select(Student.current_class_id, func.count())
                .where(Student.school_id == school.id, Student.is_withdrawn.is_(False))
                .group_by(Student.current_class_id)
            )
        }
        headers = _titles("classes", ["class_name", "grade", "letter", "class_teacher"]) + [
            _("Классный руководитель"),
            _("Обучающихся"),
        ]
        rows = [
            [
                c.name,
                str(c.grade),
                c.letter,
                c.class_teacher.login if c.class_teacher else "",
                c.class_teacher.full_name if c.class_teacher else "",
                str(counts.get(c.id, 0)),
            ]
            for c in classes
        ]
        return ExportTable(headers, rows)
    roles = ("parent",) if kind == "parents" else tuple(sorted(policy.TEACHING_ROLES))
    users = db.session.scalars(
        select(User)
        .where(User.school_id == school.id, User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    keys = ["last_name", "first_name", "middle_name", "email", "phone", "login"]
    headers = _titles(kind, keys)
    if kind == "parents":
        children: dict[int, list[Student]] = {}
        for link in db.session.scalars(
            select(ParentLink)
            .join(User, User.id == ParentLink.parent_id)
            .where(User.school_id == school.id)
            .options(selectinload(ParentLink.student))
        ):
            children.setdefault(link.parent_id, []).append(link.student)
        headers += [_titles("parents", ["children"])[0], _("Дети")]
        rows = [
            [
                u.last_name,
                u.first_name,
                u.middle_name,
                u.email,
                u.phone,
                u.login,
                ", ".join(s.book_number for s in children.get(u.id, [])),
                ", ".join(s.full_name for s in children.get(u.id, [])),
            ]
            for u in users
        ]
    else:
        headers += [_("Роли")]
        rows = [
            [
                u.last_name,
                u.first_name,
                u.middle_name,
                u.email,
                u.phone,
                u.login,
                ", ".join(str(ROLE_LABELS[r]) for r in ROLES if r in u.roles),
            ]
            for u in users
        ]
    return ExportTable(headers, rows)


_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]+$")


def _safe_cell(value: str) -> str:
    """A cell that starts like a formula is opened as text, not run by the spreadsheet (CSV injection)."""
    if value and value[0] in "=+-@\t\r" and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def export_csv(table: ExportTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([[_safe_cell(v) for v in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def export_xlsx(table: ExportTable, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def record_export(kind: str, fmt: str, rows: int, purpose: str) -> None:
    """Every disclosure is registered: who, what, to whom and why (PD-4, 000:5.5.4)."""
    audit.record("export", None, "export", after={"list": kind, "format": fmt, "rows": rows}, reason=purpose.strip())
