"""Use cases of the personal file (личное дело, REP-6, PD-8): gather a year's results from the
journal and the council's decision, write them into the file as a frozen copy (refilled only
with a reason, the old copy kept in the history), fill automatically what is ready by the
school's date, list the files not yet filled, the current marks of a student leaving mid-year,
and the previous school's statement of marks of a student arriving. Operations flush; the
caller commits."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

import policy
from domain import attendance, grading
from domain import personal_files as rules
from domain.messages import N_, Refusal
from domain.settings import school_settings
from extensions import db
from models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    ClassMembership,
    Lesson,
    Mark,
    PeriodMark,
    School,
    Student,
    StudyPeriod,
    TeachingAssignment,
    User,
    WorkKind,
)
from models.archive import CouncilDecision
from models.base import utcnow
from models.personal_files import PersonalFileYear, PersonalFileYearHistory, PreviousSchoolStatement
from utils import audit
from utils.uploads import Upload, UploadStore, check_upload

YEAR = "year"
AUTO = "автоматически"  # who filled a year the job filled
STATEMENT_SUBFOLDER = "previous_school_statements"
STATEMENT_KINDS = ("pdf", "jpg", "jpeg", "png")


def natural_key(book_number: str) -> tuple:
    from blueprints.reports.summary_sheet_queries import natural_key as key

    return key(book_number)


# --- What a year of the file holds ---------------------------------------------------------

def class_in_year(student_id: int, year: AcademicYear) -> ClassGroup | None:
    """The class (not an extra-education group) the student was in last during the year."""
    return db.session.scalar(
        select(ClassGroup)
        .join(ClassMembership, ClassMembership.class_id == ClassGroup.id)
        .where(ClassMembership.student_id == student_id, ClassGroup.year_id == year.id, ClassGroup.kind == "class")
        .order_by(ClassMembership.since.desc(), ClassMembership.id.desc())
        .limit(1)
    )


def year_period(year_id: int) -> StudyPeriod | None:
    return db.session.scalar(select(StudyPeriod).where(StudyPeriod.year_id == year_id, StudyPeriod.scheme == YEAR))


def _assignments(class_group: ClassGroup) -> list[TeachingAssignment]:
    return list(db.session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.class_id == class_group.id)
        .options(joinedload(TeachingAssignment.subject), joinedload(TeachingAssignment.scale))
    ))


def _missed(student_id: int, assignment_ids: list[int], start: date, end: date) -> dict[str, int]:
    counts: Counter = Counter()
    if assignment_ids:
        for code, number in db.session.execute(
            select(Attendance.code, func.count())
            .join(Lesson, Lesson.id == Attendance.lesson_id)
            .where(Lesson.assignment_id.in_(assignment_ids), Lesson.date >= start, Lesson.date <= end,
                   Attendance.student_id == student_id, Attendance.is_deleted.is_(False),
                   Attendance.code.in_(list(attendance.ABSENCES)))
            .group_by(Attendance.code)
        ):
            counts[code] += number
    return rules.missed_split(counts)


def decision_of(student_id: int, year_id: int) -> CouncilDecision | None:
    return db.session.scalar(
        select(CouncilDecision).where(CouncilDecision.student_id == student_id, CouncilDecision.year_id == year_id)
    )


@dataclass
class YearResults:
    """A year's results gathered live from the journal (what a fill would write)."""

    class_group: ClassGroup | None
    copy: dict  # the fields of PersonalFileYear as they would be written
    missing: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.class_group is not None and not self.missing


def gather(student: Student, year: AcademicYear) -> YearResults:
    """The year marks per subject, missed lessons and the council's decision of one student."""
    class_group = class_in_year(student.id, year)
    if class_group is None:
        return YearResults(None, {}, [(N_("обучающийся не числился в классе в этом году"), {})])
    assignments = _assignments(class_group)
    subjects = sorted({a.subject.name for a in assignments})
    period = year_period(year.id)
    marks: dict[str, str] = {}
    if period is not None and assignments:
        names = {a.subject_id: a.subject.name for a in assignments}
        for subject_id, value in db.session.execute(
            select(PeriodMark.subject_id, PeriodMark.value)
            .where(PeriodMark.student_id == student.id, PeriodMark.period_id == period.id,
                   PeriodMark.assignment_id.in_([a.id for a in assignments]))
        ):
            marks[names[subject_id]] = value
    if class_group.attendance_only:
        subjects = []  # first grade: no marks (003 Положение 1.3)
    missed = _missed(student.id, [a.id for a in assignments], year.start_date, year.end_date)
    decision = decision_of(student.id, year.id)
    copy = {
        "class_id": class_group.id,
        "class_name": class_group.name,
        "book_number": student.book_number,
        "marks": [[s, marks.get(s, "")] for s in subjects],
        "missed_total": missed["total"],
        "missed_ill": missed["ill"],
        "missed_excused": missed["excused"],
        "missed_unexcused": missed["unexcused"],
        "decision": decision.decision if decision else "",
        "protocol_number": decision.protocol_number if decision else "",
        "protocol_date": decision.protocol_date.isoformat() if decision and decision.protocol_date else None,
        "decision_note": decision.note if decision else "",
    }
    missing = rules.missing_for_fill(marks, subjects, decision.decision if decision else None)
    if period is None and subjects:
        missing.insert(0, (N_("в учебном году нет периода «год»: годовые отметки не выставляются"), {}))
    return YearResults(class_group, copy, missing)


