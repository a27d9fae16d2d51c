"""Template helpers of the journal pages."""
from __future__ import annotations

from flask import request

from blueprints.journal import bp
from blueprints.journal.operations import CellState, cell_scale
from domain.cell import mark_spellings, notation_to_code
from domain.grading import SCALES


@bp.app_template_global()
def cell_state(grid, lesson, student) -> CellState:
    return CellState(grid.attendance.get((lesson.id, student.id)), grid.marks.get((lesson.id, student.id), []))


@bp.app_template_global()
def cell_url_base() -> str:
    """The save URL of a cell is this prefix + "<lesson>/cells/<student>": formatted once per
    page instead of url_for per cell (measurable on a grid of 30 × 60; tested against url_for)."""
    return f"{request.script_root}/journal/lessons/"


@bp.app_template_global()
def lesson_days(lessons) -> dict[int, str]:
    return {lesson.id: lesson.date.strftime("%d.%m") for lesson in lessons}


@bp.app_template_filter()
def scale_values(code: str) -> tuple[str, ...]:
    return SCALES[code].values


@bp.app_template_global()
def cell_reading(assignment, notations: dict[str, str]) -> dict:
    """What the palette's script needs to split a cell as parse_cell does: the attendance
    notations and every spelling of a mark, lower-cased."""
    scale_code = cell_scale(assignment)
    return {
        "notations": sorted(notation_to_code(notations)),
        "marks": sorted(mark_spellings(scale_code, notations)),
        "digits": scale_code == "five",
    }
