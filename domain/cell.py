"""What a teacher types into a cell of the journal grid, read as attendance plus marks.

Examples with the default notations: "5" one mark; "5/4" or "5 4" two marks (one per kind of
work of the lesson, in order); "н" absent, reason not yet known; "б" absent through illness;
"б5" ill but assessed (allowed, 001:3.5); "оп" late; "" clears the cell."""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.grading import SCALES
from domain.messages import N_, Refusal

# attendance codes stored in the database
ABSENT = "absent"  # Н: reason not known yet
ILL = "ill"  # Б
EXCUSED = "excused"  # УП
UNEXCUSED = "unexcused"  # НП
LATE = "late"  # ОП
ATTENDANCE_CODES = (ABSENT, ILL, EXCUSED, UNEXCUSED, LATE)
ABSENCE_CODES = frozenset({ABSENT, ILL, EXCUSED, UNEXCUSED})


class CellError(Refusal):
    """What the teacher typed is not a valid cell; nothing is stored."""


@dataclass
class CellInput:
    attendance: str | None = None
    marks: list[str] = field(default_factory=list)


def notation_to_code(notations: dict[str, str]) -> dict[str, str]:
    """{"н": "absent", "б": "ill", …} from the school's notations, lower-cased."""
    return {notations[code].lower(): code for code in ATTENDANCE_CODES if code in notations} | {
        "н": ABSENT,
    }


def parse_cell(text: str, scale_code: str, notations: dict[str, str], max_marks: int) -> CellInput:
    scale = SCALES[scale_code]
    raw = (text or "").strip().lower().replace(",", " ").replace("/", " ")
    result = CellInput()
    if not raw:
        return result
    codes = notation_to_code(notations)
    # attendance notation at the start, longest first ("нп" before "н")
    for notation in sorted(codes, key=len, reverse=True):
        if raw.startswith(notation):
            result.attendance = codes[notation]
            raw = raw[len(notation):].strip()
            break
    tokens = raw.split()
    # "54" typed quickly on a five- or ten-point scale means two marks when each digit is valid
    if len(tokens) == 1 and scale_code == "five" and len(tokens[0]) > 1 and tokens[0].isdigit():
        tokens = list(tokens[0])
    for token in tokens:
        token = {"зачёт": "зач", "незачёт": "незач"}.get(token, token)
        if not scale.is_valid(token):
            if not scale.values:
                raise CellError(N_("В этом классе отметки не ставятся — только посещаемость."))
            if scale.numeric:
                raise CellError(
                    N_("«%(token)s» — не отметка этой шкалы (допустимо от %(low)s до %(high)s)."),
                    token=token, low=scale.values[0], high=scale.values[-1],
                )
            raise CellError(
                N_("«%(token)s» — не отметка этой шкалы (допустимо: %(values)s)."),
                token=token, values=", ".join(scale.values),
            )
        result.marks.append(token)
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
