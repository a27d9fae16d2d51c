"""Use cases of people administration: roles, block and reset, parents, exports and credential
slips (the import's are in imports/people_operations.py) (ADM-3, ADM-4, ADM-7, PD-4). Operations only flush; the view commits once.

A new password exists in clear only in memory between its generation and the PDF answered to
the administrator: it is never stored, logged or written to the audit (003:1.6, 001:2.5.7)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import queries
from blueprints.admin.imports.reading import COLUMNS
from blueprints.auth.sessions import end_sessions
from blueprints.main.labels import ROLE_LABELS
from domain.messages import N_, Refusal
from extensions import db
from models import (
    ROLES,
    AdminAlert,
    ClassGroup,
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


def _contact_cells(user: User) -> list[str]:
    """The columns every export of accounts starts with, in the import's order."""
    return [user.last_name, user.first_name, user.middle_name, user.email, user.phone, user.login]


def export_table(kind: str, school: School, only_students: set[int] | None = None) -> ExportTable:
    """The lists in the same columns as the import files; never a password hash. With
    `only_students`, the students' and parents' lists hold those students only (an export to a
    third party: those whose consent grants it, line 6.8)."""
    if kind == "students":
        query = select(Student).where(Student.school_id == school.id, Student.is_withdrawn.is_(False))
        if only_students is not None:
            query = query.where(Student.id.in_(sorted(only_students)))
        students = db.session.scalars(
            query
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
            if only_students is None or link.student_id in only_students:
                children.setdefault(link.parent_id, []).append(link.student)
        if only_students is not None:
            users = [u for u in users if u.id in children]
        headers += [_titles("parents", ["children"])[0], _("Дети")]
        rows = [
            [
                *_contact_cells(u),
                ", ".join(s.book_number for s in children.get(u.id, [])),
                ", ".join(s.full_name for s in children.get(u.id, [])),
            ]
            for u in users
        ]
    else:
        headers += [_("Роли")]
        rows = [[*_contact_cells(u), ", ".join(str(ROLE_LABELS[r]) for r in ROLES if r in u.roles)] for u in users]
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
    """Every disclosure is audited: who, what, to whom and why (PD-4, 000:5.5.4)."""
    audit.record("export", None, "export", after={"list": kind, "format": fmt, "rows": rows}, reason=purpose.strip())


# What each list carries, in the categories of the consent sheet (PD-4): the students' list
# names, birth dates, genders, classes, book numbers (1.1) and the parents (2.1); the parents'
# list the parents' contacts (2.1) and their children's names (1.1). Teachers and classes carry
# no student's data.
EXPORT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "students": ("1.1", "2.1"),
    "parents": ("1.1", "2.1"),
    "teachers": (),
    "classes": (),
}


def export_subjects(kind: str, school: School) -> set[int]:
    """The students whose data a list carries (one subject of the register per student)."""
    if kind == "students":
        return set(db.session.scalars(
            select(Student.id).where(Student.school_id == school.id, Student.is_withdrawn.is_(False))
        ))
    if kind == "parents":
        return set(db.session.scalars(
            select(ParentLink.student_id).join(Student, Student.id == ParentLink.student_id)
            .where(Student.school_id == school.id)
        ))
    return set()


def transferable(student_ids: set[int], today: date) -> set[int]:
    """Of these students, those whose consent in force grants a transfer to third parties (6.8)."""
    from utils.consents import consenting

    return consenting(student_ids, ("6.8",), today)


def register_export(kind: str, fmt: str, title: str, students: set[int], *, recipient: str, purpose: str,
                    ground: str, third_party: bool) -> None:
    """A row of the register of disclosures for the export, one subject per student."""
    from utils import disclosures

    disclosures.record(
        "transfer" if third_party else "export", document=f"{title} ({fmt})", categories=EXPORT_CATEGORIES[kind],
        students=students, recipient=recipient.strip(), purpose=purpose.strip(), ground=ground.strip(),
    )
