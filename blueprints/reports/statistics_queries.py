"""The statistics of study (REP-2, 002 section 5) for a period, aggregated in SQL: a fixed number
of statements for the whole school however many classes, students and marks there are (STYLE
convention 8; tests/test_reports_statistics.py counts them).

The unit is a *cell*: one student in one teaching assignment (class or subgroup × subject ×
teacher) in the period, with the number of marks, the sums of the weighted average, the period
mark and the absences. Classes, parallels, subjects, teachers and the school are groups of cells:
performance and quality of period marks count by domain/results.py (students for a class, a
parallel and the school; marks for a subject, a teacher and an assignment); the current-mark
estimate («по текущим отметкам») rounds each cell's weighted average by the school's thresholds
(domain.grading.suggest_mark) and counts it the same way. The students are those whose current
class is in the period's classes (a student who moved mid-period counts in their new class)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Numeric, case, cast, func, select
from sqlalchemy.orm import joinedload

from domain import statistics as rules
from domain.attendance import ABSENCES, ILL, UNEXCUSED
from domain.grading import SCALES, numeric_marks, suggest_mark, thresholds_for, weighted_average
from domain.messages import N_
from domain.results import Shares, Standing, shares, standing, student_shares
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    Lesson,
    Mark,
    MarkingScale,
    PeriodMark,
    Student,
    StudyPeriod,
    SubgroupMember,
    TeachingAssignment,
    User,
    WorkKind,
)
from utils.average_marks import marks_for_averages

# The digits a numeric mark may be (ten- and hundred-point included): the marks that count in an
# average, as domain.grading.numeric_marks keeps them.
NUMERIC_VALUES = tuple(str(n) for n in range(101))


@dataclass(frozen=True)
class Filters:
    class_ids: frozenset[int] | None = None  # None: every class
    grade: int | None = None
    subject_id: int | None = None
    teacher_id: int | None = None


@dataclass(slots=True)
class Cell:
    assignment: TeachingAssignment
    assignment_id: int
    student_id: int
    scale_code: str
    takes_marks: bool  # a scale with marks in a class that is given marks (not attendance only)
    marks: int = 0
    average: Decimal | None = None
    period_mark: str | None = None
    official: Standing = Standing.MISSING  # of the period mark
    estimate: Standing = Standing.MISSING  # of the weighted average rounded by the school's thresholds
    missed: int = 0
    ill: int = 0
    unexcused: int = 0


@dataclass
class Figures:
    """One row of the statistics: a class, a parallel, a subject, a teacher, an assignment or the school."""

    kind: str  # "class", "grade", "subject", "teacher", "assignment", "school"
    key: object  # the class's, subject's, teacher's, assignment's id; the grade
    label: str
    students: int = 0
    official: Shares = field(default_factory=lambda: Shares(0, 0, 0, 0))
    estimate: Shares = field(default_factory=lambda: Shares(0, 0, 0, 0))
    average: Decimal | None = None
    marks: int = 0
    marks_per_week: Decimal | None = None
    missed: int = 0
    ill: int = 0
    unexcused: int = 0
    at_risk: int = 0
    assignment_id: int | None = None  # a row of one journal links to its grid
    average_sum: Decimal = Decimal(0)  # of the cells' averages, to combine rows
    average_count: int = 0
    student_ids: frozenset[int] = frozenset()


@dataclass
class AtRisk:
    student: Student
    risks: list[rules.Risk]


@dataclass
class Statistics:
    period: StudyPeriod
    until: date  # the figures count up to this day (today, or the period's end)
    classes: list[ClassGroup]
    assignments: list[TeachingAssignment]
    cells: list[Cell]
    school: Figures
    by_class: list[Figures]
    by_grade: list[Figures]
    by_subject: list[Figures]
    by_teacher: list[Figures]
    by_assignment: list[Figures]
    at_risk: list[AtRisk]
    min_marks: int  # of the whole period (settings)
    expected_marks: int  # by `until`: the minimum in proportion to the days gone (domain/statistics.py)

    @property
    def has_period_marks(self) -> bool:
        return any(cell.official is not Standing.MISSING for cell in self.cells)


def _decimal(value) -> Decimal | None:
    """A sum as the database returns it (PostgreSQL: Decimal; SQLite: a float) to two decimals:
    marks are whole numbers and weights have two decimals, so the sum is exact at two."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def school_statistics(school, period: StudyPeriod, settings: dict, today: date, filters: Filters = Filters()) -> Statistics:
    """The statistics of `period` for the school's classes of the period's scheme, narrowed by
    `filters`. Seven statements."""
    until = min(today, period.end_date)
    classes_query = (
        select(ClassGroup)
        .where(
            ClassGroup.school_id == school.id,
            ClassGroup.year_id == period.year_id,
            ClassGroup.kind == "class",
        )
        .order_by(ClassGroup.grade, ClassGroup.letter, ClassGroup.name)
    )
    if period.scheme != "year":  # a quarter is of the quarter classes; the year of every class
        classes_query = classes_query.where(ClassGroup.period_scheme == period.scheme)
    if filters.class_ids is not None:
        classes_query = classes_query.where(ClassGroup.id.in_(list(filters.class_ids) or [-1]))
    if filters.grade is not None:
        classes_query = classes_query.where(ClassGroup.grade == filters.grade)
    classes = list(db.session.scalars(classes_query))
    class_ids = [c.id for c in classes] or [-1]

    assignments_query = (
        select(TeachingAssignment)
        .where(TeachingAssignment.class_id.in_(class_ids), TeachingAssignment.is_active.is_(True))
        .options(
            joinedload(TeachingAssignment.subject),
            joinedload(TeachingAssignment.teacher),
            joinedload(TeachingAssignment.scale),
            joinedload(TeachingAssignment.subgroup),
            joinedload(TeachingAssignment.class_group),
        )
        .order_by(TeachingAssignment.id)
    )
    if filters.subject_id is not None:
        assignments_query = assignments_query.where(TeachingAssignment.subject_id == filters.subject_id)
    if filters.teacher_id is not None:
        assignments_query = assignments_query.where(TeachingAssignment.teacher_id == filters.teacher_id)
    assignments = list(db.session.scalars(assignments_query).unique())
    assignment_ids = [a.id for a in assignments] or [-1]

    students = list(
        db.session.scalars(
            select(Student)
            .where(Student.current_class_id.in_(class_ids), Student.is_withdrawn.is_(False))
            .order_by(Student.last_name, Student.first_name, Student.id)
        )
    )
    by_class_students: dict[int, list[Student]] = defaultdict(list)
    for student in students:
        by_class_students[student.current_class_id].append(student)
    subgroup_ids = [a.subgroup_id for a in assignments if a.subgroup_id is not None] or [-1]
    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, student_id in db.session.execute(
        select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(SubgroupMember.subgroup_id.in_(subgroup_ids))
    ):
        members[subgroup_id].add(student_id)

    takes_marks = {a.id: bool(SCALES[a.scale.code].values) and not a.class_group.attendance_only for a in assignments}
    cells: dict[tuple[int, int], Cell] = {}
    for a in assignments:
        for student in by_class_students.get(a.class_id, []):
            if a.subgroup_id is None or student.id in members[a.subgroup_id]:
                cells[(a.id, student.id)] = Cell(a, a.id, student.id, a.scale.code, takes_marks[a.id])
    scale_codes = {a.scale.code for a in assignments}
    thresholds = {code: thresholds_for(settings, code) for code in scale_codes}
    numeric_scales = {code for code in scale_codes if SCALES[code].numeric}

    numeric = case((Mark.value.in_(NUMERIC_VALUES), cast(Mark.value, Numeric(10, 2))), else_=None)
    weighted = case((Mark.value.in_(NUMERIC_VALUES), WorkKind.weight), else_=None)
    use_weights = settings.get("use_weights", True)
    marks_rows = db.session.execute(
        select(
            Lesson.assignment_id,
            Mark.student_id,
            func.count(Mark.id),
            func.sum(numeric * WorkKind.weight) if use_weights else func.sum(numeric),
            func.sum(weighted) if use_weights else func.count(numeric),
        )
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .join(WorkKind, WorkKind.id == Mark.work_kind_id)
        .where(
            Mark.is_deleted.is_(False),
            Lesson.assignment_id.in_(assignment_ids),
            Lesson.date >= period.start_date,
            Lesson.date <= period.end_date,
        )
        .group_by(Lesson.assignment_id, Mark.student_id)
    )
    for assignment_id, student_id, count, total, weights in marks_rows:
        cell = cells.get((assignment_id, student_id))
        if cell is None:
            continue
        cell.marks = count
        if cell.scale_code in numeric_scales:
            cell.average = rules.average_of_sums(_decimal(total), _decimal(weights))

    for assignment_id, student_id, value in db.session.execute(
        select(PeriodMark.assignment_id, PeriodMark.student_id, PeriodMark.value).where(
            PeriodMark.period_id == period.id, PeriodMark.assignment_id.in_(assignment_ids)
        )
    ):
        cell = cells.get((assignment_id, student_id))
        if cell is not None:
            cell.period_mark = value

    for assignment_id, student_id, code, count in db.session.execute(
        select(Lesson.assignment_id, Attendance.student_id, Attendance.code, func.count(Attendance.id))
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(
            Attendance.is_deleted.is_(False),
            Attendance.code.in_(sorted(ABSENCES)),
            Lesson.assignment_id.in_(assignment_ids),
            Lesson.date >= period.start_date,
            Lesson.date <= period.end_date,
        )
        .group_by(Lesson.assignment_id, Attendance.student_id, Attendance.code)
    ):
        cell = cells.get((assignment_id, student_id))
        if cell is None:
            continue
        cell.missed += count
        if code == ILL:
            cell.ill += count
        elif code == UNEXCUSED:
            cell.unexcused += count

    for cell in cells.values():
        cell.official = standing(cell.period_mark, cell.scale_code)
        if cell.average is not None:
            cell.estimate = standing(suggest_mark(cell.average, thresholds[cell.scale_code]), cell.scale_code)

    min_marks = settings["min_marks_per_period"].get(period.scheme, 3)
    weeks = rules.weeks_between(period.start_date, until) if until >= period.start_date else Decimal(0)
    all_cells = list(cells.values())
    student_by_id = {s.id: s for s in students}
    expected_marks = rules.marks_expected_by(min_marks, period.start_date, period.end_date, until)
    at_risk = _at_risk(all_cells, student_by_id, settings, expected_marks)
    risky = {r.student.id for r in at_risk}

    def group(kind, key, label, group_cells: list[Cell], by_student: bool, assignment_id=None) -> Figures:
        return _figures(kind, key, label, group_cells, by_student, weeks, risky, assignment_id)

    # one pass over the cells into each grouping (never a pass per class, subject or teacher)
    of_class: dict[int, list[Cell]] = defaultdict(list)
    of_grade: dict[int, list[Cell]] = defaultdict(list)
    of_assignment: dict[int, list[Cell]] = defaultdict(list)
    for cell in all_cells:
        of_assignment[cell.assignment_id].append(cell)
    for a in assignments:
        of_class[a.class_id].extend(of_assignment[a.id])
        of_grade[a.class_group.grade].extend(of_assignment[a.id])

    by_class = [group("class", c.id, c.name, of_class[c.id], True) for c in classes]
    by_grade = [group("grade", g, f"{g}", of_grade[g], True) for g in sorted({c.grade for c in classes})]
    per_assignment = {a.id: group("assignment", a.id, assignment_label(a), of_assignment[a.id], False, a.id)
                      for a in assignments}
    by_assignment = [
        per_assignment[a.id]
        for a in sorted(assignments, key=lambda a: (a.class_group.grade, a.class_group.name, a.subject.name, a.id))
    ]
    # a subject's and a teacher's figures count marks, so they are sums of their journals' figures
    subjects = sorted({a.subject for a in assignments}, key=lambda s: (s.name, s.id))
    by_subject = [
        _combine("subject", s.id, s.name, [per_assignment[a.id] for a in assignments if a.subject_id == s.id], weeks, risky)
        for s in subjects
    ]
    teachers = sorted({a.teacher for a in assignments}, key=lambda t: (t.last_name, t.first_name, t.id))
    by_teacher = [
        _combine("teacher", t.id, t.short_name, [per_assignment[a.id] for a in assignments if a.teacher_id == t.id],
                 weeks, risky)
        for t in teachers
    ]
    school_row = group("school", "school", "", all_cells, True)
    return Statistics(period, until, classes, assignments, all_cells, school_row, by_class, by_grade, by_subject,
                      by_teacher, by_assignment, at_risk, min_marks, expected_marks)


