"""СНИЛС: the checksum and the written form (Постановление Правления ПФР от 2009 № 192п; the
check digits of numbers above 001-001-998). Pure: no Flask, no database."""
from __future__ import annotations


def digits(value: str) -> str:
    """The digits of a SNILS as typed (spaces and dashes ignored)."""
    return "".join(ch for ch in value if ch.isdigit())


def checksum(nine: str) -> str:
    """The two check digits of the nine-digit number."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(nine))
    if total > 101:
        total %= 101
    return f"{0 if total in (100, 101) else total:02d}"


def is_valid(value: str) -> bool:
    number = digits(value)
    if len(number) != 11:
        return False
    if int(number[:9]) <= 1001998:  # numbers without check digits
        return True
    return checksum(number[:9]) == number[9:]


def formatted(value: str) -> str:
    """«123-456-789 64»."""
    n = digits(value)
    return f"{n[:3]}-{n[3:6]}-{n[6:9]} {n[9:]}" if len(n) == 11 else value
