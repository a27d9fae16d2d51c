"""Dates and times in the school's timezone (STYLE convention 9)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.base import utcnow


def school_now(tz: str) -> datetime:
    return utcnow().astimezone(ZoneInfo(tz))


def school_today(tz: str) -> date:
    return school_now(tz).date()
