"""Template helpers of the journal pages."""
from __future__ import annotations

from blueprints.journal import bp
from blueprints.journal.operations import CellState
from domain.grading import SCALES


@bp.app_template_global()
def cell_state(grid, lesson, student) -> CellState:
    return CellState(grid.attendance.get((lesson.id, student.id)), grid.marks.get((lesson.id, student.id), []))


@bp.app_template_filter()
def scale_values(code: str) -> tuple[str, ...]:
    return SCALES[code].values