def assignment_label(a: TeachingAssignment) -> str:
    label = f"{a.class_group.name} · {a.subject.name}"
    if a.subgroup is not None:
        label += f" ({a.subgroup.name})"
    return label


def _figures(kind, key, label, cells: list[Cell], by_student: bool, weeks: Decimal, risky: set[int],
             assignment_id: int | None) -> Figures:
    students: set[int] = set()
    marks = missed = ill = unexcused = 0
    averages = []
    for c in cells:  # one pass: this runs for every class, subject, teacher and journal
        students.add(c.student_id)
        marks += c.marks
        missed += c.missed
        ill += c.ill
        unexcused += c.unexcused
        if c.average is not None:
            averages.append(c.average)
    if by_student:
        rows_official: dict[int, list[Standing]] = defaultdict(list)
        rows_estimate: dict[int, list[Standing]] = defaultdict(list)
        for c in cells:
            rows_official[c.student_id].append(c.official)
            rows_estimate[c.student_id].append(c.estimate)
        official = student_shares(list(rows_official.values()))
        estimate = student_shares(list(rows_estimate.values()))
    else:
        official = shares([c.official for c in cells])
        estimate = shares([c.estimate for c in cells])
    return Figures(
        kind=kind,
        key=key,
        label=label,
        students=len(students),
        official=official,
        estimate=estimate,
        average=rules.mean(averages),
        marks=marks,
        marks_per_week=rules.per_week(marks, len(students), weeks),
        missed=missed,
        ill=ill,
        unexcused=unexcused,
        at_risk=len(students & risky),
        assignment_id=assignment_id,
        average_sum=sum(averages, Decimal(0)),
        average_count=len(averages),
        student_ids=frozenset(students),
    )


