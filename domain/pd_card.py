"""Rules of the student's personal-data card and the consent sheet's signer (PD-1). Pure: no
Flask, no database; unit-tested in tests/test_pd_card.py."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from domain.personal_data import ALL, PROFILE_FIELDS

# A student signs the consent sheet for themselves from 14 (Гражданский кодекс ст. 26;
# 152-ФЗ ст. 9 — the consent of a minor under 14 is given by a legal representative).
SELF_CONSENT_AGE = 14

# The card's sections: the sheet's category groups ("1" … "5") and the columns in each.
CARD_GROUPS: tuple[str, ...] = ("1", "2", "3", "4", "5")
# What the card shows besides the profile: the journal's record (1.1, names and birth date).
CARD_CATEGORIES: frozenset[str] = frozenset(PROFILE_FIELDS.values()) | {"1.1"}
# Text areas on the form (the others are one line).
LONG_FIELDS: frozenset[str] = frozenset(
    {"registration_address", "home_address", "arrival_note", "family_notes", "guardianship", "support",
     "risk_group", "offences", "medical_notes"}
)
EDITABLE_FIELDS: tuple[str, ...] = tuple(f for f in PROFILE_FIELDS if f != "photo_path")


def age_on(birth_date: date, on_date: date) -> int:
    """Full years on a date (a birthday on 29 February counts on 1 March in other years)."""
    years = on_date.year - birth_date.year
    if (on_date.month, on_date.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def may_sign_for_self(birth_date: date | None, on_date: date) -> bool:
    return birth_date is not None and age_on(birth_date, on_date) >= SELF_CONSENT_AGE


def snils_digits(value: str) -> str:
    """«112-233-445 95» → «11223344595»; anything but digits, spaces and dashes leaves "x"."""
    text = (value or "").strip()
    if re.fullmatch(r"[0-9 \-]*", text) is None:
        return "x"
    return re.sub(r"\D", "", text)


def snils_valid(value: str) -> bool:
    """The checksum of the insurance number (СНИЛС): the first nine digits weighted 9 … 1,
    the sum below 100 is the control number, 100 and 101 give 00, above 101 the remainder of
    division by 101 (100 → 00). Numbers up to 001-001-998 have no checksum."""
    digits = snils_digits(value)
    if len(digits) != 11:
        return False
    number, control = digits[:9], int(digits[9:])
    if int(number) <= 1001998:
        return True
    total = sum(int(d) * (9 - i) for i, d in enumerate(number))
    if total < 100:
        expected = total
    elif total in (100, 101):
        expected = 0
    else:
        expected = total % 101
        if expected == 100:
            expected = 0
    return control == expected


def snils_format(value: str) -> str:
    """The normal written form «112-233-445 95»."""
    d = snils_digits(value)
    return f"{d[:3]}-{d[3:6]}-{d[6:9]} {d[9:]}" if len(d) == 11 else value


def sections(shown: Iterable[str]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The card's layout for the categories shown: [(group, [(category, [field, …]), …]), …],
    only the categories the user may see (ALL: every one), in the sheet's order."""
    shown = set(shown)
    everything = ALL in shown
    by_category: dict[str, list[str]] = {}
    for field, category in PROFILE_FIELDS.items():
        if field == "photo_path":
            continue
        if everything or category in shown:
            by_category.setdefault(category, []).append(field)
    result = []
    for group in CARD_GROUPS:
        cats = [(c, fields) for c, fields in by_category.items() if c.split(".")[0] == group]
        if cats:
            result.append((group, cats))
    return result


def visible_categories(shown: Iterable[str]) -> frozenset[str]:
    shown = frozenset(shown)
    return CARD_CATEGORIES if ALL in shown else shown & CARD_CATEGORIES
