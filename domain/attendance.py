"""Attendance codes and what each of them means (003:2.3, 001:3.5): the one list the grid, the
daily register, the diary, the weekly report, the printed journal and the settings page read.

A code is what the database stores; what the school writes for it («Н», «Б», «УП», «НП», «ОП»
by default) is the school's own notation (settings "notations"), shown wherever the code is."""
from __future__ import annotations

from domain.messages import N_

ABSENT = "absent"  # Н: reason not known yet
ILL = "ill"  # Б
EXCUSED = "excused"  # УП
UNEXCUSED = "unexcused"  # НП
LATE = "late"  # ОП
# The order of the legends and of the counts; the database's CHECK lists the same tuple.
CODES = (ABSENT, ILL, EXCUSED, UNEXCUSED, LATE)
# Absences proper: a late student was at the lesson.
ABSENCES = frozenset({ABSENT, ILL, EXCUSED, UNEXCUSED})

LABELS = {
    ABSENT: N_("отсутствовал(а), причина не указана"),
    ILL: N_("по болезни"),
    EXCUSED: N_("по уважительной причине"),
    UNEXCUSED: N_("без уважительной причины"),
    LATE: N_("опоздание"),
}


def notation(code: str, notations: dict[str, str]) -> str:
    """What the school writes for the code; the code itself if the school has no notation."""
    return notations.get(code) or code


def notations_of(notations: dict[str, str]) -> dict[str, str]:
    """Code -> what the school writes for it, for every code."""
    return {code: notation(code, notations) for code in CODES}


def legend(notations: dict[str, str]) -> list[tuple[str, str, str]]:
    """(code, the school's notation, its label) for every code, in order; the label is the
    N_-marked text for the caller to translate."""
    return [(code, notation(code, notations), LABELS[code]) for code in CODES]
