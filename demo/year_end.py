"""`flask demo fill-year`: set the period and year marks still missing in a year, so that the
demo school's year can be closed (ARC-1 acceptance: fill the year, enter decisions, close it).

Each missing period mark is what the period's marks round to (the school's thresholds); the
year mark is what the period marks round to; with no marks at all, «4» (or the scale's highest
value on a scale without 4). Marks already set are left alone; a rerun does nothing new."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.journal import period_marks_operations, queries
from domain import grading
from domain.settings import school_settings
from extensions import db
from models import AcademicYear, ClassGroup, Lesson, Mark, PeriodMark, TeachingAssignment, WorkKind
from utils import audit


def _fallback(scale_code: str) -> str:
    values = grading.SCALES[scale_code].values
    return "4" if "4" in values else values[-1]


def fill_year(year: AcademicYear) -> int:
    """Create the missing period and year marks of the year's classes; return how many."""
    if year.is_closed:
        from models.year_closing import ensure_year_open

        ensure_year_open(year)
    settings = school_settings(year.school.settings)
    assignments = db.session.scalars(
        select(TeachingAssignment)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(ClassGroup.year_id == year.id, ClassGroup.kind == "class")
        .options(selectinload(TeachingAssignment.class_group), selectinload(TeachingAssignment.scale))
    ).all()
    created = 0
    for assignment in assignments:
        if not assignment.carries_marks:
            continue  # first grade: attendance only, no marks to set
        scale = assignment.marks_scale
        thresholds = grading.thresholds_for(settings, scale)
        periods = period_marks_operations.periods_for_marks(assignment)
        students = [s.id for s in db.session.scalars(queries.roster_query(assignment, year.start_date, year.end_date))]
        if not students:
            continue
        existing = {
            (m.student_id, m.period_id): m
            for m in db.session.scalars(select(PeriodMark).where(
                PeriodMark.subject_id == assignment.subject_id,
                PeriodMark.student_id.in_(students),
                PeriodMark.period_id.in_([p.id for p in periods]),
            ))
        }
        rows = db.session.execute(
            select(Mark.student_id, Mark.value, WorkKind.weight, Lesson.date)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .join(WorkKind, WorkKind.id == Mark.work_kind_id)
            .where(Lesson.assignment_id == assignment.id, Mark.is_deleted.is_(False))
        ).all()
        ordered = sorted(periods, key=lambda p: p.scheme == "year")  # the year after its periods
        for period in ordered:
            for student_id in students:
                if (student_id, period.id) in existing:
                    continue
                if period.scheme == "year":
                    values = [(m.value, Decimal(1)) for (s, _p), m in existing.items()
                              if s == student_id and _p != period.id]
                else:
                    values = [(v, Decimal(w)) for s, v, w, day in rows
                              if s == student_id and period.start_date <= day <= period.end_date]
                average = grading.weighted_average(grading.numeric_marks(values, scale))
                value = grading.suggest_mark(average, thresholds) or _fallback(scale)
                mark = PeriodMark(
                    school_id=year.school_id, student_id=student_id, subject_id=assignment.subject_id,
                    period_id=period.id, assignment_id=assignment.id, value=value, average=average,
                    suggested=value, reason="fill-year",
                )
                db.session.add(mark)
                existing[(student_id, period.id)] = mark
                created += 1
    db.session.flush()
    audit.record("academic_year", year.id, "fill_year", after={"period_marks": created}, school_id=year.school_id)
    return created
