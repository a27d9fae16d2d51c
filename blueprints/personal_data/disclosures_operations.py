"""The register of disclosures (PD-4, 000:5.5.4): its search, its printed and exported forms,
and the paper transfers entered by hand. Operations flush; the view commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from domain.messages import N_, Refusal
from extensions import db
from models import ClassGroup, Student, User
from models.base import as_utc
from models.pd_register import Disclosure, DisclosureSubject
from models.personal_data import CONSENT_CATEGORIES
from utils import disclosures
from utils.paging import contains

# The register printed or exported at once: more is narrowed by the filters.
MAX_PRINTED_ROWS = 2000


@dataclass
class Filters:
    student: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        return None


def filters_from(args) -> Filters:
    """The register's filters from the query string; what does not parse is ignored."""
    kind = (args.get("kind") or "").strip()
    try:
        user_id = int(args.get("who") or 0) or None
    except ValueError:
        user_id = None
    return Filters(
        student=(args.get("student") or "").strip()[:80],
        kind=kind if kind in disclosures.KINDS else "",
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
        user_id=user_id,
    )


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


def register_query(school_id: int, f: Filters, tz: str) -> Select:
    """The school's register, newest first, with what every row shows loaded."""
    query = (
        select(Disclosure)
        .where(Disclosure.school_id == school_id)
        .options(
            joinedload(Disclosure.user),
            selectinload(Disclosure.subjects).joinedload(DisclosureSubject.student),
        )
        .order_by(Disclosure.at.desc(), Disclosure.id.desc())
        # rows already in the session (written earlier in the request) get their subjects too
        .execution_options(populate_existing=True)
    )
    if f.kind:
        query = query.where(Disclosure.kind == f.kind)
    if f.user_id:
        query = query.where(Disclosure.user_id == f.user_id)
    if f.date_from:
        query = query.where(Disclosure.at >= _day_start(f.date_from, tz))
    if f.date_to:
        query = query.where(Disclosure.at < _day_start(f.date_to + timedelta(days=1), tz))
    if f.student:
        words = f.student.split()
        matching = select(DisclosureSubject.disclosure_id).join(Student, Student.id == DisclosureSubject.student_id)
        for word in words[:3]:
            matching = matching.where(
                contains(Student.last_name, word) | contains(Student.first_name, word) | contains(Student.middle_name, word)
            )
        query = query.where(Disclosure.id.in_(matching))
    return query


def all_rows(school_id: int, f: Filters, tz: str) -> list[Disclosure]:
    rows = list(db.session.scalars(register_query(school_id, f, tz).limit(MAX_PRINTED_ROWS + 1)).unique())
    if len(rows) > MAX_PRINTED_ROWS:
        raise Refusal(N_("В журнале больше %(n)s записей: сузьте отбор (период, вид, работник)."), n=MAX_PRINTED_ROWS)
    return rows


def who_choices(school_id: int) -> list[User]:
    """Those who appear in the register, for the «who» filter."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(select(Disclosure.user_id).where(Disclosure.school_id == school_id)))
            .order_by(User.last_name, User.first_name)
        )
    )


def local_text(moment: datetime, tz: str) -> str:
    return as_utc(moment).astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def category_text(codes) -> str:
    return "; ".join(f"{c} {CONSENT_CATEGORIES.get(c, '')}".strip() for c in codes)


def table(rows: list[Disclosure], tz: str) -> tuple[list[str], list[list[str]]]:
    """The register as a table (the export and the print use the same columns)."""
    from blueprints.personal_data.disclosures_labels import KIND_LABELS

    headers = [_("№"), _("Дата"), _("Кто передал"), _("Вид"), _("Документ"), _("Категории данных"),
               _("О ком"), _("Кому"), _("Цель"), _("Основание")]
    body = []
    for i, d in enumerate(rows, 1):
        body.append([
            str(i),
            local_text(d.at, tz),
            d.user.full_name if d.user else _("система (автоматически)"),
            str(KIND_LABELS.get(d.kind, d.kind)),
            d.document,
            category_text(d.categories or []),
            ", ".join(s.student.full_name for s in d.subjects),
            d.recipient,
            d.purpose,
            d.ground,
        ])
    return headers, body


def subjects_and_categories(rows: list[Disclosure]) -> tuple[set[int], set[str]]:
    students: set[int] = set()
    categories: set[str] = set()
    for d in rows:
        students.update(s.student_id for s in d.subjects)
    if students:
        categories.add("1.1")
    return students, categories


def export_csv(headers: list[str], body: list[list[str]]) -> bytes:
    from blueprints.admin.people.operations import ExportTable
    from blueprints.admin.people.operations import export_csv as people_csv

    return people_csv(ExportTable(headers, body))


def export_xlsx(headers: list[str], body: list[list[str]]) -> bytes:
    from blueprints.admin.people.operations import ExportTable
    from blueprints.admin.people.operations import export_xlsx as people_xlsx

    return people_xlsx(ExportTable(headers, body), _("Журнал передачи ПДн"))


# Paper transfers entered by hand ---------------------------------------------------------------


def class_students(school_id: int, class_id: int | None) -> list[Student]:
    if not class_id:
        return []
    return list(
        db.session.scalars(
            select(Student)
            .where(Student.school_id == school_id, Student.current_class_id == class_id, Student.is_withdrawn.is_(False))
            .order_by(Student.last_name, Student.first_name, Student.id)
        )
    )


def school_classes(school_id: int, year_id: int | None) -> list[ClassGroup]:
    if year_id is None:
        return []
    return list(
        db.session.scalars(
            select(ClassGroup).where(ClassGroup.year_id == year_id).order_by(ClassGroup.grade, ClassGroup.name)
        )
    )


def record_paper(actor: User, *, on: date, document: str, categories: list[str], student_ids: list[int],
                 recipient: str, purpose: str, ground: str, tz: str, today: date) -> Disclosure:
    """A transfer on paper, entered by hand: every field but the ground is required; the
    students must be of the actor's school; the date not in the future."""
    if on > today:
        raise Refusal(N_("Дата передачи не может быть в будущем."))
    if not document.strip() or not recipient.strip() or not purpose.strip():
        raise Refusal(N_("Укажите документ, получателя и цель передачи."))
    unknown = [c for c in categories if c not in CONSENT_CATEGORIES]
    if not categories or unknown:
        raise Refusal(N_("Отметьте категории переданных данных."))
    ids = sorted(set(student_ids))
    if not ids:
        raise Refusal(N_("Отметьте обучающихся, чьи данные переданы."))
    found = set(db.session.scalars(select(Student.id).where(Student.id.in_(ids), Student.school_id == actor.school_id)))
    if found != set(ids):
        raise Refusal(N_("Обучающийся не найден."), 404)
    disclosure = disclosures.record(
        "paper", document=document.strip(), categories=categories, students=ids, recipient=recipient.strip(),
        purpose=purpose.strip(), ground=ground.strip(), user=actor, is_manual=True,
    )
    disclosure.at = datetime.combine(on, time(12), tzinfo=ZoneInfo(tz))
    db.session.flush()
    return disclosure
