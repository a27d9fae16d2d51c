"""What the destruction of a student's personal data after a withdrawal destroys and what it
keeps, with the law's ground (PD-2; 152-ФЗ ст. 21 ч. 5 keeps what a federal law requires).
Pure: no Flask, no database; the act of destruction prints this plan as executed."""
from __future__ import annotations

from collections.abc import Iterable

from domain.messages import N_
from domain.personal_data import PROFILE_FIELDS, RETAINED_BY_LAW

# The student's card (StudentProfile) by column, in the act's words.
FIELD_LABELS: dict[str, str] = {
    "citizenship": N_("Гражданство"),
    "native_language": N_("Родной язык"),
    "registration_address": N_("Адрес регистрации"),
    "home_address": N_("Адрес проживания"),
    "phone": N_("Телефон"),
    "email": N_("Адрес электронной почты"),
    "arrival_note": N_("Сведения о прибытии и выбытии"),
    "family_notes": N_("Состав семьи"),
    "family_category": N_("Категория семьи"),
    "guardianship": N_("Сведения об опеке и попечительстве"),
    "support": N_("Виды оказываемой помощи"),
    "risk_group": N_("Группа риска, поведенческий статус"),
    "offences": N_("Сведения о правонарушениях"),
    "education_form": N_("Форма получения образования"),
    "languages": N_("Изучаемые языки"),
    "snils": N_("СНИЛС"),
    "document_kind": N_("Вид документа, удостоверяющего личность"),
    "document_number": N_("Номер документа, удостоверяющего личность"),
    "medical_notes": N_("Медицинские сведения"),
    "photo_path": N_("Фотография (файл)"),
}

# The journal's own records kept whatever the consent says, with the category of the sheet
# whose ground (RETAINED_BY_LAW) keeps them.
KEPT_RECORDS: tuple[tuple[str, str, str], ...] = (
    ("student", "1.1", N_("Запись об обучающемся: фамилия, имя, отчество, дата рождения, пол, класс, "
                          "номер в алфавитной книге")),
    ("marks", "4.3", N_("Отметки, отметки за периоды и посещаемость в электронном журнале")),
)


def plan(filled: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    """The act's two lists for a card whose `filled` columns hold data:
    destroyed — the columns of categories no law keeps (only those holding data, empty ones
    have nothing to destroy); kept — the retained columns holding data and the journal's own
    records, each with its ground."""
    filled = set(filled)
    destroyed: list[dict[str, str]] = []
    kept: list[dict[str, str]] = []
    for field, category in PROFILE_FIELDS.items():
        if field not in filled:
            continue
        if category in RETAINED_BY_LAW:
            kept.append({"what": FIELD_LABELS[field], "field": field, "category": category,
                         "ground": RETAINED_BY_LAW[category]})
        else:
            destroyed.append({"what": FIELD_LABELS[field], "field": field, "category": category})
    for code, category, what in KEPT_RECORDS:
        kept.append({"what": what, "field": code, "category": category, "ground": RETAINED_BY_LAW[category]})
    return {"destroyed": destroyed, "kept": kept}


def destroyed_fields() -> list[str]:
    """The card's columns that a withdrawal destroys (every category no law keeps)."""
    return [field for field, category in PROFILE_FIELDS.items() if category not in RETAINED_BY_LAW]


# The categories of the sheet a withdrawal destroys: the pages of destruction show and destroy them.
DESTROYED_CATEGORIES: tuple[str, ...] = tuple(sorted(
    {c for c in PROFILE_FIELDS.values() if c not in RETAINED_BY_LAW}, key=lambda c: tuple(map(int, c.split(".")))))

# The event log's codes in the act's words (the code itself follows in brackets).
LOG_ACTIONS: dict[str, str] = {
    "create": N_("создание"),
    "update": N_("изменение"),
    "delete": N_("удаление"),
    "withdraw": N_("отзыв"),
    "destroy": N_("уничтожение"),
    "view": N_("просмотр"),
    "download": N_("скачивание"),
    "export": N_("выгрузка"),
    "print": N_("печать"),
}
LOG_ENTITIES: dict[str, str] = {
    "consent_record": N_("лист согласия"),
    "destruction_task": N_("задача уничтожения"),
    "student_profile": N_("карточка обучающегося"),
    "student": N_("обучающийся"),
}
