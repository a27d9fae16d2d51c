"""The subjects' requests (PD-7; 152-ФЗ art. 14, 20, 21): what is held about a child, a
parent's correction request and its decision, the extract of everything held. Operations
flush; the view commits."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from domain import pd_requests as rules
from domain import personal_data as pd
from domain.attendance import ABSENCES
from domain.messages import N_, Refusal
from extensions import db
from models import Student, User
from models.base import utcnow
from models.journal import Attendance, Mark
from models.pd_register import Disclosure, DisclosureSubject
from models.pd_requests import CorrectionRequest, SubjectRequest
from models.people import ParentLink
from models.personal_data import ConsentRecord, ParentApplication, StudentProfile
from utils import audit, disclosures
from utils.encryption import blind_index

# The fields a parent may ask to correct: the journal's record, then the card's.
RECORD_FIELDS: dict[str, Any] = {
    "last_name": _l("Фамилия"),
    "first_name": _l("Имя"),
    "middle_name": _l("Отчество"),
    "birth_date": _l("Дата рождения"),
}
PROFILE_FIELD_LABELS: dict[str, Any] = {
    "citizenship": _l("Гражданство"),
    "native_language": _l("Родной язык"),
    "registration_address": _l("Адрес регистрации"),
    "home_address": _l("Адрес проживания"),
    "phone": _l("Телефон"),
    "email": _l("Электронная почта"),
    "arrival_note": _l("Прибытие и выбытие"),
    "family_notes": _l("Состав семьи"),
    "family_category": _l("Категория семьи"),
    "guardianship": _l("Опека"),
    "support": _l("Меры поддержки"),
    "risk_group": _l("Группа риска"),
    "offences": _l("Правонарушения"),
    "education_form": _l("Форма обучения"),
    "languages": _l("Изучаемые языки"),
    "snils": _l("СНИЛС"),
    "document_kind": _l("Вид документа"),
    "document_number": _l("Номер документа"),
    "medical_notes": _l("Медицинские сведения"),
}
FIELD_LABELS: dict[str, Any] = {**RECORD_FIELDS, **PROFILE_FIELD_LABELS}
STATUS_LABELS = {"pending": _l("на рассмотрении"), "applied": _l("исправлено"), "rejected": _l("отклонено")}
# Everything held about a child: the categories of the extract.
EXTRACT_CATEGORIES = sorted({"1.1", "2.1", "4.3", *pd.PROFILE_FIELDS.values()})


def field_category(name: str) -> str:
    return pd.PROFILE_FIELDS.get(name, "1.1")


@dataclass
class ChildData:
    """Everything held about a child, as the parent's page and the extract show it."""

    student: Student
    profile: StudentProfile | None
    parents: list[ParentLink]
    consents: list[ConsentRecord]
    applications: list[ParentApplication]
    disclosures: list[Disclosure]
    marks: int
    absences: int
    corrections: list[CorrectionRequest] = field(default_factory=list)
    requests: list[SubjectRequest] = field(default_factory=list)


def child_data(student: Student) -> ChildData:
    sid = student.id
    profile = db.session.scalar(select(StudentProfile).where(StudentProfile.student_id == sid))
    parents = list(db.session.scalars(
        select(ParentLink).where(ParentLink.student_id == sid).options(joinedload(ParentLink.parent)).order_by(ParentLink.id)
    ))
    consents = list(db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.student_id == sid).order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
    ))
    applications = list(db.session.scalars(
        select(ParentApplication).where(ParentApplication.student_id == sid)
        .options(joinedload(ParentApplication.parent)).order_by(ParentApplication.submitted_on.desc(), ParentApplication.id.desc())
    ))
    found = list(db.session.scalars(
        select(Disclosure).join(DisclosureSubject, DisclosureSubject.disclosure_id == Disclosure.id)
        .where(DisclosureSubject.student_id == sid).options(joinedload(Disclosure.user))
        .order_by(Disclosure.at.desc(), Disclosure.id.desc())
    ).unique())
    marks = db.session.scalar(select(func.count()).select_from(Mark).where(Mark.student_id == sid)) or 0
    absences = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.student_id == sid, Attendance.code.in_(ABSENCES))
    ) or 0
    corrections = list(db.session.scalars(
        select(CorrectionRequest).where(CorrectionRequest.student_id == sid).order_by(CorrectionRequest.id.desc())
    ))
    requests = list(db.session.scalars(
        select(SubjectRequest).where(SubjectRequest.student_id == sid).order_by(SubjectRequest.id.desc())
    ))
    return ChildData(student, profile, parents, consents, applications, found, marks, absences, corrections, requests)


def current_value(student: Student, profile: StudentProfile | None, name: str) -> str:
    if name in RECORD_FIELDS:
        value = getattr(student, name)
        return value.strftime("%d.%m.%Y") if isinstance(value, date) else (value or "")
    return (getattr(profile, name) or "") if profile is not None else ""


def request_correction(parent: User, student: Student, *, field_name: str, value: str, comment: str,
                       today: date) -> CorrectionRequest:
    """A parent reports a change (004:3.5): due within a month."""
    if field_name not in FIELD_LABELS:
        raise Refusal(N_("Выберите поле, которое нужно исправить."))
    value = value.strip()
    if not value or len(value) > 500:
        raise Refusal(N_("Укажите правильное значение (не длиннее 500 знаков)."))
    if field_name == "birth_date":
        _parse_date(value)
    correction = CorrectionRequest(
        school_id=student.school_id, student_id=student.id, requested_by_id=parent.id, field=field_name,
        value=value, comment=comment.strip()[:2000], submitted_at=utcnow(), due_on=rules.correction_due(today),
    )
    db.session.add(correction)
    db.session.flush()
    return correction


