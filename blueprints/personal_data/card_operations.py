"""Use cases of the student's personal-data card (PD-1): edit the StudentProfile by the
sheet's categories, the photo (5.2, only under a consent to it), the list of students without a
valid consent. Operations flush; the view commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

import policy
from domain import pd_card
from domain.messages import N_, Refusal
from domain.personal_data import ENCRYPTED_FIELDS, INDEXED_FIELDS, PROFILE_FIELDS
from extensions import db
from models import ClassGroup, Student, User
from models.base import utcnow
from models.personal_data import ConsentRecord, StudentProfile
from utils import audit, consents, uploads
from utils.encryption import blind_index
from utils.uploads import Upload, UploadStore

PHOTO_SUBFOLDER = "student_photos"
PHOTO_KINDS = ("jpg", "jpeg", "png")
PHOTO_ITEM = "5.2"


class CardError(Refusal):
    """A card's edit that cannot be saved (400); nothing was changed."""


class ProcessingStopped(Refusal):
    """The consent was withdrawn: the data are blocked until destruction (409)."""

    status = 409


def profile_of(student: Student) -> StudentProfile | None:
    return db.session.scalar(select(StudentProfile).where(StudentProfile.student_id == student.id))


def _profile_for_edit(student: Student) -> StudentProfile:
    profile = profile_of(student)
    if profile is None:
        profile = StudentProfile(school_id=student.school_id, student_id=student.id)
        db.session.add(profile)
    return profile


def is_blocked(student: Student, today: date) -> bool:
    """Processing stopped by a withdrawal (PD-2): the card is blocked (line 6.14 of the sheet)."""
    return student.id in consents.withdrawn([student.id], today)


def save_profile(student: Student, values: dict[str, str], shown: frozenset[str], by_user: User,
                 today: date) -> list[str]:
    """Write the fields of the categories the user may edit (`shown`); other fields in `values`
    are ignored. SNILS is checked (format and checksum) and stored in its written form; the
    keyed indexes follow the values. The history gets the names of the changed fields only —
    never the values of the encrypted ones. Returns the changed fields."""
    if is_blocked(student, today):
        raise ProcessingStopped(N_("Согласие отозвано: обработка персональных данных обучающегося прекращена, "
                                   "карточка заблокирована до уничтожения данных."))
    allowed = [f for f in pd_card.EDITABLE_FIELDS if PROFILE_FIELDS[f] in shown]
    cleaned: dict[str, str] = {}
    for name in allowed:
        if name not in values:
            continue
        value = (values.get(name) or "").strip()
        if name == "snils" and value:
            if not pd_card.snils_valid(value):
                raise CardError(N_("СНИЛС указан неверно: нужно 11 цифр в виде 123-456-789 01 с верным "
                                   "контрольным числом."))
            value = pd_card.snils_format(value)
        column = StudentProfile.__table__.columns[name]
        limit = getattr(column.type, "length", None)
        if limit and len(value) > limit:
            raise CardError(N_("Поле слишком длинное: не больше %(n)d символов."), n=limit)
        if len(value) > 4000:
            raise CardError(N_("Поле слишком длинное: не больше %(n)d символов."), n=4000)
        cleaned[name] = value
    profile = _profile_for_edit(student)
    changed = [name for name, value in cleaned.items() if (getattr(profile, name) or "") != value]
    for name in changed:
        setattr(profile, name, cleaned[name])
        if name in INDEXED_FIELDS:
            setattr(profile, INDEXED_FIELDS[name], blind_index(cleaned[name]))
    if changed:
        profile.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "student_profile", profile.id, "update",
            # the names of the changed fields only: the history must not become a second,
            # unencrypted copy of the card (PD-6)
            after={"student_id": student.id, "fields": changed,
                   "encrypted": [n for n in changed if n in ENCRYPTED_FIELDS]},
            school_id=student.school_id, user_id=by_user.id,
        )
    return changed


# --- The photo (5.2) ---------------------------------------------------------------------------


