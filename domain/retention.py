"""How long each kind of record is kept, and when its retention ends (ARC-2). Pure: no Flask.

The periods are the seeds' (the stricter where two differ) and each is a school setting
(`retention_years` in domain/settings.py overrides a kind). A record's retention runs from the
event its kind counts from — the end of the school year for a journal, the student's leaving for
a personal file — and ends on the same day of the month that many years later; the record is
proposed for destruction the day after. A record under a legal hold is never proposed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# kind -> (years, what the period counts from, the ground)
SCHEDULE: dict[str, tuple[int, str, str]] = {
    # 002:5.6 keeps electronic journals 3 years, 004:2.7 five years after the end of study:
    # the stricter (longer) is the default.
    "journal": (5, "year_end", "002:5.6, 004:2.7"),
    "summary_sheet": (5, "year_end", "001:2.5.9, 004:2.7"),
    "personal_file": (3, "leaving", "001:2.6.12"),
    "attestation_protocol": (3, "year_end", "001:2.7.1"),
    "monitoring": (3, "year_end", "001:2.10.1, 2.11.1"),
    "state_exam_protocol": (5, "year_end", "001:2.8.5"),
    "certificate_book": (50, "year_end", "001:2.9.4"),
    # The acts of destruction themselves are never destroyed by the retention job.
    "destruction_act": (0, "never", "152-ФЗ, ст. 21; Приказ Роскомнадзора от 28.10.2022 № 179"),
}
NEVER = "never"


def years_for(kind: str, overrides: Mapping[str, int] | None = None) -> int:
    years, _start, _ground = SCHEDULE[kind]
    if overrides and kind in overrides:
        return int(overrides[kind])
    return years


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_ends(kind: str, counted_from: date, overrides: Mapping[str, int] | None = None) -> date | None:
    """The last day the record must be kept; None for a kind kept for ever."""
    if SCHEDULE[kind][1] == NEVER:
        return None
    return add_years(counted_from, years_for(kind, overrides))


@dataclass(frozen=True)
class Held:
    """A record the archive keeps: its kind, the date its period counts from, a legal hold."""

    key: str
    kind: str
    counted_from: date
    legal_hold: bool = False


def due_for_destruction(
    records: Iterable[Held], today: date, overrides: Mapping[str, int] | None = None
) -> list[Held]:
    """The records whose retention ended before today and that no legal hold keeps, oldest first."""
    due = []
    for record in records:
        if record.legal_hold:
            continue
        ends = retention_ends(record.kind, record.counted_from, overrides)
        if ends is not None and ends < today:
            due.append(record)
    return sorted(due, key=lambda r: (r.counted_from, r.key))
