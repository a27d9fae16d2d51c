"""Results of additional-education groups in the teacher's own form (JRN-9): which values a
form accepts, the teacher's list of levels, an achievement's fields. Pure rules, no Flask."""
from __future__ import annotations

from datetime import date

from domain.messages import N_, Refusal

FORMS = ("pass_fail", "level", "text")
PASS_FAIL = ("passed", "failed")
EVENT_LEVELS = ("school", "municipal", "regional", "federal", "international")
MAX_LEVELS, MAX_LEVEL_LENGTH, MAX_TEXT = 10, 60, 1000


class ClubRefusal(Refusal):
    status = 400


def parse_levels(text: str) -> list[str]:
    """The teacher's list of levels, one a line («начальный», «базовый», «продвинутый»)."""
    levels = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line) > MAX_LEVEL_LENGTH:
            raise ClubRefusal(N_("Название уровня длиннее %(n)s знаков."), n=MAX_LEVEL_LENGTH)
        if line not in levels:
            levels.append(line)
    if len(levels) > MAX_LEVELS:
        raise ClubRefusal(N_("Уровней не больше %(n)s."), n=MAX_LEVELS)
    return levels


def check_form(form: str, levels: list[str]) -> None:
    if form not in FORMS:
        raise ClubRefusal(N_("Неизвестная форма результатов."))
    if form == "level" and not levels:
        raise ClubRefusal(N_("Для формы «уровень» перечислите уровни, по одному в строке."))


def clean_value(form: str, levels: list[str], value: str | None) -> str:
    """The result as stored; '' clears it. Refuses what the form does not accept."""
    value = (value or "").strip()
    if not value:
        return ""
    if form == "pass_fail":
        if value not in PASS_FAIL:
            raise ClubRefusal(N_("Результат — «зачтено» или «не зачтено»."))
    elif form == "level":
        if value not in levels:
            raise ClubRefusal(N_("Такого уровня нет в списке группы."))
    elif len(value) > MAX_TEXT:
        raise ClubRefusal(N_("Текст результата длиннее %(n)s знаков."), n=MAX_TEXT)
    return value


def check_achievement(event: str, day: date | None, level: str, result: str, year_start: date, year_end: date) -> None:
    if not event.strip() or len(event) > 300:
        raise ClubRefusal(N_("Укажите мероприятие (не длиннее 300 знаков)."))
    if day is None or not (year_start <= day <= year_end):
        raise ClubRefusal(N_("Дата мероприятия должна быть в пределах учебного года."))
    if level not in EVENT_LEVELS:
        raise ClubRefusal(N_("Неизвестный уровень мероприятия."))
    if not result.strip() or len(result) > 100:
        raise ClubRefusal(N_("Укажите место или результат (не длиннее 100 знаков)."))
