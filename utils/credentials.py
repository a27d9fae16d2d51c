"""Automatic logins and passwords (003:1.6, 001:2.5.7, 004:2.8)."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable

# Transliteration close to the passport rules (ГОСТ Р 52535.1-2006), lower case.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}
# No look-alike characters (0/O, 1/l/I): slips are typed by hand from paper.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def transliterate(text: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]", "", out)


def make_login(last_name: str, first_name: str, middle_name: str, is_taken: Callable[[str], bool]) -> str:
    """ivanov.ps, then ivanov.ps2, ivanov.ps3… until free."""
    initials = "".join(transliterate(p)[:1] for p in (first_name, middle_name) if p)
    base = transliterate(last_name) or "user"
    base = f"{base}.{initials}" if initials else base
    base = base[:50]
    candidate, n = base, 1
    while is_taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def generate_password(length: int = 10) -> str:
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isupper() for c in password) and any(c.islower() for c in password):
            return password
