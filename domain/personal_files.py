"""Rules of the personal file (личное дело, REP-6, PD-8) with no Flask.

- The year's results are written into the file by a date of the school's settings
  ("personal_file_fill_by", «ММ-ДД», 25 June by default; 001:2.6.8): `fill_date`.
- Missed lessons are split as the file records them: by illness, and without a valid reason
  (an absence whose reason was never given counts as unexcused); other valid reasons apart.
- A year is ready to be filled when every subject has its year mark and the council has decided.
- A filled year is a frozen copy: refilling it needs a reason (`refill_problem`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from domain import attendance
from domain.messages import N_, Refusal

DEFAULT_FILL_BY = "06-25"
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def read_month_day(text: str) -> str:
    """«06-25» (or «25.06») as stored; Refusal with the Russian reason otherwise."""
    text = (text or "").strip()
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})", text)
    if dotted:
        text = f"{int(dotted[2]):02d}-{int(dotted[1]):02d}"
    match = MONTH_DAY.match(text)
    if not match:
        raise Refusal(N_("Дата в виде ДД.ММ, например 25.06."))
    month, day = int(match[1]), int(match[2])
    try:
        date(2024, month, day)  # a leap year: 29.02 is a day of some years
    except ValueError:
        raise Refusal(N_("Такой даты нет в календаре.")) from None
    return f"{month:02d}-{day:02d}"


def fill_date(year_end: date, month_day: str | None) -> date:
    """The day by which the year is written into the personal files: the setting's day in the
    calendar year the school year ends in (never before the year's end)."""
    try:
        stored = read_month_day(month_day or DEFAULT_FILL_BY)
    except Refusal:
        stored = DEFAULT_FILL_BY
    month, day = (int(p) for p in stored.split("-"))
    if month == 2 and day == 29:
        try:
            wanted = date(year_end.year, 2, 29)
        except ValueError:
            wanted = date(year_end.year, 2, 28)
    else:
        wanted = date(year_end.year, month, day)
    return max(wanted, year_end)


def missed_split(counts: Mapping[str, int]) -> dict[str, int]:
    """Attendance codes -> the personal file's columns: total, ill, excused, unexcused (an
    absence without a given reason is unexcused); lateness is not a missed lesson."""
    ill = int(counts.get(attendance.ILL, 0))
    excused = int(counts.get(attendance.EXCUSED, 0))
    unexcused = int(counts.get(attendance.UNEXCUSED, 0)) + int(counts.get(attendance.ABSENT, 0))
    return {"total": ill + excused + unexcused, "ill": ill, "excused": excused, "unexcused": unexcused}


def missing_for_fill(marks: Mapping[str, str], subjects: list[str], decision: str | None) -> list[tuple[str, dict]]:
    """What is still missing before the year can be written into the file: (N_-marked reason,
    its parameters) for each subject without a year mark and for the council's decision."""
    problems: list[tuple[str, dict]] = [(N_("нет годовой отметки: %(s)s"), {"s": s}) for s in subjects if not marks.get(s)]
    if not decision:
        problems.append((N_("нет решения педагогического совета"), {}))
    return problems


def refill_problem(already_filled: bool, reason: str) -> Refusal | None:
    """A filled year is changed only by a refill with a reason (its history keeps the old copy)."""
    if already_filled and not (reason or "").strip():
        return Refusal(N_("Год уже внесён в личное дело: укажите причину повторного заполнения."), 400)
    return None


def changed_fields(old: Mapping, new: Mapping) -> list[str]:
    """The keys of the copy whose values differ (for the history's summary)."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