def _copy_of(entry: PersonalFileYear) -> dict:
    return {
        "class_id": entry.class_id, "class_name": entry.class_name, "book_number": entry.book_number,
        "marks": entry.marks, "missed_total": entry.missed_total, "missed_ill": entry.missed_ill,
        "missed_excused": entry.missed_excused, "missed_unexcused": entry.missed_unexcused,
        "decision": entry.decision, "protocol_number": entry.protocol_number,
        "protocol_date": entry.protocol_date.isoformat() if entry.protocol_date else None,
        "decision_note": entry.decision_note,
    }


def shown_copy(copy: dict) -> dict:
    """A copy as the pages and the PDF show it: the protocol's date as «28.05.2027»."""
    shown = dict(copy)
    if shown.get("protocol_date"):
        shown["protocol_date"] = date.fromisoformat(shown["protocol_date"]).strftime("%d.%m.%Y")
    return shown


def entry_of(student_id: int, year_id: int) -> PersonalFileYear | None:
    return db.session.scalar(
        select(PersonalFileYear).where(PersonalFileYear.student_id == student_id, PersonalFileYear.year_id == year_id)
    )


def fill(student: Student, year: AcademicYear, by_user: User | None, reason: str = "") -> PersonalFileYear:
    """Write the year into the personal file (a frozen copy). Refused when something is
    missing, or when the year is already filled and no reason is given; a refill keeps the
    replaced copy in the history. `by_user` None: the scheduled job."""
    existing = entry_of(student.id, year.id)
    problem = rules.refill_problem(existing is not None, reason)
    if problem is not None:
        raise problem
    results = gather(student, year)
    if not results.ready:
        message, params = results.missing[0]
        raise Refusal(N_("Год ещё нельзя внести в личное дело: %(what)s."), 409,
                      what=message % params if params else message)
    copy = dict(results.copy)
    copy["protocol_date"] = date.fromisoformat(copy["protocol_date"]) if copy["protocol_date"] else None
    who = by_user.full_name if by_user is not None else AUTO
    if existing is None:
        entry = PersonalFileYear(school_id=student.school_id, student_id=student.id, year_id=year.id,
                                 filled_by_id=by_user.id if by_user else None, filled_by_name=who, **copy)
        db.session.add(entry)
        db.session.flush()
        audit.record("personal_file_year", entry.id, "fill", after=results.copy, school_id=student.school_id,
                     user_id=by_user.id if by_user else None)
        return entry
    before = _copy_of(existing)
    existing.history.append(PersonalFileYearHistory(
        version=existing.version, data={**before, "filled_by_name": existing.filled_by_name,
                                        "filled_at": existing.filled_at.isoformat() if existing.filled_at else None},
        replaced_by_id=by_user.id if by_user else None, replaced_by_name=who, reason=reason.strip(),
    ))
    for key, value in copy.items():
        setattr(existing, key, value)
    existing.version += 1
    existing.reason = reason.strip()
    existing.filled_by_id = by_user.id if by_user else None
    existing.filled_by_name = who
    existing.filled_at = utcnow()
    db.session.flush()
    audit.record("personal_file_year", existing.id, "refill", before=before, after=results.copy,
                 reason=reason.strip(), school_id=student.school_id, user_id=by_user.id if by_user else None)
    return existing


# --- Which files are not filled yet --------------------------------------------------------

@dataclass
class Unfilled:
    student: Student
    missing: list[tuple[str, dict]]


@dataclass
class ClassUnfilled:
    class_group: ClassGroup
    students: list[Unfilled]


def current_year(school_id: int) -> AcademicYear | None:
    return db.session.scalar(
        select(AcademicYear).where(AcademicYear.school_id == school_id, AcademicYear.is_current.is_(True)).limit(1)
    )


