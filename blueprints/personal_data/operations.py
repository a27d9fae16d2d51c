"""Use cases of the personal-data area: record and withdraw a consent sheet (003 Приложение 2),
record a parent's application (Приложение 1), and decide how a parent receives the weekly
report (DIA-4, PD-1). Operations flush; the view (or the job) commits."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.personal_data import destruction_operations
from blueprints.personal_data.forms import SCOPE_LABELS
from domain import pd_card
from domain.messages import N_, Refusal
from domain.settings import school_settings
from domain.settings_rules import pd_destroy_by
from extensions import db
from models import ParentLink, School, Student, User
from models.base import utcnow
from models.personal_data import (
    ACCESS_LEVELS,
    APPLICATION_SCOPES,
    CONSENT_ITEMS,
    DELIVERY_FORMS,
    EMAIL_REPORT_ITEMS,
    ConsentItem,
    ConsentRecord,
    ParentApplication,
)
from utils import audit, uploads
from utils.uploads import Upload, UploadStore

# What report_delivery answers.
ELECTRONIC, PRINT, EMAIL, PRINT_NO_CONSENT = "electronic", "print", "email", "print_no_consent"


class FamilyRecordError(Refusal):
    """A consent or an application that cannot be recorded (400); the message is for the user."""


class ReplacementNotConfirmed(FamilyRecordError):
    """The new document grants less than the one in force; it replaces it only when the user
    confirms that explicitly (the page then shows the confirmation box)."""


# --- The rule: how a parent receives the weekly report ------------------------------------------


def delivery_from(application: ParentApplication | None, consent: ConsentRecord | None, on_date: date) -> str:
    """The form of the weekly report for one parent and child, from the application and the
    consent in force on `on_date`.

    No application, or one asking for electronic access: the diary itself, nothing to send.
    Electronic access refused (003:2.7): a printed report, or e-mail if the application asks
    for it (Приложение 1 п.3) AND the consent in force grants line 6.9 of the sheet; without
    that consent the report is printed instead (PD-1: «e-mail reports are not sent without
    consent to them»)."""
    if application is None or not application.is_in_force(on_date) or application.delivery == ELECTRONIC:
        return ELECTRONIC
    if application.delivery == PRINT:
        return PRINT
    if (
        consent is not None
        and consent.is_in_force(on_date)
        and consent.grants(*EMAIL_REPORT_ITEMS)
        and application.email
    ):
        return EMAIL
    return PRINT_NO_CONSENT


# The pages show who signed a consent sheet: loaded with it (without the signer's roles).
_WITH_SIGNER = joinedload(ConsentRecord.given_by).lazyload(User.role_rows)


def current_consent(student_id: int, on_date: date) -> ConsentRecord | None:
    """The student's consent sheet in force on the date: not withdrawn, not replaced."""
    rows = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.student_id == student_id, ConsentRecord.given_on <= on_date)
        .options(_WITH_SIGNER)
        .order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
    )
    return next((c for c in rows if c.is_in_force(on_date)), None)


def current_application(parent_id: int, student_id: int, on_date: date) -> ParentApplication | None:
    rows = db.session.scalars(
        select(ParentApplication)
        .where(
            ParentApplication.parent_id == parent_id,
            ParentApplication.student_id == student_id,
            ParentApplication.submitted_on <= on_date,
        )
        .order_by(ParentApplication.submitted_on.desc(), ParentApplication.id.desc())
    )
    return next((a for a in rows if a.is_in_force(on_date)), None)


def report_delivery(parent: User, student: Student, on_date: date) -> str:
    """'electronic' | 'print' | 'email' | 'print_no_consent' for this parent and child."""
    return delivery_from(
        current_application(parent.id, student.id, on_date), current_consent(student.id, on_date), on_date
    )


@dataclass(frozen=True)
class Recipient:
    """A parent who receives a student's weekly report outside the diary."""

    parent_id: int
    parent_name: str
    delivery: str  # print, email, print_no_consent
    email: str = ""


