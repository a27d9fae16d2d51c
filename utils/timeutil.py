"""Dates and times in the school's timezone (STYLE convention 9)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.base import utcnow


def school_now(tz: str) -> datetime:
    return utcnow().astimezone(ZoneInfo(tz))


def school_today(tz: str) -> date:
    return school_now(tz).date()


def current_school_today() -> date:
    """Today at the signed-in user's school (else in SCHOOL_TIMEZONE): the default of a form's
    date field. Never `date.today`, the server's date: from 21:00 UTC it is already tomorrow
    in Moscow."""
    from flask import current_app
    from flask_login import current_user

    school = getattr(current_user, "school", None)
    return school_today(getattr(school, "timezone", None) or current_app.config["SCHOOL_TIMEZONE"])
