"""Template helpers of the journal pages."""
from __future__ import annotations

from flask import request

from blueprints.journal import bp
from domain.cell import mark_spellings, notation_to_code
from domain.grading import SCALES, is_low_mark


@bp.app_template_global()
def mark_scale(assignment) -> str:
    """The scale the journal's marks are on ("none" in first grade)."""
    return assignment.marks_scale


@bp.app_template_test("low_mark")
def low_mark(value, scale_code) -> bool:
    """`{% if v is low_mark(scale) %}`: the one rule of domain.grading.is_low_mark."""
    return is_low_mark(value, scale_code)


@bp.app_template_global()
def scale_samples(scale_code: str) -> dict[str, str]:
    """Examples of the legend in the journal's own scale: a low mark, two marks in a cell."""
    values = SCALES[scale_code].values  # lowest first
    if len(values) < 2:
        return {"low": "", "pair": ""}
    low = [v for v in values if is_low_mark(v, scale_code)]
    return {"low": low[-1] if low else "", "pair": f"{values[-1]}/{values[-2]}"}


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
    scale_code = assignment.marks_scale
    return {
        "notations": sorted(notation_to_code(notations)),
        "marks": sorted(mark_spellings(scale_code, notations)),
        "digits": scale_code == "five",
    }