def _combine(kind, key, label, parts: list[Figures], weeks: Decimal, risky: set[int]) -> Figures:
    """A row of mark-based figures (a subject, a teacher) from its journals' rows: the same
    numbers as counting its cells afresh (the shares of marks and the sums add up)."""
    students = frozenset().union(*(p.student_ids for p in parts)) if parts else frozenset()

    def total(name: str) -> Shares:
        return Shares(*(sum(getattr(getattr(p, name), f) for p in parts) for f in ("counted", "performing", "graded", "good")))

    marks = sum(p.marks for p in parts)
    average_sum = sum((p.average_sum for p in parts), Decimal(0))
    average_count = sum(p.average_count for p in parts)
    return Figures(
        kind=kind,
        key=key,
        label=label,
        students=len(students),
        official=total("official"),
        estimate=total("estimate"),
        average=(average_sum / average_count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if average_count else None,
        marks=marks,
        marks_per_week=rules.per_week(marks, len(students), weeks),
        missed=sum(p.missed for p in parts),
        ill=sum(p.ill for p in parts),
        unexcused=sum(p.unexcused for p in parts),
        at_risk=len(students & risky),
        average_sum=average_sum,
        average_count=average_count,
        student_ids=students,
    )


def _at_risk(cells: list[Cell], students: dict[int, Student], settings: dict, min_marks: int) -> list[AtRisk]:
    """Students with fewer than `min_marks` in a subject (the period's minimum, in proportion to
    the days gone), an average below the pass mark's threshold, or UNEXCUSED_AT_RISK unexcused
    absences in the period (domain/statistics.py)."""
    risks: dict[int, list[rules.Risk]] = defaultdict(list)
    unexcused: dict[int, int] = defaultdict(int)
    worst: dict[int, Cell] = {}
    lows = {code: rules.low_average_threshold(settings, code) for code in {c.scale_code for c in cells}}
    order = {a.id: (a.subject.name, a.id) for a in {c.assignment for c in cells}}
    for c in sorted(cells, key=lambda c: order[c.assignment_id]):
        if c.takes_marks:
            if c.marks < min_marks and c.period_mark is None:
                risks[c.student_id].append(rules.Risk(rules.RISK_FEW_MARKS, c.assignment_id, str(c.marks)))
            low = lows[c.scale_code]
            if low is not None and c.average is not None and c.average < low:
                risks[c.student_id].append(rules.Risk(rules.RISK_LOW_AVERAGE, c.assignment_id, str(c.average)))
        unexcused[c.student_id] += c.unexcused
        if c.unexcused and (c.student_id not in worst or c.unexcused > worst[c.student_id].unexcused):
            worst[c.student_id] = c
    for student_id, count in unexcused.items():
        if count >= rules.UNEXCUSED_AT_RISK:
            risks[student_id].append(rules.Risk(rules.RISK_UNEXCUSED, worst[student_id].assignment_id, str(count)))
    out = [AtRisk(students[sid], r) for sid, r in risks.items() if sid in students]
    return sorted(out, key=lambda x: (x.student.current_class_id or 0, x.student.last_name, x.student.first_name, x.student.id))


# --- Dynamics ----------------------------------------------------------------------------------


@dataclass
class Series:
    label: str
    values: list[Decimal | None]


@dataclass
class Dynamics:
    title: str
    x_labels: list[str]
    series: list[Series]
    kind: str  # "line" or "bar"
    unit: str = ""  # "%", or "" for averages


def student_dynamics(student: Student, start: date, end: date, settings: dict) -> Dynamics:
    """A student's weighted average per subject at the end of each week from `start` to `end`:
    the average of the subject's marks given from `start` up to that week's Sunday (it grows
    smoother as marks accumulate, as the journal's «Ср.» does within a period). One statement."""
    rows = marks_for_averages(start, end, student_ids=[student.id])
    weeks = rules.week_starts(start, end)
    by_subject: dict[str, list] = defaultdict(list)
    for row in rows:
        by_subject[row.subject_name].append(row)
    use_weights = settings.get("use_weights", True)
    series = []
    for subject_name in sorted(by_subject):
        marks = by_subject[subject_name]
        values = []
        for monday in weeks:
            sunday = monday.toordinal() + 6
            upto = [m for m in marks if m.date.toordinal() <= sunday]
            scale_code = marks[0].scale_code
            values.append(weighted_average(numeric_marks([(m.value, m.weight) for m in upto], scale_code), use_weights))
        if any(v is not None for v in values):
            series.append(Series(subject_name, values))
    return Dynamics(student.short_name, [m.strftime("%d.%m") for m in weeks], series, "line")


def class_quality_by_period(class_group: ClassGroup, start: date, end: date) -> tuple[Dynamics, list[StudyPeriod]]:
    """A class's performance and quality of period marks for each of its periods that overlaps
    `start`–`end` (domain.results.student_shares). Two statements. A period without period marks
    shows no value (None), not 0 %."""
    periods = list(
        db.session.scalars(
            select(StudyPeriod)
            .where(
                StudyPeriod.year_id == class_group.year_id,
                StudyPeriod.scheme == class_group.period_scheme,
                StudyPeriod.start_date <= end,
                StudyPeriod.end_date >= start,
            )
            .order_by(StudyPeriod.start_date)
        )
    )
    rows: dict[int, dict[int, list[Standing]]] = {p.id: defaultdict(list) for p in periods}
    for period_id, student_id, value, scale_code in db.session.execute(
        select(PeriodMark.period_id, PeriodMark.student_id, PeriodMark.value, MarkingScale.code)
        .join(TeachingAssignment, TeachingAssignment.id == PeriodMark.assignment_id)
        .join(MarkingScale, MarkingScale.id == TeachingAssignment.scale_id)
        .join(Student, Student.id == PeriodMark.student_id)
        .where(
            PeriodMark.period_id.in_([p.id for p in periods] or [-1]),
            TeachingAssignment.class_id == class_group.id,
            Student.current_class_id == class_group.id,
        )
    ):
        rows[period_id][student_id].append(standing(value, scale_code))
    performance, quality = [], []
    for p in periods:
        result = student_shares(list(rows[p.id].values()))
        performance.append(result.performance)
        quality.append(result.quality)
    return (
        Dynamics(class_group.name, [p.name for p in periods],
                 [Series(N_("Успеваемость"), performance), Series(N_("Качество"), quality)], "bar", "%"),
        periods,
    )


def teacher_assignments(stats: Statistics) -> Dynamics:
    """A teacher's classes side by side: performance and quality (period marks where there are,
    else by current marks, labelled) and the average of each assignment of the statistics."""
    rows = stats.by_assignment
    official = stats.has_period_marks
    perf = [(r.official if official else r.estimate).performance for r in rows]
    qual = [(r.official if official else r.estimate).quality for r in rows]
    return Dynamics("", [r.label for r in rows], [Series(N_("Успеваемость"), perf), Series(N_("Качество"), qual)], "bar", "%")


def teachers_of_school(school_id: int, year_id: int) -> list[User]:
    """The teachers with an active assignment in the year, for the filter. One statement."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(TeachingAssignment.teacher_id).where(
                        TeachingAssignment.school_id == school_id,
                        TeachingAssignment.year_id == year_id,
                        TeachingAssignment.is_active.is_(True),
                    )
                )
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
    )
