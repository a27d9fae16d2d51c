"""The HTML of the grid's cells, built in Python. The grid renders about 1,500 cells per page
(25 students × 60 kinds-of-work slots); a Jinja macro call per cell was a third of the page's
time (bench/README.md, issue 16). One source for the grid page (a student's row at once) and for
the save's answer (one cell): templates call `grid_row_cells` and `grid_cell`."""
from __future__ import annotations

from flask_babel import gettext
from markupsafe import Markup, escape

from blueprints.journal import bp
from blueprints.journal.operations import CellState


def _cell(lesson_id: int, student_id: int, label: str, day: str, state: CellState, notations: dict[str, str],
          can_edit: bool, url_base: str, message: str | None = None, correct_title: str | None = None) -> str:
    """One `<td>`: an input that saves itself with htmx (the teacher's own lesson), a link to
    the history for a correction with a reason (a closed period), or the text alone.
    `label` is the escaped student's name; `correct_title` the link's title when correcting."""
    text = escape(state.text(notations))
    error = f' cell-error" data-message="{escape(message)}' if message else ""
    head = f'<td id="c-{lesson_id}-{student_id}" class="cell{escape(state.css)}{error}">'
    url = f"{url_base}{lesson_id}/cells/{student_id}"
    if can_edit:
        body = (
            f'<input class="cell-input" type="text" name="value" value="{text}" data-saved="{text}" autocomplete="off"'
            f' autocapitalize="off" spellcheck="false" enterkeyhint="next" maxlength="12"'
            f' aria-label="{label}, {day}" hx-put="{url}" hx-trigger="change" hx-target="closest td"'
            f' hx-swap="outerHTML" hx-sync="this:queue last" hx-vals=\'{{"base": "{state.token}"}}\'>'
        )
    elif correct_title is not None:
        body = f'<a class="cell-text cell-correct" href="{url}/history" title="{correct_title}">{text or "·"}</a>'
    else:
        body = f'<span class="cell-text">{text}</span>'
    return f"{head}{body}</td>"


def _correct_title(correct: bool) -> str | None:
    return escape(gettext("Исправить с причиной (закрытый период)")) if correct else None


@bp.app_template_global()
def grid_row_cells(grid, student, days: dict[int, str], notations: dict[str, str], can_edit: bool, url_base: str,
                   correct: bool = False) -> Markup:
    """A student's cells of every lesson of the grid, in order."""
    label, student_id, scale = escape(student.short_name), student.id, grid.assignment.marks_scale
    marks, attendance, title = grid.marks, grid.attendance, _correct_title(correct)
    return Markup("".join(
        _cell(lesson.id, student_id, label, days[lesson.id],
              CellState(attendance.get((lesson.id, student_id)), marks.get((lesson.id, student_id), []), scale),
              notations, can_edit, url_base, correct_title=title)
        for lesson in grid.lessons
    ))


@bp.app_template_global()
def grid_cell(lesson, student, state: CellState, notations: dict[str, str], can_edit: bool, url_base: str,
              message: str | None = None) -> Markup:
    """One cell, as the save answers it (the grid's row builds the same)."""
    return Markup(_cell(lesson.id, student.id, escape(student.short_name), lesson.date.strftime("%d.%m"), state,
                        notations, can_edit, url_base, message))
