"""What a teacher types into a cell of the journal grid, read as attendance plus marks.

Examples with the default notations: "5" one mark; "5/4" or "5 4" two marks (one per kind of
work of the lesson, in order); "н" absent, reason not yet known; "б" absent through illness;
"б5" ill but assessed (allowed, 001:3.5); "оп" late; "незач" a fail on the pass/fail scale;
"" clears the cell.

The reading is unambiguous: the cell is split into tokens at spaces, "/" and ","; the first
token is an attendance notation if it is one as a whole, else marks if it is marks as a whole,
else an attendance notation glued to marks ("б5", "бнезач") — the notation taken only when what
follows it is marks. So «незач» is the mark, never «н» + «езач». `notation_problems` refuses
the school notations for which this reading would not give back what the grid shows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain import attendance
from domain.attendance import ABSENT, ILL
from domain.grading import SCALES, Scale
from domain.messages import N_, Refusal

# attendance codes stored in the database: domain/attendance.py
ATTENDANCE_CODES = attendance.CODES
ABSENCE_CODES = attendance.ABSENCES
# Where a cell's change came from when not typed in the grid (JournalChange.via), as the
# history names it (JRN-10: a mark of a distance assignment or an electronic test).
VIA = {
    "assignment": N_("через задание"),
    "test": N_("через электронный тест"),
}

# What may be typed for a pass/fail mark besides the stored values «зач» and «незач»; the
# school's own notations of pass and fail (settings "pass", "fail") are accepted as well.
MARK_SPELLINGS = {"зачёт": "зач", "зачет": "зач", "незачёт": "незач", "незачет": "незач"}
# "н" is always absence: the key every teacher presses, whatever the school's notation.
ABSENT_SHORTCUT = "н"
MAX_CELL_TEXT = 40
SEPARATORS = re.compile(r"[\s/,]+")


class CellError(Refusal):
    """What the teacher typed is not a valid cell; nothing is stored."""


@dataclass
class CellInput:
    attendance: str | None = None
    marks: list[str] = field(default_factory=list)


def notation_to_code(notations: dict[str, str]) -> dict[str, str]:
    """{"н": "absent", "б": "ill", …} from the school's notations, lower-cased; "н" means absent
    unless the school gave it to another code."""
    codes = {ABSENT_SHORTCUT: ABSENT}
    for code in ATTENDANCE_CODES:
        notation = (notations.get(code) or "").strip().lower()
        if notation:
            codes[notation] = code
    return codes


def mark_spellings(scale_code: str, notations: dict[str, str]) -> dict[str, str]:
    """Every spelling of a mark of the scale, lower-cased → the value stored."""
    spellings = {value: value for value in SCALES[scale_code].values}
    if scale_code == "pass_fail":
        spellings |= MARK_SPELLINGS
        for setting, value in (("pass", "зач"), ("fail", "незач")):
            notation = (notations.get(setting) or "").strip().lower()
            if notation:
                spellings.setdefault(notation, value)
    return spellings


def _marks_of(token: str, scale_code: str, spellings: dict[str, str]) -> list[str] | None:
    """The marks one token stands for, or None when it is not marks of the scale."""
    if token in spellings:
        return [spellings[token]]
    # "54" typed quickly on the five-point scale is two marks (every digit a mark)
    if scale_code == "five" and len(token) > 1 and all(d in spellings for d in token):
        return list(token)
    return None


def _not_a_mark(token: str, scale: Scale) -> CellError:
    if not scale.values:
        return CellError(N_("В этом классе отметки не ставятся — только посещаемость."))
    if scale.numeric:
        return CellError(
            N_("«%(token)s» — не отметка этой шкалы (допустимо от %(low)s до %(high)s)."),
            token=token, low=scale.values[0], high=scale.values[-1],
        )
    return CellError(
        N_("«%(token)s» — не отметка этой шкалы (допустимо: %(values)s)."),
        token=token, values=", ".join(reversed(scale.values)),
    )


def parse_cell(text: str, scale_code: str, notations: dict[str, str], max_marks: int) -> CellInput:
    scale = SCALES[scale_code]
    text = text or ""
    if len(text) > MAX_CELL_TEXT:
        raise CellError(N_("Слишком длинная запись для клетки: не больше %(n)s знаков."), n=MAX_CELL_TEXT)
    result = CellInput()
    if not text.strip():
        return result
    tokens = [t for t in SEPARATORS.split(text.strip().lower()) if t]
    if not tokens:
        raise CellError(N_("«%(text)s» — не отметка и не обозначение посещаемости."), text=text.strip())
    codes = notation_to_code(notations)
    spellings = mark_spellings(scale_code, notations)
    first = tokens[0]
    if first in codes:
        result.attendance = codes[first]
        tokens = tokens[1:]
    elif _marks_of(first, scale_code, spellings) is None:
        # a notation glued to marks ("б5"), longest notation first ("нп5" before "н")
        for notation in sorted(codes, key=len, reverse=True):
            rest = first[len(notation):]
            if first.startswith(notation) and _marks_of(rest, scale_code, spellings) is not None:
                result.attendance = codes[notation]
                tokens[0] = rest
                break
    for token in tokens:
        marks = _marks_of(token, scale_code, spellings)
        if marks is None:
            raise _not_a_mark(token, scale)
        result.marks.extend(marks)
    if len(result.marks) > max_marks:
        raise CellError(
            N_("За этот урок можно поставить не больше %(n)s отм. — по одной на каждый вид работы."), n=max_marks
        )
    if result.marks and result.attendance in ABSENCE_CODES - {ILL}:
        # 001:3.5: an absent student gets no mark unless the absence is for illness.
        raise CellError(N_("Отсутствующему обучающемуся отметка не ставится (кроме отсутствия по болезни)."))
    return result


def render_cell(attendance: str | None, marks: list[str], notations: dict[str, str]) -> str:
    parts = []
    if attendance:
        parts.append(notations.get(attendance, "Н"))
    if marks:
        parts.append("/".join(marks))
    return " ".join(parts)


def notation_problems(notations: dict[str, str]) -> list[Refusal]:
    """Why the school's notations would make a cell ambiguous (empty when they are fine): a
    notation must be one word without digits, differ from the others, and on no scale be read
    as a mark or, glued to a mark, as something else — «Н» glued to «зач» must not spell a mark.
    For a settings page to call before it saves; parse_cell relies on it."""
    problems: list[Refusal] = []
    seen: dict[str, str] = {}
    for code in (*ATTENDANCE_CODES, "pass", "fail"):
        notation = (notations.get(code) or "").strip()
        if not notation:
            if code in ATTENDANCE_CODES:
                problems.append(Refusal(N_("Обозначение не может быть пустым.")))
            continue
        if SEPARATORS.search(notation) or any(ch.isdigit() for ch in notation):
            problems.append(Refusal(
                N_("Обозначение «%(n)s»: одно слово без цифр, пробелов, «/» и «,»."), n=notation))
        lower = notation.lower()
        if lower in seen and code in ATTENDANCE_CODES:
            problems.append(Refusal(N_("Обозначение «%(n)s» задано дважды."), n=notation))
        seen.setdefault(lower, code)
    if problems:
        return problems
    readings = [(None, None), *notation_to_code(notations).items()]
    for scale_code in SCALES:
        spellings = mark_spellings(scale_code, notations)
        for notation, code in readings:
            for token in [None, *spellings]:
                if notation is None and token is None:
                    continue
                typed = [(notation or "") + (token or "")]
                if notation and token:
                    typed.append(f"{notation} {token}")
                expected = (code, [spellings[token]] if token else [])
                # 001:3.5: an absence other than illness with a mark must be refused, not reread
                refused = token is not None and code in ABSENCE_CODES - {ILL}
                for text in typed:
                    try:
                        got = parse_cell(text, scale_code, notations, max_marks=1)
                    except CellError:
                        got = None
                    wrong = got is not None if refused else got is None or (got.attendance, got.marks) != expected
                    if wrong:
                        problems.append(Refusal(
                            N_("Обозначение «%(n)s» неоднозначно: «%(text)s» читалось бы иначе."),
                            n=notation or token, text=text,
                        ))
    return _unique(problems)


def _unique(problems: list[Refusal]) -> list[Refusal]:
    seen, out = set(), []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            out.append(problem)
    return out
