"""Deadlines of the subjects' requests (PD-7). Pure: no Flask, no database.

- A correction reported by a parent is made within a month (003 Приложение 2, 004:3.5).
- The data held are given to the subject within 10 working days of the request (152-ФЗ
  art. 20 p. 1).
"""
from __future__ import annotations

import calendar
from datetime import date

from domain.settings_rules import add_working_days

EXTRACT_WORKING_DAYS = 10


def add_month(day: date) -> date:
    """The same day of the next month; the month's last day when it has no such day
    (31 January → 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def correction_due(submitted_on: date) -> date:
    """A correction is due one month after it was reported."""
    return add_month(submitted_on)


def extract_due(submitted_on: date) -> date:
    """The extract is due 10 working days after the request (152-ФЗ art. 20 p. 1)."""
    return add_working_days(submitted_on, EXTRACT_WORKING_DAYS)


def days_left(due_on: date, today: date) -> int:
    """Days until the deadline; negative when overdue."""
    return (due_on - today).days