def _parse_date(value: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise Refusal(N_("Дата рождения: укажите дату в виде ДД.ММ.ГГГГ."))


def apply_correction(correction: CorrectionRequest, actor: User) -> None:
    """Write the corrected value to the record or the card, keep the old one, audit it."""
    if correction.status != "pending":
        raise Refusal(N_("Запрос уже рассмотрен."), 409)
    student = correction.student
    name = correction.field
    if name in RECORD_FIELDS:
        previous = current_value(student, None, name)
        setattr(student, name, _parse_date(correction.value) if name == "birth_date" else correction.value[:80])
    else:
        profile = db.session.scalar(select(StudentProfile).where(StudentProfile.student_id == student.id))
        if profile is None:
            profile = StudentProfile(school_id=student.school_id, student_id=student.id)
            db.session.add(profile)
        previous = getattr(profile, name) or ""
        setattr(profile, name, correction.value)
        if name in pd.INDEXED_FIELDS:
            setattr(profile, pd.INDEXED_FIELDS[name], blind_index(correction.value))
        profile.updated_at = utcnow()
    correction.previous_value = previous
    correction.status = "applied"
    correction.decided_at = utcnow()
    correction.decided_by_id = actor.id
    # history without the values themselves (they may be secret): the request keeps both
    audit.record("student", student.id, "pd_correction", after={"field": name, "correction_id": correction.id})
    db.session.flush()


def reject_correction(correction: CorrectionRequest, actor: User, reason: str) -> None:
    if correction.status != "pending":
        raise Refusal(N_("Запрос уже рассмотрен."), 409)
    if not reason.strip():
        raise Refusal(N_("Укажите причину отказа."))
    correction.status = "rejected"
    correction.reason = reason.strip()[:2000]
    correction.decided_at = utcnow()
    correction.decided_by_id = actor.id
    db.session.flush()


def corrections_for(user: User, *, administrator: bool) -> list[CorrectionRequest]:
    """The requests the user handles: all of the school for administrators, else the class
    teacher's own classes; pending first, by deadline."""
    from models import ClassGroup

    query = (
        select(CorrectionRequest)
        .join(Student, Student.id == CorrectionRequest.student_id)
        .where(CorrectionRequest.school_id == user.school_id)
        .options(joinedload(CorrectionRequest.student).joinedload(Student.current_class),
                 joinedload(CorrectionRequest.requested_by), joinedload(CorrectionRequest.decided_by))
        .order_by((CorrectionRequest.status != "pending"), CorrectionRequest.due_on, CorrectionRequest.id)
    )
    if not administrator:
        query = query.where(Student.current_class_id.in_(select(ClassGroup.id).where(ClassGroup.class_teacher_id == user.id)))
    return list(db.session.scalars(query).unique())


# The extract -----------------------------------------------------------------------------------


def ask_extract(parent: User, student: Student, today: date) -> SubjectRequest:
    """The request is kept with its legal due date and answered at once: the extract is
    recorded as a disclosure to the parent."""
    request = SubjectRequest(
        school_id=student.school_id, student_id=student.id, requested_by_id=parent.id, kind="extract",
        submitted_at=utcnow(), due_on=rules.extract_due(today),
    )
    db.session.add(request)
    db.session.flush()
    disclosure = disclosures.record(
        "extract", document=_("Выписка о персональных данных обучающегося (запрос № %(n)s)", n=request.id),
        categories=EXTRACT_CATEGORIES, students=[student.id], recipient=parent.full_name,
        purpose=_("Ответ на запрос субъекта персональных данных"), ground=_("152-ФЗ ст. 14, ст. 20 ч. 1"),
        user=parent,
    )
    request.disclosure_id = disclosure.id
    request.answered_at = utcnow()
    db.session.flush()
    return request


def extract_dict(data: ChildData) -> dict[str, Any]:
    """Everything held about the child, in plain data (the JSON download and the PDF)."""
    s, p = data.student, data.profile
    return {
        "student": {
            "last_name": s.last_name, "first_name": s.first_name, "middle_name": s.middle_name,
            "birth_date": s.birth_date.isoformat() if s.birth_date else None, "gender": s.gender,
            "class": s.current_class.name if s.current_class else None, "book_number": s.book_number,
        },
        "card": {name: (getattr(p, name) or "") if p is not None else "" for name in PROFILE_FIELD_LABELS},
        "parents": [{"name": link.parent.full_name, "relation": link.relation, "email": link.parent.email,
                     "phone": link.parent.phone} for link in data.parents],
        "consents": [{"number": c.number, "given_on": c.given_on.isoformat(),
                      "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                      "withdrawn": c.withdrawn_at is not None, "third_parties": c.third_parties} for c in data.consents],
        "applications": [{"parent": a.parent.full_name, "submitted_on": a.submitted_on.isoformat(),
                          "access_level": a.access_level, "delivery": a.delivery, "scope": list(a.scope or [])}
                         for a in data.applications],
        "disclosures": [{"at": d.at.isoformat(), "kind": d.kind, "document": d.document,
                         "categories": list(d.categories or []), "recipient": d.recipient, "purpose": d.purpose,
                         "ground": d.ground} for d in data.disclosures],
        "counts": {"marks": data.marks, "absences": data.absences},
    }


def extract_json(data: ChildData) -> bytes:
    return json.dumps(extract_dict(data), ensure_ascii=False, indent=2).encode("utf-8")
