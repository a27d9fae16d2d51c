"""The printed page of a journal (ADM-6, REP-4): the grid of one period as an A4 landscape PDF
with the school's name, the lessons' topics and homework, the legend of notations and a place
for signatures and the seal. The template receives plain data only (STYLE, the PDF trap)."""
from __future__ import annotations

from flask import make_response, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import policy
from blueprints.journal import bp, loaders, queries
from blueprints.journal import period_marks_operations as pm_ops
from blueprints.journal.operations import CellState
from blueprints.journal.template_helpers import scale_samples
from domain.grading import format_average
from domain.homework import homework_text
from extensions import db
from models import Homework
from utils import audit
from utils.printouts import Signer, certified_pdf, director_signer
from utils.timeutil import school_today

LESSONS_PER_TABLE = 25  # a 60-lesson quarter prints as three tables of at most 25 columns
PAGE_WIDTH_CM = 27.7  # A4 landscape minus 1 cm margins
NAME_CM, NUM_CM, EXTRA_CM = 4.4, 0.6, 1.1


def _homework_text(homework: list[Homework]) -> str:
    """The lesson's homework as the diary says it (domain/homework.py), one after another."""
    return "; ".join(text for text in (homework_text(hw, _) for hw in homework) if text)


def journal_page(grid: queries.Grid, today, user=None) -> dict:
    """Plain data of the printed page: chunks of lesson columns, rows of cell texts. `user`:
    who prints (the archive's build prints outside a request; default the current user)."""
    assignment = grid.assignment
    notations = grid.settings["notations"]
    scale_code = assignment.marks_scale
    columns = pm_ops.grid_columns(grid, user if user is not None else current_user)
    homework: dict[int, list[Homework]] = {}
    if grid.lessons:
        for hw in db.session.scalars(
            select(Homework)
            .where(Homework.lesson_id.in_([lesson.id for lesson in grid.lessons]), Homework.is_deleted.is_(False))
            .order_by(Homework.id)
        ):
            homework.setdefault(hw.lesson_id, []).append(hw)
    lesson_chunks = [grid.lessons[i:i + LESSONS_PER_TABLE] for i in range(0, len(grid.lessons), LESSONS_PER_TABLE)] or [[]]
    chunks = []
    for index, lessons in enumerate(lesson_chunks):
        last = index == len(lesson_chunks) - 1
        extra = (1 + len(columns)) if last else 0
        free = PAGE_WIDTH_CM - NAME_CM - NUM_CM - extra * EXTRA_CM
        lesson_cm = min(1.2, free / max(len(lessons), 1))
        rows = []
        for number, student in enumerate(grid.students, start=1):
            cells = [
                CellState(grid.attendance.get((lesson.id, student.id)), grid.marks.get((lesson.id, student.id), []),
                          scale_code).text(notations)
                for lesson in lessons
            ]
            forecast = grid.forecasts.get(student.id)
            average = format_average(forecast.average) if forecast else ""
            marks = [column.marks[student.id].value if student.id in column.marks else "" for column in columns]
            rows.append({"num": number, "name": student.full_name, "cells": cells, "average": average, "marks": marks})
        chunks.append({
            "lessons": [{"date": lesson.date.strftime("%d.%m"), "number": lesson.lesson_number} for lesson in lessons],
            "rows": rows,
            "last": last,
            "lesson_width": f"{lesson_cm:.2f}cm",
            "first_number": index * LESSONS_PER_TABLE + 1,
        })
    topics = [
        {
            "date": lesson.date.strftime("%d.%m.%Y"),
            "number": lesson.lesson_number or "",
            "topic": lesson.topic,
            "works": ", ".join(w.work_kind.name for w in lesson.works),
            "homework": _homework_text(homework.get(lesson.id, [])),
        }
        for lesson in grid.lessons
    ]
    group = assignment.class_group.name + (f" ({assignment.subgroup.name})" if assignment.subgroup else "")
    return {
        "school": assignment.school.name,
        "subject": assignment.subject.name,
        "group": group,
        "teacher": assignment.teacher.full_name,
        "teacher_short": assignment.teacher.short_name,
        "period": grid.period.name if grid.period else "",
        "period_dates": (
            f"{grid.period.start_date:%d.%m.%Y} – {grid.period.end_date:%d.%m.%Y}" if grid.period else ""
        ),
        "year": assignment.year.name,
        "chunks": chunks,
        "mark_labels": ["year" if column.is_year else "period" for column in columns],
        "has_students": bool(grid.students),
        "topics": topics,
        "notations": notations,
        # the legend in the journal's own scale: «10/9 — две отметки за урок»
        "scale": assignment.scale.name if assignment.carries_marks else "",
        "pair": scale_samples(scale_code)["pair"],
        "printed": today.strftime("%d.%m.%Y"),
    }


@bp.get("/assignments/<int:assignment_id>/print")
@login_required
def print_page(assignment_id: int):
    """The journal page of one period as a PDF: the teacher and the academic office (004:3.3)."""
    assignment = loaders.assignment(assignment_id, policy.can_view_assignment)
    today = school_today(assignment.school.timezone)
    grid = queries.load_grid(assignment, today, request.args.get("period", type=int))
    page = journal_page(grid, today)
    period_id = grid.period.id if grid.period else None
    # A certified printout (REP-4): recorded with its code, hash and the kept PDF.
    pdf, printout = certified_pdf(
        "pdf/journal_page.html", kind="journal_page",
        title=_("Классный журнал: %(subject)s, %(group)s", subject=page["subject"], group=page["group"]),
        period=f"{page['period']} ({page['period_dates']}), {page['year']}" if page["period"] else page["year"],
        signers=[Signer(_("Учитель"), page["teacher_short"]), director_signer(assignment.school)],
        user=current_user, of={"assignment_id": assignment.id, "class_id": assignment.class_id, "period_id": period_id},
        page=page,
    )
    # Every printed copy of personal data is registered (PD-4, 000:5.5.4).
    audit.record("journal_page", assignment.id, "print",
                 after={"document": "journal_page", "period_id": period_id, "printout": printout.code},
                 school_id=assignment.school_id)
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    filename = f"journal-{assignment.id}-{grid.period.id if grid.period else 0}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