def delivery_plan(student_ids: list[int], on_date: date) -> dict[int, list[Recipient]]:
    """Every student's parents who get a printed or e-mailed report, by the same rule as
    report_delivery, in three statements for any number of students (the weekly job)."""
    if not student_ids:
        return {}
    links = db.session.execute(
        select(ParentLink.student_id, User)
        .join(User, User.id == ParentLink.parent_id)
        .where(ParentLink.student_id.in_(student_ids))
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    applications: dict[tuple[int, int], ParentApplication] = {}
    for app_row in db.session.scalars(
        select(ParentApplication)
        .where(ParentApplication.student_id.in_(student_ids), ParentApplication.submitted_on <= on_date)
        .order_by(ParentApplication.submitted_on, ParentApplication.id)
    ):
        if app_row.is_in_force(on_date):
            applications[(app_row.parent_id, app_row.student_id)] = app_row  # the latest wins
    consents: dict[int, ConsentRecord] = {}
    for consent in db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.student_id.in_(student_ids), ConsentRecord.given_on <= on_date)
        .order_by(ConsentRecord.given_on, ConsentRecord.id)
    ):
        if consent.is_in_force(on_date):
            consents[consent.student_id] = consent
    plan: dict[int, list[Recipient]] = defaultdict(list)
    for student_id, parent in links:
        if not parent.is_active_account:
            continue
        application = applications.get((parent.id, student_id))
        delivery = delivery_from(application, consents.get(student_id), on_date)
        if delivery != ELECTRONIC:
            email = application.email if application is not None else ""
            plan[student_id].append(Recipient(parent.id, parent.full_name, delivery, email))
    return dict(plan)


# --- Recording the paper forms -------------------------------------------------------------------


def linked_parents(student: Student) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ParentLink, ParentLink.parent_id == User.id)
            .where(ParentLink.student_id == student.id)
            .order_by(User.last_name, User.first_name)
        )
    )


def _check_parent(student: Student, parent_id: int) -> User:
    parent = next((p for p in linked_parents(student) if p.id == parent_id), None)
    if parent is None:
        raise FamilyRecordError(N_("Выберите родителя (законного представителя) этого обучающегося."))
    return parent


def consents_of(student: Student) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.student_id == student.id)
            .options(_WITH_SIGNER)
            .order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
        )
    )


def applications_of(student: Student) -> list[ParentApplication]:
    return list(
        db.session.scalars(
            select(ParentApplication)
            .where(ParentApplication.student_id == student.id)
            # the parent's name is shown with each application (without their roles)
            .options(joinedload(ParentApplication.parent).lazyload(User.role_rows))
            .order_by(ParentApplication.submitted_on.desc(), ParentApplication.id.desc())
        )
    )


def record_consent(
    student: Student,
    given_by_id: int,
    granted: set[str],
    given_on: date,
    valid_until: date | None,
    number: str,
    recorded_by: User,
    today: date,
    confirm_replace: bool = False,
    *,
    signer: str = "parent",
    third_parties: str = "",
    scan: Upload | None = None,
    files: UploadStore | None = None,
) -> ConsentRecord:
    """Record a signed sheet as ticked on paper. Every line of the sheet is stored, ticked or
    not, so the register shows what was offered and refused. The new sheet replaces the one
    in force (PD-1), which stays in the history; a sheet with no ticked line is not a consent
    and is refused, and a sheet granting less than the one in force replaces it only with
    `confirm_replace` (a misclick must not erase a valid consent).

    The sheet is signed by a linked parent, or (`signer="student"`) by the student of 14 or
    more on the sheet's date for themselves; a transfer to third parties (line 6.8) names
    them; the scanned signed sheet may come with it (`scan`, written through `files`)."""
    parent = None
    if signer == "student":
        if student.birth_date is None:
            raise FamilyRecordError(
                N_("Дата рождения обучающегося не указана: лист согласия за себя подписывает только обучающийся "
                   "с 14 лет. Укажите дату рождения или выберите родителя.")
            )
        if not pd_card.may_sign_for_self(student.birth_date, given_on):
            raise FamilyRecordError(
                N_("На дату подписания обучающемуся нет 14 лет: лист согласия подписывает родитель "
                   "(законный представитель).")
            )
    elif signer == "parent":
        parent = _check_parent(student, given_by_id)
    else:
        raise FamilyRecordError(N_("Укажите, кто подписал лист согласия."))
    third_parties = "\n".join(line.strip() for line in (third_parties or "").splitlines() if line.strip())
    if "6.8" in granted and not third_parties:
        raise FamilyRecordError(
            N_("Отмечен п. 6.8 «Распространение внешнее»: укажите третьих лиц, которым разрешена передача.")
        )
    unknown = set(granted) - set(CONSENT_ITEMS)
    if unknown:
        raise FamilyRecordError(N_("Неизвестные пункты листа согласия: %(codes)s"), codes=", ".join(sorted(unknown)))
    if not granted:
        raise FamilyRecordError(
            N_("Не отмечен ни один пункт листа согласия: пустой лист не записывается. Отметьте пункты так, "
               "как они отмечены на бумаге; отказ от согласия оформляется отзывом.")
        )
    in_force = current_consent(student.id, today)
    if in_force is not None and not confirm_replace:
        lost = in_force.granted_codes - set(granted)
        if lost:
            raise ReplacementNotConfirmed(
                N_("Новый лист не содержит %(count)d пункт(ов) действующего листа согласия (%(codes)s). "
                   "Отметьте «Подтверждаю замену действующего листа согласия», если родитель действительно "
                   "подписал такой лист."),
                count=len(lost), codes=", ".join(sorted(lost, key=_code_key)),
            )
    if given_on > today:
        raise FamilyRecordError(N_("Дата согласия не может быть в будущем."))
    if valid_until is not None and valid_until < given_on:
        raise FamilyRecordError(N_("Срок действия согласия заканчивается раньше даты его подписания."))
    now = utcnow()
    consent = ConsentRecord(
        school_id=student.school_id,
        student_id=student.id,
        signer=signer,
        given_by_id=parent.id if parent is not None else None,
        number=number.strip(),
        third_parties=third_parties if "6.8" in granted else "",
        given_on=given_on,
        valid_until=valid_until,
        recorded_by_id=recorded_by.id,
        items=[ConsentItem(code=code, granted=code in granted) for code in CONSENT_ITEMS],
    )
    db.session.add(consent)
    db.session.flush()
    if scan is not None:
        _store_scan(consent, scan, files)
    for previous in consents_of(student):
        if previous.id != consent.id and previous.withdrawn_at is None and previous.replaced_at is None:
            previous.replaced_at = now
            previous.replaced_by_id = consent.id
    audit.record(
        "consent_record",
        consent.id,
        "create",
        after={
            "student_id": student.id,
            "signer": signer,
            "given_by_id": parent.id if parent is not None else None,
            "given_on": given_on.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "granted": sorted(granted, key=_code_key),
            "third_parties": consent.third_parties,
            "scan": bool(consent.scan_path),
        },
        school_id=student.school_id,
        user_id=recorded_by.id,
    )
    return consent


