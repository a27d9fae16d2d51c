"""State final attestation (ГИА, JRN-11, 001:2.8.3): the kinds of exams each grade sits, the checks
of a protocol's scores and the rule of the school's settings by which the year mark and the exam
mark give the final mark for the certificate. Pure rules, no Flask.

The usual rule (Порядок выдачи аттестатов, 9 класс): the final mark is the arithmetic mean of
the year mark and the exam mark, rounded by the rules of mathematics (3.5 -> 4)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.messages import N_, Refusal

# ОГЭ and ГВЭ after grade 9, ЕГЭ and ГВЭ after grade 11.
KINDS_BY_GRADE: dict[int, tuple[str, ...]] = {9: ("oge", "gve9"), 11: ("ege", "gve11")}
KIND_LABELS = {"oge": N_("ОГЭ"), "gve9": N_("ГВЭ-9"), "ege": N_("ЕГЭ"), "gve11": N_("ГВЭ-11")}
KIND_ALIASES = {"огэ": "oge", "егэ": "ege", "гвэ": "gve", "гвэ-9": "gve9", "гвэ-11": "gve11",
                "гвэ9": "gve9", "гвэ11": "gve11", "oge": "oge", "ege": "ege", "gve": "gve"}
# ЕГЭ gives a test score and a pass by the subject's minimum, no five-point mark.
SCORED_ONLY = frozenset({"ege"})
MARKS = ("2", "3", "4", "5")
MAX_SCORE = 100

# The mean of two marks is whole or a half: the rules differ in what a half becomes.
FINAL_MARK_RULES = ("average_round_half_up", "average_exam_decides", "exam_only")
FINAL_MARK_RULE_LABELS = {
    "average_round_half_up": N_("Среднее арифметическое годовой и экзаменационной, по правилам математики"),
    "average_exam_decides": N_("Среднее арифметическое годовой и экзаменационной; при половине решает экзаменационная"),
    "exam_only": N_("Экзаменационная отметка"),
}
DEFAULT_FINAL_MARK_RULE = "average_round_half_up"

# The minimum test scores of ЕГЭ (Рособрнадзор), by subject name in lower case; a protocol may
# give its own minimum, which wins.
EGE_MINIMUM = {
    "русский язык": 24, "математика": 27, "математика (профильная)": 27, "физика": 36, "химия": 36,
    "информатика": 40, "информатика и икт": 40, "биология": 36, "история": 32, "география": 40,
    "обществознание": 42, "литература": 40, "английский язык": 22, "немецкий язык": 22,
    "французский язык": 22, "испанский язык": 22, "китайский язык": 17,
}


def kinds_for_grade(grade: int) -> tuple[str, ...]:
    """The exams a class of this grade sits; () for grades without ГИА."""
    return KINDS_BY_GRADE.get(grade, ())


def read_kind(text: str, grade: int) -> str:
    """The kind of exam typed in a form or a protocol ("ОГЭ", "ГВЭ", "oge"…) for a class of this
    grade; a plain ГВЭ is the grade's ГВЭ. Refusal when the grade does not sit that exam."""
    code = KIND_ALIASES.get((text or "").strip().lower().replace(" ", ""), (text or "").strip().lower())
    if code == "gve":
        code = "gve9" if grade == 9 else "gve11" if grade == 11 else ""
    if code not in kinds_for_grade(grade):
        if not kinds_for_grade(grade):
            raise Refusal(N_("Государственную итоговую аттестацию сдают 9 и 11 классы."))
        raise Refusal(N_("В %(grade)s классе сдают: %(kinds)s."), grade=grade,
                      kinds=", ".join(str(KIND_LABELS[k]) for k in kinds_for_grade(grade)))
    return code


def read_score(text: str | int | None, what: str) -> int | None:
    """A primary or test score: a whole number from 0 to 100, or nothing."""
    text = "" if text is None else str(text).strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_SCORE:
        raise Refusal(N_("%(what)s — целое число от 0 до 100."), what=what)
    return int(text)


def read_mark(text: str | None) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    if text not in MARKS:
        raise Refusal(N_("Отметка — число от 2 до 5."))
    return text


def check_result(kind: str, primary: int | None, test: int | None, mark: str | None) -> None:
    """What a protocol line must hold: ЕГЭ a test score and no mark; ОГЭ and ГВЭ a mark."""
    if kind in SCORED_ONLY:
        if test is None:
            raise Refusal(N_("Для ЕГЭ укажите тестовый балл."))
        if mark is not None:
            raise Refusal(N_("По ЕГЭ отметка не ставится: только тестовый балл."))
    elif mark is None:
        raise Refusal(N_("Укажите отметку (от 2 до 5)."))


def ege_minimum(subject_name: str) -> int | None:
    return EGE_MINIMUM.get((subject_name or "").strip().lower().replace("ё", "е"))


def ege_passed(test_score: int | None, minimum: int | None) -> bool | None:
    """ЕГЭ is passed with at least the subject's minimum test score; None when unknown."""
    if test_score is None or minimum is None:
        return None
    return test_score >= minimum


def final_mark(year_mark: str | None, exam_mark: str | None, rule: str = DEFAULT_FINAL_MARK_RULE) -> str | None:
    """The final mark for the certificate from the year mark and the exam mark by the school's
    rule. A subject without an exam mark keeps its year mark; a year mark that is not a number
    (н/а, зач) and a missing year mark give no final mark while an exam needs one."""
    if rule not in FINAL_MARK_RULES:
        rule = DEFAULT_FINAL_MARK_RULE
    if exam_mark is None:
        return year_mark
    if rule == "exam_only":
        return exam_mark
    if year_mark is None or year_mark not in MARKS or exam_mark not in MARKS:
        return None
    mean = (Decimal(year_mark) + Decimal(exam_mark)) / 2
    if rule == "average_exam_decides" and mean != mean.to_integral_value():
        return exam_mark
    return str(int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
