"""The summary sheet (сводная ведомость, REP-1; 002 section 5, 004:2.3) built live from the
journal into plain dataclasses: the page, the PDF and the XLSX all show the one `Sheet`.

Rows: the students who belonged to the class at some day of the period, in the order of the
alphabetical book (Student.book_number). A student who left the class before the period's end
keeps their row with a note («выбыл(а) dd.mm.yyyy») and is left out of the class's percentages:
the sheet reports the class as it finished the period. Columns: the subjects of the class's
curriculum and its teaching assignments (one column per subject; a student of a subgroup has
the mark of their subgroup's journal, PeriodMark being one per student, subject and period).
How a mark counts is domain/results.py. A constant number of statements whatever the class."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from domain import attendance, results, year_end
from domain.messages import N_
from domain.results import Shares, Standing
from extensions import db
from models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    ClassMembership,
    CurriculumItem,
    Lesson,
    PeriodMark,
    Student,
    StudyPeriod,
    Subject,
    TeachingAssignment,
)
from models.debts import AcademicDebt, DebtAttempt

YEAR = "year"
FIVE_POINT = ("5", "4", "3", "2")


@dataclass
class Column:
    subject_id: int
    name: str
    short_name: str
    shares: Shares | None = None


@dataclass
class Row:
    number: int
    student_id: int
    name: str
    book_number: str
    left_on: date | None  # left the class before the period's end: shown, not counted
    # subject id -> the marks shown: one per period of the sheet (the year sheet: each period, then the year)
    marks: dict[int, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # "5".."2", "good", "satisfactory", "failed", "зач", "н/а"
    missed: int = 0
    missed_ill: int = 0
    exempt_in: list[str] = field(default_factory=list)  # subjects the student is exempt («осв») from


@dataclass
class Sheet:
    class_id: int
    class_name: str
    school_name: str
    director_name: str
    class_teacher_name: str
    year_name: str
    period_key: str  # a period's id as text, or "year"
    title_period: str  # «2 четверть», or the year's name «2026/2027»
    start: date
    end: date
    periods: list[StudyPeriod]  # the periods whose marks each subject shows (year sheet: all, then the year)
    mark_headers: list[str]  # under each subject, one header per shown mark («1», …, «Год»); N_-marked words
    legend: list[tuple[str, str]]  # (header, the period's full name) of the year sheet
    columns: list[Column]
    rows: list[Row]
    overall: Shares
    other_scales: bool  # marks on a ten- or hundred-point scale: counted by standing, not by value
    exempt_notes: list[str]

    @property
    def counted_rows(self) -> list[Row]:
        return [row for row in self.rows if row.left_on is None]


def natural_key(book_number: str) -> tuple:
    """«А-2» before «А-10»: the alphabetical book's numbers in their order."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", book_number or ""))


def sheet_periods(class_group: ClassGroup) -> tuple[list[StudyPeriod], StudyPeriod | None]:
    """The class's periods (its scheme) in order, and the year as a period of its own if the
    school has one: one statement."""
    rows = db.session.scalars(
        select(StudyPeriod)
        .where(StudyPeriod.year_id == class_group.year_id, StudyPeriod.scheme.in_((class_group.period_scheme, YEAR)))
        .order_by(StudyPeriod.number, StudyPeriod.id)
    ).all()
    return [p for p in rows if p.scheme != YEAR], next((p for p in rows if p.scheme == YEAR), None)


def _short_period(period: StudyPeriod) -> str:
    """The period's number: the year sheet's legend says «1–4 — четверти»."""
    return str(period.number)


def _roster(class_group: ClassGroup, start: date, end: date) -> list[tuple[Student, date | None]]:
    """The students of the class at some day of start..end, each with the day they left it
    (None when still in it at `end`): one statement."""
    found: dict[int, tuple[Student, date | None]] = {}
    for student, until in db.session.execute(
        select(Student, ClassMembership.until)
        .join(ClassMembership, ClassMembership.student_id == Student.id)
        .where(
            ClassMembership.class_id == class_group.id,
            ClassMembership.since <= end,
            or_(ClassMembership.until.is_(None), ClassMembership.until >= start),
        )
    ):
        left = until if until is not None and until < end else None
        previous = found.get(student.id)
        if previous is None or (previous[1] is not None and (left is None or left > previous[1])):
            found[student.id] = (student, left)
    return sorted(found.values(), key=lambda pair: (natural_key(pair[0].book_number), pair[0].last_name, pair[0].id))