# The scanned signed sheets, in the upload folder (PD-1).
SCAN_SUBFOLDER = "consent_scans"
SCAN_KINDS = ("pdf", "jpg", "jpeg", "png")


def scan_files(upload_folder: str) -> UploadStore:
    return UploadStore(upload_folder, SCAN_SUBFOLDER)


def check_scan(storage, max_size: int) -> Upload | None:
    """None when no file was chosen; UploadRefused (400) for anything but a PDF, JPG or PNG by
    its first bytes, an empty file or one above the limit (413)."""
    return uploads.check_upload(
        storage, max_size, SCAN_KINDS,
        N_("Файл «%(name)s» не принят: скан листа согласия — только PDF, JPG или PNG."),
    )


def _store_scan(consent: ConsentRecord, scan: Upload, files: UploadStore | None) -> None:
    if files is None:
        raise ValueError("a scan needs its file store")
    if consent.scan_path:
        files.remove_after_commit(consent.scan_path)
    consent.scan_path = files.write(scan)
    consent.scan_name = scan.original_name
    consent.scan_mime = scan.content_type


def attach_scan(consent: ConsentRecord, scan: Upload | None, files: UploadStore, by_user: User) -> None:
    """Attach (or replace) the scanned signed sheet of a recorded consent."""
    if scan is None:
        raise FamilyRecordError(N_("Выберите файл скана листа согласия (PDF, JPG или PNG)."))
    replaced = bool(consent.scan_path)
    _store_scan(consent, scan, files)
    audit.record(
        "consent_record", consent.id, "scan",
        after={"student_id": consent.student_id, "scan_name": consent.scan_name, "replaced": replaced},
        school_id=consent.school_id, user_id=by_user.id,
    )


