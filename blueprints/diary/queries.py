"""The diary as plain data (DIA-1, DIA-2, DIA-3, ADM-9): a student's week, marks, attendance
and results, for the diary pages and for the weekly paper report (DIA-4).

Every function returns dataclasses of plain values (no ORM objects are walked by templates)
and runs a fixed number of SQL statements however many lessons and marks there are
(STYLE convention 8; counted in tests/test_diary_pages.py):

    week_data          ≈ 15 statements (class, subgroups, assignments, timetable ×3, lessons,
                       homework, marks, attendance, periods, settings, summary ×2)
    marks_data         ≈ 6
    attendance_summary 2
    final_results      3

The timetable comes from blueprints/journal/schedule_queries.week_schedule (the class's week
with its changes applied); this module keeps only the lessons of the student's own subgroups.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload

from blueprints.diary.wording import CHANGE_LABELS
from blueprints.journal import schedule_queries
from domain import attendance, grading
from domain import exams as exam_rules
from domain.homework import homework_text
from domain.periods import current_period, is_under_way
from domain.settings import school_settings
from extensions import db
from models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    ClassMembership,
    Holiday,
    Homework,
    HomeworkFile,
    HomeworkStudent,
    Lesson,
    Mark,
    PeriodMark,
    ScheduleSlot,
    School,
    Student,
    StudyPeriod,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    WorkKind,
)
from models.exams import ExamResult
from utils.average_marks import marks_for_averages
from utils.timeutil import school_today

WEEK_DAYS = 6  # Monday to Saturday: Russian schools may teach on Saturdays


# --- Plain data --------------------------------------------------------------------------------


@dataclass
class DiaryLesson:
    """One lesson of one date: a timetable slot, a recorded lesson, or both merged."""

    date: date
    lesson_number: int
    subject_name: str
    teacher_name: str  # who gives it: the substitute for a substitution
    topic: str = ""
    homework: list[str] = field(default_factory=list)  # collective, then this student's own
    homework_files: list[tuple[int, str]] = field(default_factory=list)  # (HomeworkFile id, file name)
    marks: list[tuple[str, str]] = field(default_factory=list)  # (value, kind of work)
    scale_code: str = ""  # the subject's marking scale (domain.grading.SCALES): what a low mark is
    attendance: str | None = None  # absent / ill / excused / unexcused / late
    is_substitution: bool = False
    change_note: str = ""  # «Замена: …», «Урок отменён», «Урок перенесён» (+ the change's note)
    lesson_id: int | None = None  # None: a timetable slot not recorded (yet)
    change_kind: str = ""  # "", substitution, cancelled, moved, extra (ScheduleChange.kind)
    subject_id: int | None = None
    starts: str = ""  # bell times, "" when unknown
    ends: str = ""
    room: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.change_kind == schedule_queries.CANCELLED


@dataclass
class DayData:
    date: date
    lessons: list[DiaryLesson] = field(default_factory=list)


@dataclass
class MarkItem:
    date: date
    value: str
    work_kind_name: str
    weight: Decimal
    scale_code: str = ""


@dataclass
class SubjectSummary:
    subject_name: str
    marks: list[str]  # values in date order
    average: Decimal | None
    forecast: grading.Forecast
    period_mark: str | None
    year_mark: str | None
    subject_id: int | None = None
    items: list[MarkItem] = field(default_factory=list)  # the marks with date and kind of work
    scale_code: str = ""  # the subject's marking scale: the forecast speaks of its marks


@dataclass
class WeekData:
    student: Student
    class_group: ClassGroup | None
    monday: date
    days: list[DayData]
    subjects: list[SubjectSummary]
    period: StudyPeriod | None = None

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)


@dataclass
class SubjectAttendance:
    subject_name: str
    counts: dict[str, int]  # code -> number of lessons

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class AbsenceItem:
    date: date
    lesson_number: int
    subject_name: str
    code: str


@dataclass
class AttendanceSummary:
    period: StudyPeriod | None
    by_code: dict[str, int]  # code -> count, every code present (0 when none)
    by_subject: list[SubjectAttendance]
    items: list[AbsenceItem]  # every row, newest first

    @property
    def total(self) -> int:
        return sum(self.by_code.values())


@dataclass
class ResultRow:
    subject_name: str
    period_marks: dict[int, str]  # period id -> mark
    year_mark: str | None
    exam_mark: str | None = None  # the best ОГЭ/ГВЭ mark of the subject (JRN-11)
    final_mark: str | None = None  # for the certificate, by the school's rule (domain/exams.py)


@dataclass
class FinalResults:
    year: AcademicYear | None
    periods: list[StudyPeriod]  # the class's periods, in order (the year column is separate)
    rows: list[ResultRow]
    sits_exams: bool = False  # a grade 9 or 11 class, or a student with exam results (ГИА)
    exams: list = field(default_factory=list)  # the student's ExamResult rows of the year


# --- Helpers -----------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return schedule_queries.monday_of(day)


def class_of_week(student: Student, monday: date) -> ClassGroup | None:
    """The class the student belonged to during the week (the latest one if they moved);
    the current class when no membership covers the week. One statement."""
    saturday = monday + timedelta(days=WEEK_DAYS - 1)
    group = db.session.scalar(
        select(ClassGroup)
        .join(ClassMembership, ClassMembership.class_id == ClassGroup.id)
        .where(
            ClassMembership.student_id == student.id,
            ClassMembership.since <= saturday,
            or_(ClassMembership.until.is_(None), ClassMembership.until >= monday),
        )
        .order_by(ClassMembership.since.desc(), ClassMembership.id.desc())
        .limit(1)
    )
    return group or student.current_class


def _student_assignments(student: Student, class_group: ClassGroup) -> list[TeachingAssignment]:
    """The class's assignments the student attends: the whole class's, and a subgroup's only
    if the student is in that subgroup (ADM-8). One statement."""
    in_subgroup = exists().where(
        SubgroupMember.subgroup_id == TeachingAssignment.subgroup_id, SubgroupMember.student_id == student.id
    )
    return list(
        db.session.scalars(
            select(TeachingAssignment)
            .where(
                TeachingAssignment.class_id == class_group.id,
                or_(TeachingAssignment.subgroup_id.is_(None), in_subgroup),
            )
            .options(joinedload(TeachingAssignment.subject), joinedload(TeachingAssignment.teacher),
                     joinedload(TeachingAssignment.scale))
        )
    )


def _settings(school_id: int) -> dict:
    school = db.session.get(School, school_id)
    return school_settings(school.settings if school else None)


def class_periods(class_group: ClassGroup | None) -> list[StudyPeriod]:
    """The periods of the class's year and scheme, in order, then the year period if any."""
    if class_group is None:
        return []
    rows = list(
        db.session.scalars(
            select(StudyPeriod)
            .where(
                StudyPeriod.year_id == class_group.year_id,
                or_(StudyPeriod.scheme == class_group.period_scheme, StudyPeriod.scheme == "year"),
            )
            .order_by(StudyPeriod.start_date, StudyPeriod.number)
        )
    )
    own = [p for p in rows if p.scheme == class_group.period_scheme]
    year = [p for p in rows if p.scheme == "year" and p not in own]
    return own + year


