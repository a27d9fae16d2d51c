"""Rules of the year's end (REP-5, REP-6; 001:2.6.11, 004:2.4) with no Flask and no database:
the decision the marks suggest, whether a decision may be entered, how many retakes a debt
allows and what state it is in.

A student with a «2» or «н/а» among the year marks has an academic debt; the pedagogical
council promotes them conditionally (переведён условно) naming the subjects, or leaves them to
repeat the year. A debt allows two retakes; the second before a commission whose members are
named. A positive result clears the debt; when every debt is cleared the decision becomes
«переведён». Grades 9 and 11 end a level: their students are «выпущен»."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.messages import N_, Refusal

PROMOTED = "promoted"
CONDITIONAL = "promoted_conditionally"
REPEAT = "repeat"
GRADUATED = "graduated"
INDIVIDUAL_PLAN = "individual_plan"
DECISIONS = (PROMOTED, CONDITIONAL, REPEAT, GRADUATED, INDIVIDUAL_PLAN)
GRADUATING_GRADES = frozenset({9, 11})

# Year marks that leave a debt: a «2» on the five-point scale, «н/а», «незач».
FAILING_MARKS = frozenset({"2", "1", "н/а", "незач"})
# Retake results that clear a debt.
POSITIVE_RESULTS = frozenset({"3", "4", "5", "зач"})
RESULTS = ("5", "4", "3", "2", "зач", "незач", "н/я")  # «н/я»: did not come
MAX_ATTEMPTS = 2
RETAKE_TEXT = N_("%(original)s → %(result)s (пересдача %(day)s)")

OPEN = "open"
CLEARED = "cleared"
FAILED = "failed"  # both attempts used without a positive result


def is_failing(mark: str | None) -> bool:
    return (mark or "").strip() in FAILING_MARKS


def failing_subjects(year_marks: dict[int, str]) -> list[int]:
    """The subjects (ids) whose year mark is a «2» or «н/а»."""
    return [subject for subject, mark in year_marks.items() if is_failing(mark)]


def suggest_decision(grade: int, year_marks: Iterable[str]) -> str | None:
    """The decision the marks suggest, never saved without the user's submit: without a «2» or
    «н/а», «выпущен» in grades 9 and 11 and «переведён» otherwise; with one, «переведён условно»
    (the council may still leave the student to repeat); None when there are no marks yet."""
    marks = [m for m in year_marks if m]
    if not marks:
        return None
    if any(is_failing(m) for m in marks):
        return CONDITIONAL
    return GRADUATED if grade in GRADUATING_GRADES else PROMOTED


def check_decision(decision: str, grade: int, debt_subjects: Iterable[int]) -> None:
    """Raise a Refusal when the decision cannot be entered as given."""
    if decision not in DECISIONS:
        raise Refusal(N_("Неизвестное решение педсовета."))
    if decision == GRADUATED and grade not in GRADUATING_GRADES:
        raise Refusal(N_("«Выпущен» — только для 9 и 11 классов."))
    subjects = list(debt_subjects)
    if decision == CONDITIONAL and not subjects:
        raise Refusal(N_("Для условного перевода укажите предметы академической задолженности."))
    if decision != CONDITIONAL and subjects:
        raise Refusal(N_("Предметы задолженности указываются только при условном переводе."))


def check_protocol(number: str, day: date | None, today: date) -> None:
    if not number.strip():
        raise Refusal(N_("Укажите номер протокола педсовета."))
    if day is None:
        raise Refusal(N_("Укажите дату протокола педсовета."))
    if day > today:
        raise Refusal(N_("Дата протокола не может быть в будущем."))


@dataclass(frozen=True)
class Attempt:
    number: int
    day: date
    result: str


def is_positive(result: str) -> bool:
    return result in POSITIVE_RESULTS


def debt_state(attempts: Iterable[Attempt]) -> str:
    """open, cleared (a positive result) or failed (both attempts used)."""
    done = sorted(attempts, key=lambda a: a.number)
    if any(is_positive(a.result) for a in done):
        return CLEARED
    return FAILED if len(done) >= MAX_ATTEMPTS else OPEN


def next_attempt(attempts: Iterable[Attempt]) -> int | None:
    """The number of the attempt that may be recorded next, None when none may."""
    done = list(attempts)
    if debt_state(done) != OPEN:
        return None
    return len(done) + 1


def check_attempt(attempts: Iterable[Attempt], *, day: date | None, result: str, commission: list[str],
                  today: date) -> int:
    """Check a retake to be recorded; return its number (1 or 2)."""
    done = list(attempts)
    number = next_attempt(done)
    if number is None:
        raise Refusal(N_("Задолженность уже закрыта или обе попытки пересдачи использованы."), status=409)
    if day is None:
        raise Refusal(N_("Укажите дату пересдачи."))
    if day > today:
        raise Refusal(N_("Дата пересдачи не может быть в будущем."))
    if done and day < max(a.day for a in done):
        raise Refusal(N_("Вторая пересдача не может быть раньше первой."))
    if result not in RESULTS:
        raise Refusal(N_("Укажите результат пересдачи."))
    if number == MAX_ATTEMPTS and len([m for m in commission if m.strip()]) < 3:
        raise Refusal(N_("Вторая пересдача проходит перед комиссией: назовите не менее трёх её членов."))
    return number


def retake_text(original: str, result: str, day: date) -> str:
    """«2 → 3 (пересдача 25.08.2026)» as the summary sheet shows a cleared debt."""
    return RETAKE_TEXT % {"original": original, "result": result, "day": day.strftime("%d.%m.%Y")}


def is_overdue(state: str, due: date | None, today: date) -> bool:
    """An open debt whose retake date has passed without a result."""
    return state == OPEN and due is not None and due < today