def _students_of(classes: list[ClassGroup], year: AcademicYear) -> dict[int, list[Student]]:
    """The students of the classes at the year's end (still members on its last day or later):
    one statement."""
    by_class: dict[int, list[Student]] = defaultdict(list)
    if not classes:
        return by_class
    for student, class_id in db.session.execute(
        select(Student, ClassMembership.class_id)
        .join(ClassMembership, ClassMembership.student_id == Student.id)
        .where(ClassMembership.class_id.in_([c.id for c in classes]),
               or_(ClassMembership.until.is_(None), ClassMembership.until >= year.end_date))
    ):
        if all(s.id != student.id for s in by_class[class_id]):
            by_class[class_id].append(student)
    for students in by_class.values():
        students.sort(key=lambda s: (natural_key(s.book_number), s.last_name, s.id))
    return by_class


def unfilled(user: User, year: AcademicYear) -> list[ClassUnfilled]:
    """The students of the year's classes whose file has no entry for the year, with what is
    still missing: administrators every class, class teachers their own."""
    query = (select(ClassGroup).where(ClassGroup.year_id == year.id, ClassGroup.kind == "class")
             .order_by(ClassGroup.grade, ClassGroup.name))
    if not policy.can_administer(user):
        query = query.where(ClassGroup.class_teacher_id == user.id)
    classes = list(db.session.scalars(query))
    by_class = _students_of(classes, year)
    ids = [s.id for students in by_class.values() for s in students]
    filled = set(db.session.scalars(
        select(PersonalFileYear.student_id).where(PersonalFileYear.year_id == year.id, PersonalFileYear.student_id.in_(ids))
    )) if ids else set()
    groups = []
    for class_group in classes:
        rows = [Unfilled(s, []) for s in by_class.get(class_group.id, []) if s.id not in filled]
        if rows:
            _missing_for(class_group, year, rows)
            groups.append(ClassUnfilled(class_group, rows))
    return groups


def _missing_for(class_group: ClassGroup, year: AcademicYear, rows: list[Unfilled]) -> None:
    """What each listed student still lacks (a bounded number of statements per class)."""
    assignments = _assignments(class_group)
    subjects = [] if class_group.attendance_only else sorted({a.subject.name for a in assignments})
    period = year_period(year.id)
    ids = [row.student.id for row in rows]
    marks: dict[int, dict[str, str]] = defaultdict(dict)
    if period is not None and assignments:
        names = {a.subject_id: a.subject.name for a in assignments}
        for student_id, subject_id, value in db.session.execute(
            select(PeriodMark.student_id, PeriodMark.subject_id, PeriodMark.value)
            .where(PeriodMark.period_id == period.id, PeriodMark.student_id.in_(ids),
                   PeriodMark.assignment_id.in_([a.id for a in assignments]))
        ):
            marks[student_id][names[subject_id]] = value
    decided = dict(db.session.execute(
        select(CouncilDecision.student_id, CouncilDecision.decision)
        .where(CouncilDecision.year_id == year.id, CouncilDecision.student_id.in_(ids))
    ).all())
    for row in rows:
        row.missing = rules.missing_for_fill(marks[row.student.id], subjects, decided.get(row.student.id))
        if period is None and subjects:
            row.missing.insert(0, (N_("в учебном году нет периода «год»: годовые отметки не выставляются"), {}))


def fill_ready(school: School, year: AcademicYear, today: date, by_user: User | None = None,
               force_date: bool = False) -> dict[str, int]:
    """Fill every file of the year that is ready and not filled yet, once the school's date
    («personal_file_fill_by») has come (or at once with `force_date`: the button and the
    command). Filled years are never touched: a rerun does nothing new."""
    settings = school_settings(school.settings, current_app.config)
    due = rules.fill_date(year.end_date, settings.get("personal_file_fill_by"))
    if today < due and not force_date:
        return {"filled": 0, "not_ready": 0, "not_due": 1}
    classes = list(db.session.scalars(
        select(ClassGroup).where(ClassGroup.year_id == year.id, ClassGroup.kind == "class")
    ))
    by_class = _students_of(classes, year)
    ids = [s.id for students in by_class.values() for s in students]
    done = set(db.session.scalars(
        select(PersonalFileYear.student_id).where(PersonalFileYear.year_id == year.id)
    )) if ids else set()
    filled = not_ready = 0
    for students in by_class.values():
        for student in students:
            if student.id in done:
                continue
            if not gather(student, year).ready:
                not_ready += 1
                continue
            fill(student, year, by_user)
            done.add(student.id)
            filled += 1
    return {"filled": filled, "not_ready": not_ready, "not_due": 0}


# --- A student leaving mid-year: the current marks ----------------------------------------

@dataclass
class SubjectNow:
    name: str
    period_marks: list[str]  # one per period of the class's scheme so far
    average: str  # the weighted average of the year's current marks, «4,25»


@dataclass
class CurrentMarks:
    class_group: ClassGroup | None
    periods: list[StudyPeriod]
    subjects: list[SubjectNow]
    missed: dict[str, int]


