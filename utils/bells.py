"""The school's bells for a page: every set and the shortened days in one statement, loaded once
and asked for every lesson of the page (domain/bells.py has the rule)."""
from __future__ import annotations

from sqlalchemy import Date, Integer, String, cast, null, select, union_all

from domain.bells import BellBook
from extensions import db
from models import BellSchedule, ShortenedDay


def school_bells(school_id: int) -> BellBook:
    """One UNION ALL: the bell rows (no date) and the shortened days (only a date), so that the
    timetable keeps its statement count."""
    bells = select(
        BellSchedule.shift,
        BellSchedule.grade_from,
        BellSchedule.grade_to,
        BellSchedule.variant,
        BellSchedule.lesson_number,
        BellSchedule.starts,
        BellSchedule.ends,
        cast(null(), Date).label("day"),
    ).where(BellSchedule.school_id == school_id)
    days = select(
        cast(null(), Integer),
        cast(null(), Integer),
        cast(null(), Integer),
        cast(null(), String),
        cast(null(), Integer),
        cast(null(), String),
        cast(null(), String),
        ShortenedDay.date,
    ).where(ShortenedDay.school_id == school_id)
    rows = db.session.execute(union_all(bells, days)).all()
    return BellBook.from_rows(
        [row for row in rows if row.day is None],
        [row.day for row in rows if row.day is not None],
    )