def _year_period(periods: list[StudyPeriod]) -> StudyPeriod | None:
    return next((p for p in periods if p.scheme == "year"), None)


def _change_note(kind: str, substitute_name: str, note: str) -> str:
    if kind == schedule_queries.SUBSTITUTION and substitute_name:
        label = gettext("Замена: %(name)s", name=substitute_name)
    elif kind in CHANGE_LABELS:
        label = str(CHANGE_LABELS[kind])
    else:
        return note
    return f"{label}. {note}" if note else label


# --- The week ----------------------------------------------------------------------------------


def week_timetable(student: Student, monday: date, class_group: ClassGroup | None = None,
                   assignment_ids: set[int] | None = None) -> list[schedule_queries.DaySchedule]:
    """The class's timetable of the week (Monday to Saturday) with its changes, reduced to the
    lessons of the student's subgroups. Four statements (three when the assignments are given)."""
    monday = monday_of(monday)
    class_group = class_group or class_of_week(student, monday)
    if class_group is None:
        return [schedule_queries.DaySchedule(monday + timedelta(days=i), []) for i in range(WEEK_DAYS)]
    if assignment_ids is None:
        assignment_ids = {a.id for a in _student_assignments(student, class_group)}
    week = schedule_queries.week_schedule(class_group, monday)
    by_date = {d.date: d for d in week.days}
    days = []
    for i in range(WEEK_DAYS):
        day = monday + timedelta(days=i)
        items = by_date[day].lessons if day in by_date else []
        days.append(schedule_queries.DaySchedule(day, [s for s in items if s.assignment_id in assignment_ids]))
    return days


