"""Server-side paging of long lists (issue 9: 169 journals, ~600 users on one page): two
statements per page, the count and the page's rows, whatever the length of the list."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int  # 1-based, clamped to the pages there are
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | None) -> int:
    """?page= as a positive number; anything else is the first page."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def paginate(query: Select, number: int, size: int) -> Page:
    """The rows of page `number` of an ordered query, and the total."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, -(-total // size)))
    items = list(db.session.scalars(query.limit(size).offset((number - 1) * size)))
    return Page(items, number, size, total)


def contains(column, term: str):
    """`column` contains `term`, case-insensitively also for Cyrillic on SQLite (which folds the
    case of ASCII only): the usual spellings of the word are tried."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    variants = {escaped, escaped.lower(), escaped.capitalize(), escaped.upper()}
    return or_(*(column.ilike(f"%{v}%", escape="\\") for v in variants))
