"""Rules for a password a person chooses (ASVS 2.1.1, 2.1.7): long enough, not a common or
breached password, not made of the person's own login or name. Pure: no Flask, no database."""
from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from domain.messages import N_

MIN_LENGTH = 8
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
_SHORTEST_PERSONAL_PART = 3  # shorter logins or names («Ли») are not looked for inside a password


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Django's list of 19,640 common and breached passwords (data/README.md), lower case."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def _normalised(text: str) -> str:
    return text.strip().lower().replace("ё", "е")


def password_problem(password: str, login: str = "", names: Iterable[str] = ()) -> str | None:
    """The first reason to refuse `password` as a N_-marked message, or None if it is acceptable.

    `login` and `names` (surname, first name, patronymic) are the person's own: a password that
    contains them («ivanov1», «Иванов2026») is the first thing anyone who knows the person tries."""
    if len(password) < MIN_LENGTH:
        return N_("Пароль должен быть не короче 8 символов.")
    lowered = _normalised(password)
    if lowered in common_passwords():
        return N_("Этот пароль слишком распространён и есть в списках утёкших паролей. Выберите другой.")
    if len(set(lowered)) < 3:
        return N_("Пароль из одного-двух повторяющихся символов слишком прост. Выберите другой.")
    # «password1», «qwerty2026!»: a common password with digits or signs added at the ends.
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    if core != lowered and len(core) >= 4 and core in common_passwords():
        return N_("Этот пароль слишком распространён и есть в списках утёкших паролей. Выберите другой.")
    if core.isdigit() or not core:
        return N_("Пароль только из цифр и знаков слишком прост. Добавьте буквы.")
    login = _normalised(login)
    if len(login) >= _SHORTEST_PERSONAL_PART and login in lowered:
        return N_("Пароль не должен содержать ваш логин.")
    for name in names:
        name = _normalised(name or "")
        if len(name) >= _SHORTEST_PERSONAL_PART and name in lowered:
            return N_("Пароль не должен содержать ваши фамилию, имя или отчество.")
    return None
