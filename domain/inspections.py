"""Inspections of journal keeping (REP-3): who inspects how often, the windows of the schedule
and the life of a remark. Pure rules without Flask (STYLE: domain/).

002:5.2 «Контроль ведения электронного журнала осуществляется директором не реже 1 раза в
квартал, заместителем директора не реже 1 раза в месяц, методистами не реже 1 раза в неделю».
The windows are calendar ones: the ISO week (Monday to Sunday), the calendar month, the calendar
quarter."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from domain.messages import N_, Refusal

# The inspector's role kind, in the order of the schedule of 002:5.2, and how often each inspects.
KINDS = ("methodist", "deputy", "director")
FREQUENCY = {"methodist": "week", "deputy": "month", "director": "quarter"}
INSPECTION_STATUSES = ("open", "closed")
# A remark: open (to correct) → corrected (by the teacher) → confirmed (by the inspector), or
# returned to open by the inspector when the correction is not enough.
REMARK_STATUSES = ("open", "corrected", "confirmed")
MAX_REMARKS = 8  # rows of the inspection form


def inspector_kinds(roles: Iterable[str]) -> list[str]:
    """The kinds in which a user with these roles records an inspection, highest first."""
    held = set(roles)
    return [kind for kind in reversed(KINDS) if kind in held]


def window(kind: str, today: date) -> tuple[date, date]:
    """The current window of the schedule for an inspector's kind: week, month or quarter."""
    frequency = FREQUENCY[kind]
    if frequency == "week":
        start = today - timedelta(days=today.isoweekday() - 1)
        return start, start + timedelta(days=6)
    if frequency == "month":
        start = today.replace(day=1)
    else:
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    months = 1 if frequency == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return start, date(start.year + year, month + 1, 1) - timedelta(days=1)


def is_overdue(kind: str, last_inspected: date | None, today: date) -> bool:
    """Nobody of this kind inspected the journal in the current window (up to today)."""
    start, _end = window(kind, today)
    return last_inspected is None or last_inspected < start


def check_new_inspection(kind: str, allowed_kinds: Iterable[str], day: date, today: date,
                         correct_by: date | None, remarks: list[tuple[str, str]]) -> None:
    """What an inspection must hold before it is recorded; a `Refusal` says what is wrong."""
    if kind not in allowed_kinds:
        raise Refusal(N_("Эту проверку проводит другой участник контроля."), 403)
    if day > today:
        raise Refusal(N_("Дата проверки не может быть в будущем."))
    if correct_by is not None and correct_by < day:
        raise Refusal(N_("Срок устранения замечаний не может быть раньше даты проверки."))
    if remarks and correct_by is None:
        raise Refusal(N_("Укажите срок устранения замечаний."))


def check_transition(status: str, action: str) -> str:
    """The remark's next status for `action` (correct, confirm, return), or a `Refusal`."""
    allowed = {
        ("open", "correct"): "corrected",
        ("corrected", "confirm"): "confirmed",
        ("corrected", "return"): "open",
    }
    if (status, action) not in allowed:
        raise Refusal(N_("Замечание уже в другом состоянии; обновите страницу."), 409)
    return allowed[(status, action)]


def inspection_status(remark_statuses: Iterable[str]) -> str:
    """An inspection is closed when every remark is confirmed (one without remarks at once)."""
    return "closed" if all(s == "confirmed" for s in remark_statuses) else "open"
