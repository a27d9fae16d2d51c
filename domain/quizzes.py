"""Electronic tests' pure rules (JRN-10): checking one answer, the points-to-mark scale, the
server's deadline, which attempt counts. No Flask, no database."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

KINDS = ("single", "multiple", "number", "text")
COUNTS = ("best", "last")
MAX_TEXT = 2000  # a question's text
MAX_OPTION = 500  # an option's text, an accepted variant
MAX_ANSWER = 500  # a student's answer
MAX_TITLE = 200
MAX_OPTIONS = 12
MAX_POINTS = 100
MAX_MINUTES = 600
MAX_ATTEMPTS = 10

_SPACES = re.compile(r"\s+")


def normalize_text(value: str) -> str:
    """Case, ё/е and spaces do not matter: « Ёлка  зелёная » == «елка зеленая»."""
    return _SPACES.sub(" ", value.strip().lower().replace("ё", "е"))


def parse_number(value: str) -> float | None:
    """A number as a student types it: «3,5», «-2», « 1 000 »; None if it is none."""
    cleaned = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned or len(cleaned) > 40:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Key:
    """What a question accepts (never sent to a student)."""
    kind: str
    points: int
    correct_options: frozenset[int] = frozenset()
    number: float | None = None
    tolerance: float = 0.0
    accepted: tuple[str, ...] = ()


def parse_choice(value: str) -> frozenset[int]:
    ids = set()
    for part in value.split(","):
        part = part.strip()
        if part.isdigit():
            ids.add(int(part))
    return frozenset(ids)


def check(key: Key, value: str) -> bool:
    """Whether the answer is right: all or nothing (a multiple choice is right only when exactly
    the correct options are chosen)."""
    if not value.strip():
        return False
    if key.kind in ("single", "multiple"):
        return parse_choice(value) == key.correct_options
    if key.kind == "number":
        number = parse_number(value)
        return number is not None and key.number is not None and abs(number - key.number) <= key.tolerance + 1e-9
    wanted = normalize_text(value)
    return any(wanted == normalize_text(variant) for variant in key.accepted if variant.strip())


def mark_for(score: float, max_score: float, pct_5: int, pct_4: int, pct_3: int) -> str:
    """The teacher's scale: at least pct_5 per cent of the points → 5, pct_4 → 4, pct_3 → 3, else 2."""
    if max_score <= 0:
        return ""
    percent = 100.0 * score / max_score
    for mark, least in (("5", pct_5), ("4", pct_4), ("3", pct_3)):
        if percent + 1e-9 >= least:
            return mark
    return "2"


def scale_error(pct_5: int, pct_4: int, pct_3: int) -> bool:
    return not (0 < pct_3 < pct_4 < pct_5 <= 100)


def deadline(started_at: datetime, minutes: int | None) -> datetime | None:
    return None if not minutes else started_at + timedelta(minutes=minutes)


def is_late(now: datetime, the_deadline: datetime | None) -> bool:
    return the_deadline is not None and now > the_deadline


def counted(attempts: Sequence, counts: str):
    """The attempt whose mark counts among the finished ones: the best score (the earlier one on a
    tie) or the last finished."""
    finished = [a for a in attempts if a.finished_at is not None and a.score is not None]
    if not finished:
        return None
    if counts == "last":
        return max(finished, key=lambda a: a.number)
    return max(finished, key=lambda a: (a.score, -a.number))


def variants(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def format_points(value) -> str:
    """Points as a Russian page writes them: «4», «2,5» (one decimal at most, a decimal comma)."""
    if value is None:
        return "—"
    text = f"{float(value):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
