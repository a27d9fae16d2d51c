"""The school settings page's rules, with no Flask: which fields each section has, their Russian
labels and help, how a typed value is read and checked, and the deadlines computed from the
settings (REQUIREMENTS, "Conventions of Russian school journals"; PD-2; DIA-4).

A field is named by its place in School.settings: "use_weights", or "rounding_thresholds.5" for a
key inside a dict. Messages are N_-marked; the view translates them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from domain import attendance, exams, personal_files
from domain.cell import notation_problems
from domain.messages import N_, Refusal
from domain.settings import WEEKDAYS
from domain.working_days import Calendar

# 152-ФЗ art. 21 p. 5: data are destroyed within 30 days of the withdrawal of consent; a school
# may promise less (the consent form of 003: 10 working days), never more.
LEGAL_DESTROY_DAYS_MAX = 30
MAX_WEIGHT = Decimal("10")
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Field:
    name: str  # "rounding_thresholds.5"
    kind: str  # decimal, int, bool, time, weekday, notation, monthday
    label: str  # N_-marked
    help: str = ""
    low: Decimal | int | None = None  # decimal: exclusive; int: inclusive
    high: Decimal | int | None = None  # inclusive

    @property
    def key(self) -> str:
        return self.name.partition(".")[0]

    @property
    def subkey(self) -> str | None:
        return self.name.partition(".")[2] or None

    def current(self, settings: dict[str, Any]) -> Any:
        value = settings.get(self.key)
        return value.get(self.subkey) if self.subkey and isinstance(value, dict) else value


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    help: str
    fields: tuple[Field, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.key for f in self.fields))


def _threshold(mark: int) -> Field:
    return Field(f"rounding_thresholds.{mark}", "decimal", N_("Отметка «%(m)s» от среднего балла") % {"m": mark},
                 N_("Средневзвешенный балл, с которого ставится эта отметка (больше %(low)s, не больше %(m)s).")
                 % {"low": mark - 1, "m": mark}, Decimal(mark - 1), Decimal(mark))


PERIOD_LABELS = {
    "quarter": N_("Четверть"),
    "trimester": N_("Триместр"),
    "half_year": N_("Полугодие"),
    "year": N_("Год"),
}
NOTATION_LABELS = {
    **attendance.LABELS,
    "not_assessed": N_("не аттестован(а)"),
    "pass": N_("зачтено"),
    "fail": N_("не зачтено"),
    "exempt": N_("освобождён(а)"),
}
WEEKDAY_LABELS = {
    "mon": N_("понедельник"),
    "tue": N_("вторник"),
    "wed": N_("среда"),
    "thu": N_("четверг"),
    "fri": N_("пятница"),
    "sat": N_("суббота"),
    "sun": N_("воскресенье"),
}

# kind of record, label, help (the ground), the least number of years the law allows
RETENTION_FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("journal", N_("Классные журналы: лет после окончания учебного года"),
     N_("002, п. 5.6 — 3 года; 004, п. 2.7 — 5 лет после окончания обучения: по умолчанию строже, 5 лет."), 3),
    ("summary_sheet", N_("Сводные ведомости: лет после окончания учебного года"), N_("001, п. 2.5.9; 004, п. 2.7."), 5),
    ("personal_file", N_("Личные дела: лет после выбытия"), N_("001, п. 2.6.12."), 3),
    ("attestation_protocol", N_("Протоколы промежуточной аттестации: лет"), N_("001, п. 2.7.1."), 3),
    ("monitoring", N_("Результаты мониторинга: лет"), N_("001, пп. 2.10.1, 2.11.1."), 3),
    ("state_exam_protocol", N_("Протоколы ГИА: лет"), N_("001, п. 2.8.5 — не менее 5 лет."), 5),
    ("certificate_book", N_("Книга выдачи аттестатов: лет"), N_("001, п. 2.9.4 — 50 лет."), 50),
)

SECTIONS: tuple[Section, ...] = (
    Section("grading", N_("Округление отметок за период"),
            N_("Отметка за период предлагается по средневзвешенному баллу. Учитель может поставить другую, указав причину."),
            (
                _threshold(5), _threshold(4), _threshold(3),
                Field("rounding_round_up_from.ten", "decimal", N_("10-балльная шкала: округлять вверх с"),
                      N_("Дробная часть среднего, с которой оно округляется до следующей отметки: 0,5 — 8,50 даёт 9."),
                      Decimal(0), Decimal("0.99")),
                Field("rounding_round_up_from.hundred", "decimal", N_("100-балльная шкала: округлять вверх с"),
                      N_("То же для стобалльной шкалы."), Decimal(0), Decimal("0.99")),
            )),
    Section("marks", N_("Накопляемость отметок и веса"),
            N_("Меньше отметок, чем минимум, — обучающийся под угрозой «н/а» за период."),
            (
                *(Field(f"min_marks_per_period.{code}", "int", N_("Минимум отметок: %(p)s") % {"p": label},
                        N_("От 1 до 20."), 1, 20) for code, label in PERIOD_LABELS.items()),
                Field("use_weights", "bool", N_("Считать средневзвешенный балл по весам видов работ"),
                      N_("Без весов все отметки считаются с весом 1.")),
            )),
    Section("notations", N_("Условные обозначения"),
            N_("Буквы, которыми отмечаются пропуски и зачёты в клетках журнала и в печатных формах. "
               "Обозначение — одно слово без цифр; обозначения не должны повторяться и читаться как отметка."),
            tuple(Field(f"notations.{code}", "notation", label) for code, label in NOTATION_LABELS.items())),
    Section("deadlines", N_("Сроки заполнения журнала"),
            N_("Запись после срока сохраняется и отмечается как запоздавшая (003, п. 2.3–2.5)."),
            (
                Field("homework_deadline_hours", "int", N_("Домашнее задание: часов после последнего урока"),
                      N_("От 1 до 48."), 1, 48),
                Field("current_marks_by", "time", N_("Текущие отметки урока: до (ЧЧ:ММ) дня урока"),
                      N_("Например, 18:00.")),
                Field("marks_deadline_days", "int", N_("Отметки за письменные работы: дней после работы"),
                      N_("От 1 до 30."), 1, 30),
                Field("period_marks_window_days", "int", N_("Отметки за период: открываются за дней до конца периода"),
                      N_("От 1 до 30."), 1, 30),
            )),
    Section("personal_data", N_("Персональные данные"),
            N_("После отзыва согласия обработка прекращается, данные уничтожаются с актом (PD-2)."),
            (
                Field("pd_destroy_working_days", "int", N_("Уничтожить данные после отзыва согласия: рабочих дней"),
                      N_("Срок из листа согласия школы (обычно 10 рабочих дней), по производственному календарю: "
                        "официальные выходные и поправки школы (Персональные данные → Производственный календарь)."), 1, 30),
                Field("pd_destroy_calendar_days_legal", "int", N_("Предельный срок по закону: календарных дней"),
                      N_("152-ФЗ, ст. 21 ч. 5: не более 30 дней."), 1, LEGAL_DESTROY_DAYS_MAX),
            )),
    Section("personal_files", N_("Личные дела"),
            N_("Годовые отметки, пропуски и решение педагогического совета вносятся в личные дела обучающихся "
               "(001, п. 2.6.8)."),
            (
                Field("personal_file_fill_by", "monthday", N_("Итоги года вносятся в личные дела до (ДД.ММ)"),
                      N_("Обычно 25.06. В этот день всё готовое вносится автоматически.")),
            )),
    Section("reports", N_("Еженедельные бумажные отчёты"),
            N_("Когда формируются отчёты для родителей, отказавшихся от электронного дневника (003, п. 2.6–2.7). "
               "Новое время действует с ближайшей минуты, перезапуск не нужен."),
            (
                Field("weekly_reports_day", "weekday", N_("День недели")),
                Field("weekly_reports_time", "time", N_("Время (ЧЧ:ММ, время школы)")),
            )),
    Section("retention", N_("Сроки хранения документов"),
            N_("Сколько лет хранится каждый вид документов (ARC-2). По истечении срока ежемесячная задача "
               "предлагает документы к уничтожению; уничтожаются они только по акту, утверждённому директором. "
               "Срок не может быть короче установленного законом."),
            tuple(Field(f"retention_years.{code}", "int", label, help_, low, 100)
                  for code, label, help_, low in RETENTION_FIELDS)),
    Section("exams", N_("Итоговые отметки для аттестата"),
            N_("Как годовая и экзаменационная (ОГЭ, ГВЭ) отметки дают итоговую отметку в аттестат (001, п. 2.8.3)."),
            (
                Field("final_mark_rule", "final_mark_rule", N_("Правило итоговой отметки"),
                      N_("Обычно — среднее арифметическое годовой и экзаменационной, округлённое по правилам математики.")),
            )),
    Section("messages", N_("Сообщения"),
            N_("Кто с кем может переписываться (COM-1). Родители пишут учителям своих детей и администрации, "
               "обучающиеся — своим учителям."),
            (
                Field("messages_students_to_students", "bool", N_("Обучающиеся могут писать одноклассникам")),
            )),
)
SECTION_BY_CODE = {s.code: s for s in SECTIONS}
FIELD_BY_NAME = {f.name: f for s in SECTIONS for f in s.fields}
WEIGHT_FIELD = "weight."  # + the kind of work's id; the "marks" section edits WorkKind.weight


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise Refusal(N_("Введите число, например 4,65.")) from None
    if not value.is_finite():
        raise Refusal(N_("Введите число, например 4,65."))
    if value != value.quantize(Decimal("0.01")):
        raise Refusal(N_("Не больше двух знаков после запятой."))
    return value


def read_value(field: Field, text: str | None) -> Any:
    """The typed text of a field as the value stored; Refusal with the Russian reason."""
    text = (text or "").strip()
    if field.kind == "bool":
        return text in {"y", "on", "1", "true"}
    if not text:
        raise Refusal(N_("Заполните поле."))
    if field.kind == "decimal":
        value = _decimal(text)
        if not field.low < value <= field.high:
            raise Refusal(N_("Число больше %(low)s и не больше %(high)s."), low=_shown(field.low), high=_shown(field.high))
        return float(value)
    if field.kind == "int":
        if not re.fullmatch(r"\d{1,4}", text):
            raise Refusal(N_("Введите целое число."))
        value = int(text)
        if not field.low <= value <= field.high:
            raise Refusal(N_("Целое число от %(low)s до %(high)s."), low=field.low, high=field.high)
        return value
    if field.kind == "time":
        match = HHMM.match(text)
        if not match:
            raise Refusal(N_("Время в виде ЧЧ:ММ, например 18:00."))
        return f"{int(match[1]):02d}:{match[2]}"
    if field.kind == "weekday":
        if text not in WEEKDAYS:
            raise Refusal(N_("Выберите день недели."))
        return text
    if field.kind == "final_mark_rule":
        if text not in exams.FINAL_MARK_RULES:
            raise Refusal(N_("Выберите правило из списка."))
        return text
    if field.kind == "monthday":
        return personal_files.read_month_day(text)
    if field.kind == "notation":
        if len(text) > 10:
            raise Refusal(N_("Не длиннее 10 знаков."))
        return text
    raise ValueError(field.kind)


def _shown(value: Decimal | int | None) -> str:
    return str(value).replace(".", ",")


def read_weight(text: str | None) -> Decimal:
    """A kind of work's weight in the weighted average: more than 0, at most 10."""
    text = (text or "").strip()
    if not text:
        raise Refusal(N_("Заполните поле."))
    value = _decimal(text)
    if not Decimal(0) < value <= MAX_WEIGHT:
        raise Refusal(N_("Вес больше 0 и не больше %(n)s."), n=_shown(MAX_WEIGHT))
    return value