def week_data(student: Student, monday: date) -> WeekData:
    """The student's week: the timetable merged with the recorded lessons, their topics,
    homework (collective, and individual for this student only), marks with their kind of work,
    attendance and the timetable's changes; and the subjects' summary for the period that holds
    the week (DIA-1, DIA-2, ADM-9)."""
    monday = monday_of(monday)
    saturday = monday + timedelta(days=WEEK_DAYS - 1)
    class_group = class_of_week(student, monday)
    days = [DayData(monday + timedelta(days=i)) for i in range(WEEK_DAYS)]
    if class_group is None:
        return WeekData(student, None, monday, days, [])

    assignments = _student_assignments(student, class_group)
    by_assignment = {a.id: a for a in assignments}
    timetable = week_timetable(student, monday, class_group, set(by_assignment))

    lessons = list(
        db.session.scalars(
            select(Lesson)
            .where(
                Lesson.assignment_id.in_(list(by_assignment) or [-1]),
                Lesson.date >= monday,
                Lesson.date <= saturday,
            )
            .options(joinedload(Lesson.given_by))
            .order_by(Lesson.date, Lesson.lesson_number, Lesson.id)
        )
    )
    lesson_ids = [lesson.id for lesson in lessons] or [-1]
    own_homework = exists().where(HomeworkStudent.homework_id == Homework.id, HomeworkStudent.student_id == student.id)
    homework: dict[int, list[str]] = defaultdict(list)
    files: dict[int, list[tuple[int, str]]] = defaultdict(list)
    seen: set[int] = set()
    # the homework with its files in one statement, whether or not there are any
    for hw, file in db.session.execute(
        select(Homework, HomeworkFile)
        .outerjoin(HomeworkFile, HomeworkFile.homework_id == Homework.id)
        .where(
            Homework.lesson_id.in_(lesson_ids),
            Homework.is_deleted.is_(False),
            or_(Homework.is_individual.is_(False), own_homework),
        )
        .order_by(Homework.is_individual, Homework.id, HomeworkFile.id)
    ):
        if hw.id not in seen:
            seen.add(hw.id)
            text = homework_text(hw, gettext)
            if text:
                homework[hw.lesson_id].append(text)
        if file is not None:
            files[hw.lesson_id].append((file.id, file.original_name))
    marks: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for lesson_id, value, kind_name in db.session.execute(
        select(Mark.lesson_id, Mark.value, WorkKind.name)
        .join(WorkKind, WorkKind.id == Mark.work_kind_id)
        .where(Mark.lesson_id.in_(lesson_ids), Mark.student_id == student.id, Mark.is_deleted.is_(False))
        .order_by(Mark.lesson_id, Mark.id)
    ):
        marks[lesson_id].append((value, kind_name))
    attendance = dict(
        db.session.execute(
            select(Attendance.lesson_id, Attendance.code).where(
                Attendance.lesson_id.in_(lesson_ids),
                Attendance.student_id == student.id,
                Attendance.is_deleted.is_(False),
            )
        ).all()
    )

    # Merge: a recorded lesson takes the timetable item of the same assignment, date and number;
    # failing that, the first unmatched item of the same assignment and date.
    recorded: dict[tuple[int, date], list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        recorded[(lesson.assignment_id, lesson.date)].append(lesson)
    for day_data, day_schedule in zip(days, timetable, strict=True):
        items: list[DiaryLesson] = []
        leftovers = []
        for slot in day_schedule.lessons:
            pool = recorded.get((slot.assignment_id, slot.date), [])
            match = next((lesson for lesson in pool if lesson.lesson_number == slot.lesson_number), None)
            if match is not None:
                pool.remove(match)
            leftovers.append((slot, match))
        for slot, match in leftovers:
            pool = recorded.get((slot.assignment_id, slot.date), [])
            if match is None and pool and not slot.is_cancelled:
                match = pool.pop(0)
            items.append(_merge(slot, match, by_assignment, homework, files, marks, attendance))
        for (_assignment_id, day), pool in recorded.items():
            if day == day_data.date:
                items.extend(_merge(None, lesson, by_assignment, homework, files, marks, attendance) for lesson in pool)
        items.sort(key=lambda i: (i.lesson_number, i.subject_name))
        day_data.lessons = items

    periods = class_periods(class_group)
    period = next((p for p in periods if p.scheme != "year" and (p.contains(monday) or p.contains(saturday))), None)
    period = period or current_period(periods, monday)
    subjects = _summaries(student, class_group, assignments, periods, period) if period else []
    return WeekData(student, class_group, monday, days, subjects, period)


def _merge(slot, lesson, by_assignment, homework, files, marks, attendance) -> DiaryLesson:
    assignment = by_assignment[slot.assignment_id if slot is not None else lesson.assignment_id]
    item = DiaryLesson(
        date=slot.date if slot is not None else lesson.date,
        lesson_number=slot.lesson_number if slot is not None else lesson.lesson_number,
        subject_name=assignment.subject.name,
        subject_id=assignment.subject_id,
        teacher_name=assignment.teacher.short_name,
        scale_code=assignment.marks_scale,
    )
    if slot is not None:
        item.starts, item.ends, item.room = slot.starts, slot.ends, slot.room
        item.change_kind = "" if slot.status == schedule_queries.REGULAR else slot.status
        item.change_note = _change_note(item.change_kind, slot.substitute_name, slot.note)
        item.is_substitution = slot.status == schedule_queries.SUBSTITUTION
        if item.is_substitution and slot.substitute_name:
            item.teacher_name = slot.substitute_name
    if lesson is not None:
        item.lesson_id = lesson.id
        item.topic = lesson.topic
        item.homework = homework.get(lesson.id, [])
        item.homework_files = files.get(lesson.id, [])
        item.marks = marks.get(lesson.id, [])
        item.attendance = attendance.get(lesson.id)
        if lesson.is_substitution:
            item.is_substitution = True
            item.teacher_name = lesson.given_by.short_name
    return item


# --- Marks, forecasts, period and year marks ---------------------------------------------------


def _summaries(
    student: Student,
    class_group: ClassGroup,
    assignments: list[TeachingAssignment],
    periods: list[StudyPeriod],
    period: StudyPeriod,
) -> list[SubjectSummary]:
    """Per subject: the marks of the period in date order, the weighted average, the forecast
    (domain.grading, the same rule as the journal) and the period and year marks. Marks are
    the student's own wherever they were given (a student who changed class keeps them).
    Three statements."""
    settings = _settings(student.school_id)
    year = _year_period(periods)
    rows = marks_for_averages(period.start_date, period.end_date, student_ids=[student.id])
    wanted_periods = [period.id] + ([year.id] if year is not None and year.id != period.id else [])
    period_marks = db.session.execute(
        select(PeriodMark.subject_id, PeriodMark.period_id, PeriodMark.value, Subject.name)
        .join(Subject, Subject.id == PeriodMark.subject_id)
        .where(PeriodMark.student_id == student.id, PeriodMark.period_id.in_(wanted_periods))
    ).all()

    names: dict[int, str] = {a.subject_id: a.subject.name for a in assignments}
    # The subject's scale: its assignment in the student's class, else the scale its marks were
    # given on (a student who changed class); the forecast speaks of that scale's marks.
    scales: dict[int, str] = {a.subject_id: a.marks_scale for a in assignments}
    items: dict[int, list[MarkItem]] = defaultdict(list)
    for m in rows:
        names.setdefault(m.subject_id, m.subject_name)
        scales.setdefault(m.subject_id, m.scale_code)
        items[m.subject_id].append(MarkItem(m.date, m.value, m.work_kind_name, m.weight, m.scale_code))
    by_subject_period: dict[tuple[int, int], str] = {}
    for subject_id, period_id, value, subject_name in period_marks:
        names.setdefault(subject_id, subject_name)
        by_subject_period[(subject_id, period_id)] = value

    left = _lessons_left(student, class_group, assignments, period)
    summaries = []
    for subject_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        scale_code = scales.get(subject_id, "none")
        fc = grading.period_forecast([(m.value, m.weight) for m in items.get(subject_id, [])], scale_code,
                                     settings, period.scheme,
                                     lessons_left=left.get(subject_id) if left is not None else None)
        summaries.append(
            SubjectSummary(
                subject_name=name,
                marks=[m.value for m in items.get(subject_id, [])],
                average=fc.average,
                forecast=fc,
                period_mark=by_subject_period.get((subject_id, period.id)),
                year_mark=by_subject_period.get((subject_id, year.id)) if year is not None else None,
                subject_id=subject_id,
                items=items.get(subject_id, []),
                scale_code=scale_code,
            )
        )
    return summaries


def _lessons_left(student: Student, class_group: ClassGroup, assignments: list[TeachingAssignment],
                  period: StudyPeriod) -> dict[int, int] | None:
    """Per subject, the timetabled lessons from the school's today to the end of the period,
    holidays excluded: they bound the top marks a forecast may promise. None for a period that is
    over or not begun (no forecast to bound). Two statements."""
    today = school_today(student.school.timezone)
    if not is_under_way(period, today):
        return None
    subject_of = {a.id: a.subject_id for a in assignments}
    slots = db.session.execute(
        select(ScheduleSlot.assignment_id, ScheduleSlot.weekday, ScheduleSlot.valid_from, ScheduleSlot.valid_to)
        .where(ScheduleSlot.assignment_id.in_(subject_of or {0}))
    ).all()
    days_off = [(h.start_date, h.end_date) for h in db.session.execute(
        select(Holiday.start_date, Holiday.end_date).where(Holiday.year_id == class_group.year_id)
    )]
    weekly: dict[int, list] = defaultdict(list)
    for assignment_id, weekday, since, until in slots:
        weekly[subject_of[assignment_id]].append((weekday, since, until))
    return {subject_id: grading.lessons_left(rows, today, period.end_date, days_off)
            for subject_id, rows in weekly.items()}


def marks_data(student: Student, period: StudyPeriod) -> list[SubjectSummary]:
    """Subjects × marks of the period with average, forecast, period and year marks."""
    class_group = student.current_class
    if class_group is None:
        return []
    assignments = _student_assignments(student, class_group)
    return _summaries(student, class_group, assignments, class_periods(class_group), period)


# --- Attendance --------------------------------------------------------------------------------


def attendance_summary(student: Student, period: StudyPeriod | None) -> AttendanceSummary:
    """The student's absences and lateness of the period: counts by reason and by subject,
    and the list of rows. One statement."""
    by_code = {code: 0 for code in attendance.CODES}
    if period is None:
        return AttendanceSummary(None, by_code, [], [])
    rows = db.session.execute(
        select(Lesson.date, Lesson.lesson_number, Subject.name, Attendance.code)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(
            Attendance.student_id == student.id,
            Attendance.is_deleted.is_(False),
            Lesson.date >= period.start_date,
            Lesson.date <= period.end_date,
        )
        .order_by(Lesson.date.desc(), Lesson.lesson_number.desc())
    ).all()
    per_subject: dict[str, dict[str, int]] = defaultdict(lambda: {code: 0 for code in attendance.CODES})
    items = []
    for day, number, subject_name, code in rows:
        by_code[code] = by_code.get(code, 0) + 1
        per_subject[subject_name][code] += 1
        items.append(AbsenceItem(day, number, subject_name, code))
    by_subject = [SubjectAttendance(name, counts) for name, counts in sorted(per_subject.items())]
    return AttendanceSummary(period, by_code, by_subject, items)


# --- Final results -----------------------------------------------------------------------------


def final_results(student: Student, year: AcademicYear | None) -> FinalResults:
    """Period and year marks of every subject of the year (DIA-3), with the state exam results
    and the final marks for the certificate of grades 9 and 11 (JRN-11, DIA-3). Four statements."""
    if year is None:
        return FinalResults(None, [], [])
    class_group = student.current_class if student.current_class and student.current_class.year_id == year.id else None
    scheme = class_group.period_scheme if class_group else None
    periods = list(
        db.session.scalars(
            select(StudyPeriod).where(StudyPeriod.year_id == year.id).order_by(StudyPeriod.start_date, StudyPeriod.number)
        )
    )
    marks = db.session.execute(
        select(PeriodMark.subject_id, PeriodMark.period_id, PeriodMark.value, Subject.name)
        .join(Subject, Subject.id == PeriodMark.subject_id)
        .where(PeriodMark.student_id == student.id, PeriodMark.period_id.in_([p.id for p in periods] or [-1]))
    ).all()
    year_period = next((p for p in periods if p.scheme == "year"), None)
    used = {period_id for _s, period_id, _v, _n in marks}
    shown = [p for p in periods if p.scheme != "year" and (p.scheme == scheme or p.id in used)]
    names: dict[int, str] = {}
    values: dict[int, dict[int, str]] = defaultdict(dict)
    for subject_id, period_id, value, name in marks:
        names[subject_id] = name
        values[subject_id][period_id] = value
    if class_group is not None:
        for subject_id, name in db.session.execute(
            select(Subject.id, Subject.name)
            .join(TeachingAssignment, TeachingAssignment.subject_id == Subject.id)
            .where(TeachingAssignment.class_id == class_group.id)
            .distinct()
        ):
            names.setdefault(subject_id, name)
    exam_results = list(
        db.session.scalars(
            select(ExamResult)
            .where(ExamResult.student_id == student.id, ExamResult.year_id == year.id)
            .options(joinedload(ExamResult.subject))
            .order_by(ExamResult.exam_date, ExamResult.id)
        )
    )
    exam_marks: dict[int, str] = {}
    for result in exam_results:
        names.setdefault(result.subject_id, result.subject.name)
        if result.mark:
            exam_marks[result.subject_id] = max(result.mark, exam_marks.get(result.subject_id, result.mark))
    sits_exams = bool(exam_results) or (class_group is not None and class_group.grade in exam_rules.KINDS_BY_GRADE)
    rule = school_settings(student.school.settings).get("final_mark_rule", exam_rules.DEFAULT_FINAL_MARK_RULE)
    rows = []
    for subject_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        year_mark = values.get(subject_id, {}).get(year_period.id) if year_period else None
        rows.append(ResultRow(
            subject_name=name,
            period_marks={pid: v for pid, v in values.get(subject_id, {}).items() if year_period is None or pid != year_period.id},
            year_mark=year_mark,
            exam_mark=exam_marks.get(subject_id),
            final_mark=exam_rules.final_mark(year_mark, exam_marks.get(subject_id), rule) if sits_exams else None,
        ))
    return FinalResults(year, shown, rows, sits_exams, exam_results)


def year_of(student: Student) -> AcademicYear | None:
    """The academic year of the student's current class."""
    if student.current_class is None:
        return None
    return db.session.get(AcademicYear, student.current_class.year_id)


__all__ = [
    "AttendanceSummary",
    "DayData",
    "DiaryLesson",
    "FinalResults",
    "SubjectSummary",
    "WeekData",
    "attendance_summary",
    "final_results",
    "marks_data",
    "week_data",
    "week_timetable",
]