def current_marks(student: Student, year: AcademicYear, today: date) -> CurrentMarks:
    """Period marks so far and the averages of the current marks per subject, and the missed
    lessons of the year up to today (001:2.6.11)."""
    class_group = class_in_year(student.id, year)
    if class_group is None:
        return CurrentMarks(None, [], [], rules.missed_split({}))
    periods = list(db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id == year.id, StudyPeriod.scheme == class_group.period_scheme,
                                  StudyPeriod.start_date <= today).order_by(StudyPeriod.number)
    ))
    assignments = _assignments(class_group)
    ids = [a.id for a in assignments]
    period_marks: dict[tuple[int, int], str] = {}
    values: dict[int, list[tuple[str, object]]] = defaultdict(list)
    if ids:
        for subject_id, period_id, value in db.session.execute(
            select(PeriodMark.subject_id, PeriodMark.period_id, PeriodMark.value)
            .where(PeriodMark.student_id == student.id, PeriodMark.assignment_id.in_(ids),
                   PeriodMark.period_id.in_([p.id for p in periods] or [0]))
        ):
            period_marks[(subject_id, period_id)] = value
        for subject_id, value, weight in db.session.execute(
            select(TeachingAssignment.subject_id, Mark.value, WorkKind.weight)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
            .join(WorkKind, WorkKind.id == Mark.work_kind_id)
            .where(Mark.student_id == student.id, Mark.is_deleted.is_(False), Lesson.assignment_id.in_(ids),
                   Lesson.date >= year.start_date, Lesson.date <= today)
        ):
            values[subject_id].append((value, weight))
    settings = school_settings(student.school.settings, current_app.config)
    subjects: dict[int, SubjectNow] = {}
    for a in sorted(assignments, key=lambda a: a.subject.name):
        if a.subject_id in subjects or class_group.attendance_only:
            continue
        scale = a.scale.code
        average = grading.weighted_average(grading.numeric_marks(values[a.subject_id], scale),
                                           bool(settings.get("use_weights", True))) if scale in grading.SCALES else None
        subjects[a.subject_id] = SubjectNow(
            a.subject.name, [period_marks.get((a.subject_id, p.id), "") for p in periods],
            grading.format_average(average))
    missed = _missed(student.id, ids, year.start_date, today)
    return CurrentMarks(class_group, periods, list(subjects.values()), missed)


# --- A student arriving: the previous school's statement of marks -------------------------

def statement_files(upload_folder: str) -> UploadStore:
    return UploadStore(upload_folder, STATEMENT_SUBFOLDER)


def check_statement(storage, max_size: int) -> Upload:
    upload = check_upload(storage, max_size, STATEMENT_KINDS,
                          N_("Файл «%(name)s» не принят: ведомость принимается как PDF, JPG или PNG."))
    if upload is None:
        raise Refusal(N_("Выберите файл ведомости (PDF, JPG или PNG)."), 400)
    return upload


def attach_statement(student: Student, upload: Upload, issued_by: str, issued_on: date, files: UploadStore,
                     by_user: User, today: date) -> PreviousSchoolStatement:
    issued_by = (issued_by or "").strip()
    if not issued_by:
        raise Refusal(N_("Укажите школу, выдавшую ведомость."), 400)
    if issued_on is None:
        raise Refusal(N_("Укажите дату ведомости."), 400)
    if issued_on > today:
        raise Refusal(N_("Дата ведомости не может быть позже сегодняшней."), 400)
    statement = PreviousSchoolStatement(
        school_id=student.school_id, student_id=student.id, issued_by=issued_by[:300], issued_on=issued_on,
        file_path=files.write(upload), file_name=upload.original_name, file_mime=upload.content_type,
        file_size=len(upload.data), uploaded_by_id=by_user.id,
    )
    db.session.add(statement)
    db.session.flush()
    audit.record("previous_school_statement", statement.id, "attach",
                 after={"student_id": student.id, "issued_by": statement.issued_by,
                        "issued_on": issued_on.isoformat(), "file_name": statement.file_name},
                 school_id=student.school_id, user_id=by_user.id)
    return statement


def statements_of(student_id: int) -> list[PreviousSchoolStatement]:
    return list(db.session.scalars(
        select(PreviousSchoolStatement).where(PreviousSchoolStatement.student_id == student_id)
        .order_by(PreviousSchoolStatement.issued_on.desc(), PreviousSchoolStatement.id.desc())
    ))


def file_years(student_id: int) -> list[PersonalFileYear]:
    """The filled years of a student's file with their history and year, oldest first."""
    return list(db.session.scalars(
        select(PersonalFileYear).where(PersonalFileYear.student_id == student_id)
        .options(joinedload(PersonalFileYear.year), joinedload(PersonalFileYear.history))
        .join(AcademicYear, AcademicYear.id == PersonalFileYear.year_id)
        .order_by(AcademicYear.start_date)
    ).unique())