def photo_files(upload_folder: str) -> UploadStore:
    return UploadStore(upload_folder, PHOTO_SUBFOLDER)


def check_photo(storage, max_size: int) -> Upload | None:
    return uploads.check_upload(
        storage, max_size, PHOTO_KINDS, N_("Файл «%(name)s» не принят: фотография — только JPG или PNG."),
    )


def photo_allowed(student: Student, today: date) -> bool:
    """The photo is processed only while the consent in force grants line 5.2 of the sheet."""
    return student.id in consents.consenting([student.id], [PHOTO_ITEM], today)


def set_photo(student: Student, upload: Upload | None, files: UploadStore, by_user: User, today: date) -> None:
    if is_blocked(student, today) or not photo_allowed(student, today):
        raise CardError(N_("Нет действующего согласия на обработку фотографии (п. 5.2 листа согласия): "
                           "фотография не загружается."), 403)
    if upload is None:
        raise CardError(N_("Выберите файл фотографии (JPG или PNG)."))
    profile = _profile_for_edit(student)
    if profile.photo_path:
        files.remove_after_commit(profile.photo_path)
    profile.photo_path = files.write(upload)
    profile.photo_mime = upload.content_type
    profile.updated_at = utcnow()
    db.session.flush()
    audit.record("student_profile", profile.id, "photo", after={"student_id": student.id, "fields": ["photo_path"]},
                 school_id=student.school_id, user_id=by_user.id)


# --- Students without a valid consent ---------------------------------------------------------


def _visible_classes(user: User):
    """The classes whose students the user follows: every class of the school for an
    administrator, their own classes for a class teacher."""
    query = select(ClassGroup.id).where(ClassGroup.school_id == user.school_id)
    if not policy.can_administer(user):
        query = query.where(ClassGroup.class_teacher_id == user.id)
    return query


def _in_force_now(today: date):
    """SQL: a consent sheet in force on the date (ConsentRecord.is_in_force, as a condition)."""
    return (
        (ConsentRecord.given_on <= today)
        & or_(ConsentRecord.valid_until.is_(None), ConsentRecord.valid_until >= today)
        & ConsentRecord.withdrawn_at.is_(None)
        & ConsentRecord.replaced_at.is_(None)
    )


def _missing_query(user: User, today: date):
    has_consent = (
        select(ConsentRecord.id)
        .where(ConsentRecord.student_id == Student.id, _in_force_now(today))
        .exists()
    )
    return select(Student).where(
        Student.school_id == user.school_id,
        Student.is_withdrawn.is_(False),
        Student.current_class_id.in_(_visible_classes(user)),
        ~has_consent,
    )


def missing_count(user: User, today: date) -> int:
    """How many of the user's students have no consent in force: one statement (home pages)."""
    return db.session.scalar(select(func.count()).select_from(_missing_query(user, today).subquery())) or 0


@dataclass
class MissingClass:
    class_group: ClassGroup
    students: list[Student] = field(default_factory=list)


def missing_by_class(user: User, today: date) -> list[MissingClass]:
    rows = db.session.scalars(
        _missing_query(user, today)
        .options(joinedload(Student.current_class))
        .order_by(Student.last_name, Student.first_name, Student.id)
    ).all()
    groups: dict[int, MissingClass] = {}
    for student in rows:
        klass = student.current_class
        groups.setdefault(klass.id, MissingClass(klass)).students.append(student)
    return sorted(groups.values(), key=lambda g: (getattr(g.class_group, "grade", 0), g.class_group.name))


def categories_with_data(profile: StudentProfile | None, shown: frozenset[str]) -> list[str]:
    """The categories the extract prints: those shown with something filled in, and 1.1."""
    found = {"1.1"} & shown
    if profile is not None:
        for name, category in PROFILE_FIELDS.items():
            if category in shown and getattr(profile, name, ""):
                found.add(category)
    return sorted(found, key=lambda c: tuple(int(p) for p in c.split(".")))

