"""What each piece of a student's personal data is, in the words of the consent sheet (003
Приложение 2), and what the law keeps when the rest is destroyed. Pure: no Flask, no database.

Every page and export of personal data names the categories it shows (`*_CATEGORIES` below and
the blueprints); utils/pd_access.py checks them against the director's order, the suspensions
and (for what is shown to others) the consent in force.
"""
from __future__ import annotations

from collections.abc import Iterable

ALL = "*"

# StudentProfile's columns by the category of the sheet they belong to.
PROFILE_FIELDS: dict[str, str] = {
    "citizenship": "1.2",
    "native_language": "1.2",
    "registration_address": "1.2",
    "home_address": "1.3",
    "phone": "1.3",
    "email": "1.3",
    "arrival_note": "1.4",
    "family_notes": "3.1",
    "family_category": "3.2",
    "guardianship": "3.3",
    "support": "3.4",
    "risk_group": "3.5",
    "offences": "3.6",
    "education_form": "4.1",
    "languages": "4.2",
    "snils": "5.1",
    "document_kind": "5.1",
    "document_number": "5.1",
    "medical_notes": "5.1",
    "photo_path": "5.2",
}
# Encrypted at rest (models/personal_data.StudentProfile: EncryptedText).
ENCRYPTED_FIELDS: tuple[str, ...] = (
    "registration_address",
    "home_address",
    "family_notes",
    "guardianship",
    "risk_group",
    "offences",
    "snils",
    "document_number",
    "medical_notes",
)
# Searchable by a keyed hash of the value: field -> its index column.
INDEXED_FIELDS: dict[str, str] = {"snils": "snils_index", "document_number": "document_index"}

# The journal's own record of a student (Student: names, birth date, gender, class, book
# number) is 1.1 (age and gender) and 4.3 (progress: marks, attendance); parents are 2.1.
STUDENT_RECORD_CATEGORIES = frozenset({"1.1"})
PARENTS_CATEGORIES = frozenset({"2.1"})
MARKS_CATEGORIES = frozenset({"4.3"})

# What a withdrawal cannot destroy because another law requires keeping it, with that law's
# ground for the act of destruction (PD-2; 152-ФЗ art. 21 p. 5 allows keeping what a federal
# law requires). The journal is a document of strict retention (ARC-2).
RETAINED_BY_LAW: dict[str, str] = {
    "1.1": "273-ФЗ «Об образовании в РФ», ст. 28 ч. 3 п. 11 (индивидуальный учёт обучающихся); "
    "алфавитная книга и личное дело (001:2.6.2, 2.6.12 — 3 года после окончания школы)",
    "1.4": "алфавитная книга записи обучающихся: прибытие и выбытие (001:2.6.2-2.6.4, 2.6.10)",
    "4.3": "273-ФЗ «Об образовании в РФ», ст. 28 ч. 3 п. 11 (учёт результатов освоения программ); "
    "электронный журнал хранится 3 года (002:5.6), 5 лет после окончания обучения (004:2.7)",
    "4.6": "книги выдачи аттестатов хранятся 50 лет (001:2.9.4)",
}


def profile_fields_of(categories: Iterable[str]) -> list[str]:
    """The profile's columns that belong to the given categories ("*": all), in card order."""
    wanted = set(categories)
    if ALL in wanted:
        return list(PROFILE_FIELDS)
    return [field for field, category in PROFILE_FIELDS.items() if category in wanted]


def covers(granted: Iterable[str], needed: Iterable[str]) -> bool:
    """True when the granted categories ("*" for all) include every needed one."""
    granted = set(granted)
    return ALL in granted or set(needed) <= granted


def permitted(granted: Iterable[str], wanted: Iterable[str]) -> frozenset[str]:
    """The wanted categories that the granted ones allow."""
    granted = set(granted)
    wanted = frozenset(wanted)
    return wanted if ALL in granted else wanted & granted
