"""Rules of polls (COM-2), without Flask: the limits of the texts, markup refused, the dates a
poll is open, the answer's shape. A broken rule raises a Refusal with a Russian message; the
caller has stored nothing by then.

Decisions (documented for the school):
- «One answer per family»: the family of a parent is the set of the parent's children in the
  poll's audience. One vote covers ALL of them, and the other parent of ANY of those children
  can no longer vote (a parent of two children in the audience answers once, not per child: the
  poll asks the family's opinion).
- Results are seen by the poll's author and the administration (director, deputy) only; the
  respondents do not see them, not even after closing (a small class would let parents guess
  who answered what in an anonymous poll).
- An anonymous poll says so before voting, as does a named one (the author sees the names)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.messages import N_, Refusal

TITLE_MAX = 200
QUESTION_MAX = 2000
OPTION_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 20
ANSWER_MAX = 2000
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|&#|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str, limit: int, what: str, required: bool = True) -> str:
    """The text stripped; refused when empty (if required), too long, with control characters
    or with HTML markup (a poll's texts are plain)."""
    text = (value or "").strip()
    if required and not text:
        raise Refusal(N_("Заполните поле «%(what)s»."), what=what)
    if len(text) > limit:
        raise Refusal(N_("Поле «%(what)s» длиннее %(limit)s символов."), what=what, limit=limit)
    if _CONTROL.search(text):
        raise Refusal(N_("Поле «%(what)s» содержит недопустимые символы."), what=what)
    if _MARKUP.search(text):
        raise Refusal(N_("Поле «%(what)s» не может содержать HTML-разметку."), what=what)
    return text


def clean_options(lines: list[str]) -> list[str]:
    options = [clean_text(line, OPTION_MAX, "Вариант ответа") for line in lines if line.strip()]
    if not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        raise Refusal(N_("Нужно от %(a)s до %(b)s вариантов ответа."), a=OPTIONS_MIN, b=OPTIONS_MAX)
    if len({o.casefold() for o in options}) != len(options):
        raise Refusal(N_("Варианты ответа повторяются."))
    return options


def check_dates(opens_on: date | None, closes_on: date | None, today: date) -> None:
    if opens_on is None or closes_on is None:
        raise Refusal(N_("Укажите даты начала и окончания опроса."))
    if closes_on < opens_on:
        raise Refusal(N_("Опрос не может закончиться раньше, чем начнётся."))
    if closes_on < today:
        raise Refusal(N_("Дата окончания опроса уже прошла."))


def check_open(opens_on: date, closes_on: date, today: date) -> None:
    """Answers are accepted from `opens_on` to `closes_on` inclusive, nowhere else (409)."""
    if today < opens_on:
        raise Refusal(N_("Опрос ещё не начался: он открыт с %(d)s."), status=409, d=opens_on.strftime("%d.%m.%Y"))
    if today > closes_on:
        raise Refusal(N_("Опрос закончился %(d)s, ответы больше не принимаются."), status=409,
                      d=closes_on.strftime("%d.%m.%Y"))


def is_open(opens_on: date, closes_on: date, today: date) -> bool:
    return opens_on <= today <= closes_on


@dataclass(frozen=True)
class Ballot:
    option_ids: tuple[int, ...]
    text: str


def check_ballot(kind: str, option_ids: list[str], text: str, known_ids: set[int]) -> Ballot:
    """The answer's shape: one known option (single), at least one (multiple), a text (text).
    A forged option id (not of this poll) is refused."""
    if kind == "text":
        return Ballot((), clean_text(text, ANSWER_MAX, "Ответ"))
    try:
        ids = tuple(dict.fromkeys(int(v) for v in option_ids))
    except (TypeError, ValueError):
        raise Refusal(N_("Неизвестный вариант ответа.")) from None
    if not ids:
        raise Refusal(N_("Выберите вариант ответа."))
    if not set(ids) <= known_ids:
        raise Refusal(N_("Неизвестный вариант ответа."))
    if kind == "single" and len(ids) != 1:
        raise Refusal(N_("В этом опросе можно выбрать только один вариант."))
    return Ballot(ids, "")