def _columns(class_group: ClassGroup) -> tuple[list[Column], dict[int, str]]:
    """One column per subject of the curriculum and of the class's journals (two statements),
    and the scale of each assignment."""
    subjects: dict[int, Subject] = {}
    for item in db.session.scalars(
        select(CurriculumItem).where(CurriculumItem.class_id == class_group.id).options(joinedload(CurriculumItem.subject))
    ):
        subjects[item.subject_id] = item.subject
    scales: dict[int, str] = {}
    for assignment in db.session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.class_id == class_group.id)
        .options(joinedload(TeachingAssignment.subject), joinedload(TeachingAssignment.scale))
    ):
        subjects.setdefault(assignment.subject_id, assignment.subject)
        scales[assignment.id] = "none" if class_group.attendance_only else assignment.scale.code
    columns = [Column(s.id, s.name, s.short_name or s.name) for s in sorted(subjects.values(), key=lambda s: (s.name, s.id))]
    return columns, scales


def _count(row: Row, value: str, scale: str, standing: Standing) -> None:
    if standing in (Standing.EXEMPT, Standing.MISSING):
        return
    if value in (results.PASSED, results.NOT_ATTESTED):
        key = value
    elif scale == "five" and value in FIVE_POINT:
        key = value
    elif standing is Standing.FAILED:
        key = "2" if scale == "five" else "failed"
    else:
        key = standing.value  # "good", "satisfactory" on the ten- and hundred-point scales
    row.counts[key] = row.counts.get(key, 0) + 1


def build_sheet(class_group: ClassGroup, period_key: str) -> Sheet | None:
    """The sheet of one period (its id as text) or of the year ("year"); None when the class has
    no such period."""
    periods, year_period = sheet_periods(class_group)
    year = class_group.year
    if period_key == YEAR:
        shown = periods + ([year_period] if year_period else [])
        counted = year_period  # the year mark is what the year sheet counts
        start, end = year.start_date, year.end_date
        title = year.name
        headers = [_short_period(p) for p in periods] + ([N_("Год")] if year_period else [])
    else:
        counted = next((p for p in periods if str(p.id) == period_key), None)
        if counted is None:
            return None
        shown = [counted]
        start, end = counted.start_date, counted.end_date
        title = counted.name
        headers = [N_("Итог")]
    roster = _roster(class_group, start, end)
    columns, scales = _columns(class_group)
    student_ids = [student.id for student, _left in roster]
    period_ids = [p.id for p in shown]
    marks: dict[tuple[int, int, int], tuple[str, str]] = {}
    if student_ids and period_ids and scales:
        for student_id, subject_id, period_id, value, assignment_id in db.session.execute(
            select(PeriodMark.student_id, PeriodMark.subject_id, PeriodMark.period_id, PeriodMark.value,
                   PeriodMark.assignment_id)
            .where(PeriodMark.assignment_id.in_(list(scales)), PeriodMark.period_id.in_(period_ids),
                   PeriodMark.student_id.in_(student_ids))
        ):
            marks[(student_id, subject_id, period_id)] = (value, scales.get(assignment_id, "five"))
    missed: dict[int, Counter] = defaultdict(Counter)
    if student_ids and scales:
        for student_id, code, number in db.session.execute(
            select(Attendance.student_id, Attendance.code, func.count())
            .join(Lesson, Lesson.id == Attendance.lesson_id)
            .where(
                Lesson.assignment_id.in_(list(scales)),
                Lesson.date >= start,
                Lesson.date <= end,
                Attendance.is_deleted.is_(False),
                Attendance.code.in_(list(attendance.ABSENCES)),
                Attendance.student_id.in_(student_ids),
            )
            .group_by(Attendance.student_id, Attendance.code)
        ):
            missed[student_id][code] += number
    rows: list[Row] = []
    by_subject: dict[int, list[Standing]] = defaultdict(list)
    standings_of_rows: list[list[Standing]] = []
    exempt_notes: list[str] = []
    other_scales = False
    for number, (student, left) in enumerate(roster, start=1):
        row = Row(number, student.id, student.full_name, student.book_number, left)
        row.missed = sum(missed[student.id].values())
        row.missed_ill = missed[student.id][attendance.ILL]
        own: list[Standing] = []
        for column in columns:
            row.marks[column.subject_id] = [
                marks.get((student.id, column.subject_id, p.id), ("", ""))[0] for p in shown
            ]
            value, scale = marks.get((student.id, column.subject_id, counted.id), ("", "")) if counted else ("", "")
            standing = results.standing(value, scale)
            if value and scale in ("ten", "hundred"):
                other_scales = True
            _count(row, value, scale, standing)
            if standing is Standing.EXEMPT:
                row.exempt_in.append(column.name)
            if left is None:
                by_subject[column.subject_id].append(standing)
                own.append(standing)
        if row.exempt_in:
            exempt_notes.append(f"{student.full_name}: {', '.join(row.exempt_in)}")
        if left is None:
            standings_of_rows.append(own)
        rows.append(row)
    for column in columns:
        column.shares = results.shares(by_subject[column.subject_id])
    if period_key == YEAR and year_period is not None and student_ids:
        _attach_retakes(rows, year.id, student_ids)
    return Sheet(
        class_id=class_group.id,
        class_name=class_group.name,
        school_name=class_group.school.name,
        director_name=class_group.school.director_name,
        class_teacher_name=class_group.class_teacher.full_name if class_group.class_teacher else "",
        year_name=year.name,
        period_key=period_key,
        title_period=title,
        start=start,
        end=end,
        periods=shown,
        mark_headers=headers,
        legend=[(h, p.name) for h, p in zip(headers, shown, strict=True)] if len(headers) > 1 else [],
        columns=columns,
        rows=rows,
        overall=results.student_shares(standings_of_rows),
        other_scales=other_scales,
        exempt_notes=exempt_notes,
    )


