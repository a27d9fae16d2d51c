"""Personal data (152-ФЗ): consents, parents' applications, disclosures (PD-*).

A consent is the paper sheet of 003 Приложение 2 («Лист согласия») as ticked and signed by a
legal representative: one ConsentRecord per sheet, one ConsentItem per line of the sheet.
Section I lists categories of data (1.1 … 5.2), section II the actions (6.1 … 6.15); the
personal-data register can extend both lists without changing the tables. A sheet is never
edited after the fact: a new sheet replaces the previous one, a withdrawal is a date on it.

A parent's application (003 Приложение 1) says how the family receives information: electronic
access, or — for those who refused it — a printed report or e-mail at least weekly (003:2.6-2.7).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, as_utc
from models.people import Student, User
from utils.encryption import EncryptedText

# The consent sheet of 003 Приложение 2, in its own words and order.
CONSENT_CATEGORIES: dict[str, object] = {
    "1.1": _l("Данные о возрасте и поле"),
    "1.2": _l("Данные о гражданстве, регистрации и родном языке"),
    "1.3": _l("Информация для связи"),
    "1.4": _l("Данные о прибытии и выбытии в/из ОУ"),
    "2.1": _l("Информация о родителях"),
    "2.2": _l("Информация о лицах, заменяющих родителей"),
    "3.1": _l("Состав семьи"),
    "3.2": _l("Категория семьи для оказания материальной и других видов помощи и сбора отчетности по "
              "социальному статусу контингента обучающихся/воспитанников"),
    "3.3": _l("Сведения о попечительстве, опеке, отношении к группе социально незащищенных "
              "обучающихся/воспитанников"),
    "3.4": _l("Виды помощи обучающимся/воспитанникам, оказываемые образовательным учреждением"),
    "3.5": _l("Отношение к группе риска, поведенческий статус"),
    "3.6": _l("Сведения о правонарушениях"),
    "4.1": _l("Форма получения образования и специализация/профилизация"),
    "4.2": _l("Изучение родных и иностранных языков"),
    "4.3": _l("Сведения об успеваемости"),
    "4.4": _l("Сведения о внеучебной занятости"),
    "4.5": _l("Участие в ЕГЭ"),
    "4.6": _l("Информация об итоговой аттестации выпускников"),
    "5.1": _l("Копии документов, хранящиеся в личном деле учащегося и другие дополнительные сведения"),
    "5.2": _l("Фотография учащегося"),
}
CONSENT_CATEGORY_GROUPS: dict[str, object] = {
    "1": _l("Анкетные данные"),
    "2": _l("Сведения о родителях (лицах, их заменяющих)"),
    "3": _l("Сведения о семье"),
    "4": _l("Данные об образовании"),
    "5": _l("Дополнительные данные"),
}
CONSENT_ACTIONS: dict[str, object] = {
    "6.1": _l("Сбор персональных данных"),
    "6.2": _l("Систематизация персональных данных"),
    "6.3": _l("Накопление персональных данных"),
    "6.4": _l("Хранение персональных данных"),
    "6.5": _l("Уточнение (обновление, изменение) персональных данных"),
    "6.6": _l("Использование персональных данных"),
    "6.7": _l("Распространение внутреннее"),
    "6.8": _l("Распространение внешнее"),
    "6.9": _l("Рассылка сведений об успеваемости и посещаемости законным представителям "
              "обучающихся/воспитанников в электронном виде (электронная почта)"),
    "6.10": _l("Рассылка сведений об успеваемости и посещаемости законным представителям "
               "обучающихся/воспитанников в бумажном виде"),
    "6.11": _l("Размещение в Интернет"),
    "6.12": _l("Ознакомление, обнародование, предоставление доступа к персональным данным иным способом"),
    "6.13": _l("Обезличивание персональных данных"),
    "6.14": _l("Блокирование персональных данных"),
    "6.15": _l("Уничтожение персональных данных"),
}
CONSENT_ITEMS: dict[str, object] = {**CONSENT_CATEGORIES, **CONSENT_ACTIONS}

# Sending marks and attendance by e-mail needs line 6.9 of the sheet («Рассылка сведений об
# успеваемости и посещаемости … в электронном виде (электронная почта)»). Line 6.10 is the
# same distribution on paper and does not cover e-mail.
EMAIL_REPORT_ITEMS: tuple[str, ...] = ("6.9",)

ACCESS_LEVELS = ("electronic", "none")
DELIVERY_FORMS = ("electronic", "print", "email")
# What the applicant asks to receive (Приложение 1 п.3 «в объёме …»; 003:1.5).
APPLICATION_SCOPES = ("marks", "attendance", "homework", "topics", "schedule", "period_results")


class ConsentRecord(TimestampMixin, db.Model):
    """One signed consent sheet for one student (PD-1). In force from `given_on` until
    `valid_until` (the sheet: «на период обучения» — empty), unless withdrawn or replaced."""

    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR given_on <= valid_until", name="dates_ordered"),
        Index("ix_consent_record_student_given", "student_id", "given_on"),
        CheckConstraint(
            "(signer = 'parent' AND given_by_id IS NOT NULL) OR signer = 'student'", name="signer_known"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    # Who signed: a legal representative ("parent", given_by) or the student of 14 or more
    # for themselves ("student", given_by empty: a student's consent needs no account).
    signer: Mapped[str] = mapped_column(String(10), default="parent")
    given_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), default="")  # «№ ___» of the sheet
    given_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    # Withdrawal by a written notice (PD-2): processing stops; destruction follows with an act.
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    # A newer sheet of the same student replaces this one from that moment.
    replaced_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consent_record.id"))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # The third parties named on the sheet for a transfer (line 6.8), one per line.
    third_parties: Mapped[str] = mapped_column(Text, default="")
    # The scanned signed sheet (PDF, JPG or PNG) in the upload folder; "" before it is attached.
    scan_path: Mapped[str] = mapped_column(String(300), default="")
    scan_name: Mapped[str] = mapped_column(String(200), default="")
    scan_mime: Mapped[str] = mapped_column(String(60), default="")

    student: Mapped[Student] = relationship()
    given_by: Mapped[Optional[User]] = relationship(foreign_keys=[given_by_id])
    recorded_by: Mapped[Optional[User]] = relationship(foreign_keys=[recorded_by_id])
    items: Mapped[list[ConsentItem]] = relationship(
        back_populates="consent", cascade="all, delete-orphan", order_by="ConsentItem.id", lazy="selectin"
    )

    @property
    def granted_codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.items if i.granted)

    def grants(self, *codes: str) -> bool:
        return set(codes) <= self.granted_codes

    def is_in_force(self, on_date: date) -> bool:
        if self.given_on > on_date or (self.valid_until is not None and self.valid_until < on_date):
            return False
        for moment in (self.withdrawn_at, self.replaced_at):
            if moment is not None and as_utc(moment).date() <= on_date:
                return False
        return True


class ConsentItem(db.Model):
    """One line of the sheet: a category of data (1.1 … 5.2) or an action (6.1 … 6.15)."""

    __table_args__ = (UniqueConstraint("consent_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent_record.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    granted: Mapped[bool] = mapped_column(Boolean, default=False)

    consent: Mapped[ConsentRecord] = relationship(back_populates="items")

    @property
    def is_action(self) -> bool:
        return self.code.startswith("6.")


class StudentProfile(TimestampMixin, db.Model):
    """A student's personal-data card beyond the journal's record (names, birth date, gender,
    class and book number stay on Student): one column per item of the consent sheet's
    categories (domain/personal_data.PROFILE_FIELDS says which). The most sensitive are
    encrypted at rest (EncryptedText, utils/encryption.py) and, where they are searched, have a
    keyed hash beside them (`*_index`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), unique=True)
    # 1.2 citizenship, registration, native language
    citizenship: Mapped[str] = mapped_column(String(80), default="")
    native_language: Mapped[str] = mapped_column(String(80), default="")
    registration_address: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    # 1.3 contacts
    home_address: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # 1.4 arrival and departure (the previous school, the next one)
    arrival_note: Mapped[str] = mapped_column(Text, default="")
    # 3.1 - 3.6 the family and social status
    family_notes: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    family_category: Mapped[str] = mapped_column(String(200), default="")
    guardianship: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    support: Mapped[str] = mapped_column(Text, default="")
    risk_group: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    offences: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    # 4.1 - 4.2 education
    education_form: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[str] = mapped_column(String(200), default="")
    # 5.1 documents and additional data
    snils: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    snils_index: Mapped[str] = mapped_column(String(64), default="", index=True)
    document_kind: Mapped[str] = mapped_column(String(80), default="")
    document_number: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    document_index: Mapped[str] = mapped_column(String(64), default="", index=True)
    medical_notes: Mapped[Optional[str]] = mapped_column(EncryptedText, default="")
    # 5.2 the photo: a file in the upload folder, shown only under a consent to 5.2
    photo_path: Mapped[str] = mapped_column(String(300), default="")
    photo_mime: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    student: Mapped[Student] = relationship()