def read_section(section: Section, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, Refusal]]:
    """(values by field name, refusals by field name; "" for the section as a whole)."""
    values: dict[str, Any] = {}
    errors: dict[str, Refusal] = {}
    for field in section.fields:
        try:
            values[field.name] = read_value(field, form.get(field.name))
        except Refusal as refusal:
            errors[field.name] = refusal
    if errors:
        return values, errors
    if section.code == "notations":
        seen: dict[str, str] = {}
        for field in section.fields:
            lower = values[field.name].lower()
            if lower in seen:
                errors[field.name] = Refusal(N_("Такое обозначение уже задано выше."))
            seen.setdefault(lower, field.name)
        if not errors:
            problems = notation_problems({f.subkey: values[f.name] for f in section.fields})
            if problems:
                errors[""] = problems[0]
    if section.code == "personal_data":
        days = values["pd_destroy_working_days"]
        legal = values["pd_destroy_calendar_days_legal"]
        if longest_span(days) > legal:
            errors["pd_destroy_working_days"] = Refusal(
                N_("%(n)s рабочих дней могут занять до %(span)s календарных — больше предельного срока (%(legal)s дн.)."),
                n=days, span=longest_span(days), legal=legal)
    return values, errors


def apply(stored: dict[str, Any], defaults: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The stored settings with `values` (by field name) set, keeping only what differs from the
    defaults (School.settings stores only the school's deviations)."""
    result = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (stored or {}).items()}
    for name, value in values.items():
        field = FIELD_BY_NAME[name]
        if field.subkey:
            inner = result.setdefault(field.key, {})
            if not isinstance(inner, dict):
                inner = result[field.key] = {}
            if value == defaults[field.key].get(field.subkey):
                inner.pop(field.subkey, None)
            else:
                inner[field.subkey] = value
            if not inner:
                result.pop(field.key)
        elif value == defaults[field.key]:
            result.pop(field.key, None)
        else:
            result[field.key] = value
    return result


def reset(stored: dict[str, Any], section: Section) -> dict[str, Any]:
    return {k: v for k, v in (stored or {}).items() if k not in section.keys}


def flat(settings: dict[str, Any], section: Section) -> dict[str, Any]:
    return {f.name: f.current(settings) for f in section.fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what changed, both ways."""
    changed = [name for name in after if before.get(name) != after.get(name)]
    return {n: before.get(n) for n in changed}, {n: after.get(n) for n in changed}


# Deadlines computed from the settings ---------------------------------------------------------


def add_working_days(start: date, days: int, calendar: Calendar | None = None) -> date:
    """The date `days` working days after `start` by the production calendar (official days
    off of Russia and the school's corrections; domain/working_days.py)."""
    return (calendar or Calendar.russian()).add_working_days(start, days)


def longest_span(working_days: int) -> int:
    """The most calendar days that `working_days` working days can take over ordinary weeks
    (from a Friday). Holidays can stretch it further; pd_destroy_by caps the date at the
    legal calendar days anyway."""
    weeks = Calendar.weekends_only()
    return max((weeks.add_working_days(date(2026, 11, 23) + timedelta(days=d), working_days)
                - (date(2026, 11, 23) + timedelta(days=d))).days for d in range(7))


def pd_destroy_rule(withdrawn_on: date, settings: dict[str, Any], calendar: Calendar | None = None) -> tuple[date, str]:
    """The last day to destroy the data after the consent was withdrawn (PD-2) and which rule
    gave it: "working_days" (the school's term by the production calendar) or "legal" (the
    law's calendar days, 152-ФЗ ст. 21 ч. 5), the earlier of the two — the stricter wins."""
    by_school = add_working_days(withdrawn_on, int(settings["pd_destroy_working_days"]), calendar)
    by_law = withdrawn_on + timedelta(days=int(settings["pd_destroy_calendar_days_legal"]))
    return (by_school, "working_days") if by_school <= by_law else (by_law, "legal")


def pd_destroy_by(withdrawn_on: date, settings: dict[str, Any], calendar: Calendar | None = None) -> date:
    """The last day to destroy the data after the consent was withdrawn (PD-2): the school's
    working days by the production calendar, never later than the legal calendar days."""
    return pd_destroy_rule(withdrawn_on, settings, calendar)[0]
