"""The verification code of a certified printout (REP-4): short enough to type from paper,
hard to guess, and forgiving of how it is typed.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), printed in
two groups «XXXXX-XXXXX»: 25^10 ≈ 10^14 codes, so guessing one of a school's printouts at the
rate limit of the lookup is hopeless. Whoever types it may use lower case, spaces, any dash, or
the Cyrillic letters that look like the Latin ones (а, с, е, н, к, м, р, т, х, у, з on a
Russian keyboard)."""
from __future__ import annotations

import re
import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"  # see the docstring: look-alikes left out
LENGTH = 10
GROUP = 5
# Cyrillic capitals that look like Latin ones → the Latin letter (typed on a Russian layout).
_CYRILLIC = str.maketrans("АВСЕНКМОРТХУЗ", "ABCEHKMOPTXY3")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")


def new_code() -> str:
    """A fresh code, without the dash (as stored)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """«XXXXX-XXXXX», as printed."""
    return f"{code[:GROUP]}-{code[GROUP:]}" if len(code) == LENGTH else code


def normalise(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    code = _SEPARATORS.sub("", (typed or "").upper()).translate(_CYRILLIC)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