class ParentApplication(TimestampMixin, db.Model):
    """A parent's application (заявление, 003 Приложение 1): the access level asked for and,
    for those who refused electronic access, the form of the weekly report (003:2.6-2.7)."""

    __table_args__ = (
        CheckConstraint(f"access_level IN {ACCESS_LEVELS}", name="access_level_known"),
        CheckConstraint(f"delivery IN {DELIVERY_FORMS}", name="delivery_known"),
        # Electronic access means the diary itself; refusing it means paper or e-mail.
        CheckConstraint(
            "(access_level = 'electronic' AND delivery = 'electronic') OR "
            "(access_level = 'none' AND delivery IN ('print', 'email'))",
            name="delivery_matches_access",
        ),
        Index("ix_parent_application_parent_student", "parent_id", "student_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    access_level: Mapped[str] = mapped_column(String(20))
    delivery: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    replaced_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("parent_application.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    parent: Mapped[User] = relationship(foreign_keys=[parent_id])
    student: Mapped[Student] = relationship()
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    def is_in_force(self, on_date: date) -> bool:
        if self.submitted_on > on_date:
            return False
        return self.replaced_at is None or as_utc(self.replaced_at).date() > on_date


__all__ = [
    "ACCESS_LEVELS",
    "APPLICATION_SCOPES",
    "CONSENT_ACTIONS",
    "CONSENT_CATEGORIES",
    "CONSENT_CATEGORY_GROUPS",
    "CONSENT_ITEMS",
    "DELIVERY_FORMS",
    "EMAIL_REPORT_ITEMS",
    "ConsentItem",
    "ConsentRecord",
    "ParentApplication",
    "StudentProfile",
]
