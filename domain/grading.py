"""Marking scales and their valid values (003:1.6, 003 Положение 1.3)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    values: tuple[str, ...]  # what a teacher may put in a cell, lowest first
    numeric: bool

    def is_valid(self, value: str) -> bool:
        return value in self.values


SCALES: dict[str, Scale] = {
    "five": Scale("five", "Пятибалльная", ("1", "2", "3", "4", "5"), True),
    "pass_fail": Scale("pass_fail", "Зачёт/незачёт", ("незач", "зач"), False),
    "ten": Scale("ten", "Десятибалльная", tuple(str(v) for v in range(1, 11)), True),
    "hundred": Scale("hundred", "Стобалльная", tuple(str(v) for v in range(0, 101)), True),
    # First grade: no marks at all, attendance only.
    "none": Scale("none", "Без отметок", (), False),
}


def scale(code: str) -> Scale:
    return SCALES[code]