def withdraw_consent(consent: ConsentRecord, by_user: User, reason: str, at: datetime | None = None):
    """A written withdrawal (PD-2): processing under this sheet stops from now, and the
    destruction task due within the term of the sheet opens in the same transaction
    (destruction_operations.open_task). Returns the task."""
    if consent.withdrawn_at is not None:
        raise FamilyRecordError(N_("Это согласие уже отозвано."))
    if consent.replaced_at is not None:
        raise FamilyRecordError(N_("Это согласие заменено более новым; отзывать нужно действующее."))
    if not reason.strip():
        raise FamilyRecordError(N_("Укажите основание отзыва (например, дату и номер письменного заявления)."))
    consent.withdrawn_at = at or utcnow()
    consent.withdrawn_by_id = by_user.id
    consent.withdrawal_reason = reason.strip()
    audit.record(
        "consent_record",
        consent.id,
        "withdraw",
        after={"student_id": consent.student_id},
        reason=reason.strip(),
        school_id=consent.school_id,
        user_id=by_user.id,
    )
    return destruction_operations.open_task(consent)


def destroy_by(school: School, records: list[ConsentRecord]) -> dict[int, date]:
    """The last day to destroy the data of each withdrawn sheet (PD-2), by the school's setting
    (the consent form's working days, never beyond the legal calendar days)."""
    settings = school_settings(school.settings, current_app.config)
    zone = ZoneInfo(school.timezone or current_app.config["SCHOOL_TIMEZONE"])
    calendar = destruction_operations.school_calendar(school.id)
    return {
        r.id: pd_destroy_by(r.withdrawn_at.astimezone(zone).date(), settings, calendar)
        for r in records
        if r.withdrawn_at is not None
    }


def record_application(
    student: Student,
    parent_id: int,
    submitted_on: date,
    access_level: str,
    delivery: str,
    email: str,
    scope: list[str],
    created_by: User,
    today: date,
    confirm_replace: bool = False,
) -> ParentApplication:
    """Record a parent's application as handed in; it replaces that parent's previous one for
    this child (003:2.6), which stays in the history. An application with no scope ticked is
    refused; one narrowing the scope of the application in force replaces it only with
    `confirm_replace`."""
    parent = _check_parent(student, parent_id)
    if access_level not in ACCESS_LEVELS or delivery not in DELIVERY_FORMS:
        raise FamilyRecordError(N_("Выберите уровень доступа и форму получения сведений."))
    if access_level == "electronic" and delivery != "electronic":
        raise FamilyRecordError(
            N_("При электронном доступе сведения получают в электронном дневнике; бумажный отчёт или "
               "письмо выбирают только при отказе от электронного доступа (п. 3 заявления).")
        )
    if access_level == "none" and delivery == "electronic":
        raise FamilyRecordError(N_("При отказе от электронного доступа выберите: на бумаге или по электронной почте."))
    email = email.strip()
    if delivery == "email" and not email:
        raise FamilyRecordError(N_("Укажите адрес электронной почты из заявления."))
    unknown = set(scope) - set(APPLICATION_SCOPES)
    if unknown:
        raise FamilyRecordError(N_("Неизвестный объём сведений."))
    if not scope:
        raise FamilyRecordError(
            N_("Отметьте, какие сведения предоставлять (п. 3 заявления): пустое заявление не записывается.")
        )
    if submitted_on > today:
        raise FamilyRecordError(N_("Дата заявления не может быть в будущем."))
    in_force = current_application(parent.id, student.id, today)
    if in_force is not None and not confirm_replace:
        lost = [SCOPE_LABELS.get(code, code) for code in in_force.scope if code not in scope]
        if lost:
            raise ReplacementNotConfirmed(
                N_("Новое заявление сужает объём сведений действующего (убрано: %(items)s). Отметьте "
                   "«Подтверждаю замену действующего заявления», если родитель действительно подал такое заявление."),
                items=", ".join(str(name) for name in lost),
            )
    application = ParentApplication(
        school_id=student.school_id,
        parent_id=parent.id,
        student_id=student.id,
        submitted_on=submitted_on,
        access_level=access_level,
        delivery=delivery,
        email=email,
        scope=[s for s in APPLICATION_SCOPES if s in scope],
        created_by_id=created_by.id,
    )
    db.session.add(application)
    db.session.flush()
    now = utcnow()
    for previous in db.session.scalars(
        select(ParentApplication).where(
            ParentApplication.parent_id == parent.id,
            ParentApplication.student_id == student.id,
            ParentApplication.id != application.id,
            ParentApplication.replaced_at.is_(None),
        )
    ):
        previous.replaced_at = now
        previous.replaced_by_id = application.id
    audit.record(
        "parent_application",
        application.id,
        "create",
        after={
            "student_id": student.id,
            "parent_id": parent.id,
            "access_level": access_level,
            "delivery": delivery,
            "email": email,
            "scope": application.scope,
        },
        school_id=student.school_id,
        user_id=created_by.id,
    )
    return application


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("."))
