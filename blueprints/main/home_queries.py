"""The home page's data by role (issue 12, item 5): what the user has to do today.

Plain dataclasses built from the queries the other pages already have (today's lessons of
/journal/today, the deadlines of /journal/overdue, the figures of /reports/statistics and of
/journal/control, the inspections' schedule); a fixed number of statements per role, however
large the school (tests/test_query_budgets.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

import policy
from blueprints.journal import control_queries, schedule_queries
from blueprints.reports import inspections_queries, statistics_queries
from domain.attendance import ABSENCES
from domain.periods import current_period
from domain.settings import school_settings
from extensions import db
from models import AcademicYear, Attendance, ClassGroup, Lesson, Student, StudyPeriod, TeachingAssignment, User
from models.diary import AbsenceNote
from models.inspections import Inspection, InspectionRemark
from models.pd_destruction import DestructionTask

PD_OVERDUE_SHOWN = 10


@dataclass
class TodayLesson:
    item: object  # schedule_queries.ScheduledLesson
    lesson: Lesson | None  # recorded already
    mine: bool


@dataclass
class ClassToday:
    class_group: ClassGroup
    students: int = 0
    absent: int = 0  # students with an absence code in some lesson of today
    notes_waiting: int = 0  # absence notes the class teacher has to decide


@dataclass
class TeacherHome:
    day: date
    lessons: list[TodayLesson] = field(default_factory=list)
    missing: int = 0  # lessons of the timetable not recorded in time
    no_topic: int = 0
    no_homework: int = 0
    remarks_open: int = 0  # inspection remarks to correct
    remark_assignment_id: int | None = None  # the journal of the first of them
    classes: list[ClassToday] = field(default_factory=list)  # as class teacher

    @property
    def overdue(self) -> int:
        return self.missing + self.no_topic + self.no_homework

    @property
    def notes_waiting(self) -> int:
        return sum(c.notes_waiting for c in self.classes)


@dataclass
class OfficeHome:
    day: date
    period: StudyPeriod | None = None
    performance: object = None  # Decimal | None
    quality: object = None
    official: bool = False  # from the period marks (else estimated from the averages)
    students: int = 0
    absent_today: int = 0  # students absent from some lesson of today
    topic_share: int | None = None  # journal-keeping compliance in the current period
    homework_share: int | None = None
    overdue_teachers: int = 0
    overdue_items: int = 0
    inspections_due: int = 0
    control: bool = False  # may see journal-keeping control and the inspections due
    # open destruction tasks past their due date (PD-2): (task id, student's name, due date)
    pd_overdue: list[tuple[int, str, date]] = field(default_factory=list)

    @property
    def absent_share(self) -> int | None:
        return round(100 * self.absent_today / self.students) if self.students else None


def teacher_home(user: User, day: date, now: datetime) -> TeacherHome:
    home = TeacherHome(day)
    items = schedule_queries.teacher_day(user, day)
    recorded = {
        (lesson.assignment_id, lesson.lesson_number): lesson
        for lesson in db.session.scalars(
            select(Lesson).where(Lesson.date == day, Lesson.assignment_id.in_({i.assignment_id for i in items} or {0}))
        )
    }
    home.lessons = [
        TodayLesson(i, recorded.get((i.assignment_id, i.lesson_number)), i.given_by_id == user.id) for i in items
    ]
    report = control_queries.journal_deadlines(user.school, now, teacher_id=user.id).get(user.id)
    if report is not None:
        home.missing, home.no_topic, home.no_homework = len(report.missing), len(report.no_topic), len(report.no_homework)
    remarks = db.session.execute(
        select(Inspection.assignment_id, func.count())
        .join(InspectionRemark.inspection)
        .join(TeachingAssignment, TeachingAssignment.id == Inspection.assignment_id)
        .where(TeachingAssignment.teacher_id == user.id, InspectionRemark.status == "open")
        .group_by(Inspection.assignment_id)
        .order_by(Inspection.assignment_id)
    ).all()
    home.remarks_open = sum(n for _a, n in remarks)
    home.remark_assignment_id = remarks[0][0] if remarks else None
    if user.has_role("class_teacher"):
        home.classes = _own_classes(user, day)
    return home


def _own_classes(user: User, day: date) -> list[ClassToday]:
    classes = list(db.session.scalars(
        select(ClassGroup)
        .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
        .where(ClassGroup.class_teacher_id == user.id, ClassGroup.kind == "class", AcademicYear.is_current.is_(True))
        .order_by(ClassGroup.grade, ClassGroup.name)
    ))
    if not classes:
        return []
    rows = {c.id: ClassToday(c) for c in classes}
    ids = list(rows)
    for class_id, n in db.session.execute(
        select(Student.current_class_id, func.count()).where(Student.current_class_id.in_(ids)).group_by(Student.current_class_id)
    ):
        rows[class_id].students = n
    for class_id, n in db.session.execute(
        select(Student.current_class_id, func.count(func.distinct(Attendance.student_id)))
        .join(Attendance, Attendance.student_id == Student.id)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(Student.current_class_id.in_(ids), Lesson.date == day, Attendance.is_deleted.is_(False),
               Attendance.code.in_(sorted(ABSENCES)))
        .group_by(Student.current_class_id)
    ):
        rows[class_id].absent = n
    for class_id, n in db.session.execute(
        select(Student.current_class_id, func.count())
        .join(AbsenceNote, AbsenceNote.student_id == Student.id)
        .where(Student.current_class_id.in_(ids), AbsenceNote.status == "submitted")
        .group_by(Student.current_class_id)
    ):
        rows[class_id].notes_waiting = n
    return list(rows.values())


def office_home(user: User, day: date, now: datetime) -> OfficeHome:
    school = user.school
    home = OfficeHome(day)
    year = db.session.scalar(
        select(AcademicYear).where(AcademicYear.school_id == school.id, AcademicYear.is_current.is_(True))
    )
    if year is not None:
        periods = list(db.session.scalars(
            select(StudyPeriod).where(StudyPeriod.year_id == year.id, StudyPeriod.scheme == "quarter")
            .order_by(StudyPeriod.start_date)
        ))
        home.period = current_period(periods, day)
    if home.period is not None and home.period.start_date <= day:
        stats = statistics_queries.school_statistics(school, home.period, school_settings(school.settings), day)
        home.official = stats.has_period_marks
        shares = stats.school.official if home.official else stats.school.estimate
        home.performance, home.quality = shares.performance, shares.quality
    # Attendance today: the students absent from some lesson of today, of the school's students.
    home.absent_today = db.session.scalar(
        select(func.count(func.distinct(Attendance.student_id)))
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(Attendance.school_id == school.id, Lesson.date == day, Attendance.is_deleted.is_(False),
               Attendance.code.in_(sorted(ABSENCES)))
    ) or 0
    home.students = db.session.scalar(
        select(func.count()).select_from(Student)
        .join(ClassGroup, ClassGroup.id == Student.current_class_id)
        .where(ClassGroup.school_id == school.id, ClassGroup.kind == "class")
    ) or 0
    home.control = policy.can_view_journal_control(user)
    if home.control:
        reports = control_queries.journal_deadlines(school, now)
        home.overdue_teachers = sum(1 for r in reports.values() if r.overdue_count)
        home.overdue_items = sum(r.overdue_count for r in reports.values())
        assignments = [a for r in reports.values() for a in r.assignments]
        figures, _families = control_queries.journal_figures(school, now, assignments)
        lessons = sum(f.lessons for f in figures)
        if lessons:
            home.topic_share = round(100 * sum(f.with_topic for f in figures) / lessons)
        marked = [f for f in figures if f.assignment.carries_marks]
        marked_lessons = sum(f.lessons for f in marked)
        if marked_lessons:
            home.homework_share = round(100 * sum(f.with_homework for f in marked) / marked_lessons)
        home.inspections_due = len(inspections_queries.overdue_journals(school.id, day))
    if policy.can_manage_destruction(user):
        home.pd_overdue = [
            (task_id, f"{last} {first}", due)
            for task_id, last, first, due in db.session.execute(
                select(DestructionTask.id, Student.last_name, Student.first_name, DestructionTask.due_on)
                .join(Student, Student.id == DestructionTask.student_id)
                .where(DestructionTask.school_id == school.id, DestructionTask.status == "open",
                       DestructionTask.due_on < day)
                .order_by(DestructionTask.due_on, DestructionTask.id)
                .limit(PD_OVERDUE_SHOWN)
            )
        ]
    return home



def missing_consents(user: User, day: date) -> int | None:
    """Students without a consent in force (PD-1) for the class teacher's classes or, for an
    administrator, the school: one statement; None for those who do not follow consents."""
    if not policy.can_follow_consents(user):
        return None
    from blueprints.personal_data.card_operations import missing_count

    return missing_count(user, day)