def _attach_retakes(rows: list[Row], year_id: int, student_ids: list[int]) -> None:
    """REP-5: results of clearing an academic debt arrive after the sheet and are attached to
    it; a cleared debt's year mark reads «2 → 3 (пересдача 25.08.2026)» (the page, the PDF and
    the XLSX alike). The counts and percentages stay those of the year's end. One statement."""
    cleared: dict[tuple[int, int], str] = {}
    for student_id, subject_id, original, day, result in db.session.execute(
        select(AcademicDebt.student_id, AcademicDebt.subject_id, AcademicDebt.original_mark, DebtAttempt.day,
               DebtAttempt.result)
        .join(DebtAttempt, DebtAttempt.debt_id == AcademicDebt.id)
        .where(AcademicDebt.year_id == year_id, AcademicDebt.student_id.in_(student_ids),
               AcademicDebt.status == year_end.CLEARED, DebtAttempt.result.in_(list(year_end.POSITIVE_RESULTS)))
    ):
        cleared[(student_id, subject_id)] = gettext(year_end.RETAKE_TEXT, original=original or "—", result=result,
                                                    day=day.strftime("%d.%m.%Y"))
    for row in rows:
        for subject_id, marks in row.marks.items():
            text = cleared.get((row.student_id, subject_id))
            if text and marks:
                marks[-1] = text


def percent_text(value: Decimal | None) -> str:
    """«87,5» as the sheet prints a share; «—» when there is nothing to count."""
    return "—" if value is None else f"{value}".replace(".", ",")


def school_periods(year_ids: list[int]) -> list[StudyPeriod]:
    """The periods of the given years, for the list page: one statement."""
    if not year_ids:
        return []
    return list(db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id.in_(set(year_ids))).order_by(StudyPeriod.number, StudyPeriod.id)
    ))


def load_class(class_id: int) -> ClassGroup | None:
    """A class with what the sheet's heading needs (its year, school and class teacher)."""
    return db.session.scalar(
        select(ClassGroup)
        .where(ClassGroup.id == class_id)
        .options(joinedload(ClassGroup.year), joinedload(ClassGroup.school), joinedload(ClassGroup.class_teacher))
    )


def current_classes(school_id: int) -> list[ClassGroup]:
    """The classes (not the extra-education groups) of the school's current year, in order."""
    return list(db.session.scalars(
        select(ClassGroup)
        .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
        .where(ClassGroup.school_id == school_id, ClassGroup.kind == "class", AcademicYear.is_current.is_(True))
        .options(joinedload(ClassGroup.class_teacher))
        .order_by(ClassGroup.grade, ClassGroup.name)
    ))
