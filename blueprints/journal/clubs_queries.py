"""Reads of the additional-education groups' journal (JRN-9): the groups a user sees, one
group's page (members, sessions, attendance, results, achievements) in a fixed number of
queries, and a student's groups for the diary. The roster is the journal's own
(queries.roster_query reads ClubMembership for a group of kind "extra")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.journal import queries
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    ClubAchievement,
    ClubMembership,
    ClubResult,
    ClubResultForm,
    Lesson,
    ScheduleSlot,
    Student,
    StudyPeriod,
    TeachingAssignment,
    User,
)
from utils.timeutil import school_today


def is_club(assignment: TeachingAssignment) -> bool:
    return assignment.class_group.kind == "extra"


def clubs_of(user: User, year_ids: list[int] | None = None) -> list[TeachingAssignment]:
    """The clubs' assignments the user may open: their own, or all of the school for readers."""
    query = (
        select(TeachingAssignment)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(ClassGroup.kind == "extra", TeachingAssignment.school_id == user.school_id)
        .options(selectinload(TeachingAssignment.class_group), selectinload(TeachingAssignment.teacher),
                 selectinload(TeachingAssignment.subject), selectinload(TeachingAssignment.year))
        .order_by(ClassGroup.name, TeachingAssignment.id)
    )
    if not policy.can_read_all_journals(user):
        query = query.where(TeachingAssignment.teacher_id == user.id)
    return list(db.session.scalars(query))


def result_form(group_id: int) -> ClubResultForm | None:
    return db.session.scalar(select(ClubResultForm).where(ClubResultForm.group_id == group_id))


@dataclass
class ClubPage:
    assignment: TeachingAssignment
    form: str
    levels: list[str]
    members: list[Student]
    sessions: list[Lesson]
    slots: list[ScheduleSlot]
    periods: list[StudyPeriod]
    absences: dict[tuple[int, int], Attendance] = field(default_factory=dict)
    results: dict[tuple[int, int], ClubResult] = field(default_factory=dict)
    achievements: list[ClubAchievement] = field(default_factory=list)


def load_page(assignment: TeachingAssignment, student_ids: list[int] | None = None) -> ClubPage:
    """Everything of one group's journal for the year; `student_ids` narrows it to a family's
    children. The number of queries does not grow with members or sessions."""
    year = assignment.year
    group_id = assignment.class_id
    saved = result_form(group_id)
    members = list(db.session.scalars(
        queries.roster_query(assignment, year.start_date, year.end_date).options(selectinload(Student.current_class))
    ))
    if student_ids is not None:
        members = [m for m in members if m.id in student_ids]
    ids = [m.id for m in members] or [0]
    sessions = list(db.session.scalars(
        select(Lesson).where(Lesson.assignment_id == assignment.id).order_by(Lesson.date, Lesson.lesson_number)
    ))
    slots = list(db.session.scalars(
        select(ScheduleSlot).where(ScheduleSlot.assignment_id == assignment.id)
        .order_by(ScheduleSlot.weekday, ScheduleSlot.lesson_number)
    ))
    absences = {
        (row.lesson_id, row.student_id): row
        for row in db.session.scalars(
            select(Attendance).join(Lesson, Lesson.id == Attendance.lesson_id)
            .where(Lesson.assignment_id == assignment.id, Attendance.is_deleted.is_(False),
                   Attendance.student_id.in_(ids))
        )
    }
    results = {
        (row.student_id, row.period_id): row
        for row in db.session.scalars(
            select(ClubResult).where(ClubResult.group_id == group_id, ClubResult.student_id.in_(ids))
        )
    }
    achievements = list(db.session.scalars(
        select(ClubAchievement)
        .where(ClubAchievement.group_id == group_id, ClubAchievement.is_deleted.is_(False),
               ClubAchievement.student_id.in_(ids))
        .options(selectinload(ClubAchievement.student))
        .order_by(ClubAchievement.date, ClubAchievement.id)
    ))
    return ClubPage(
        assignment=assignment,
        form=saved.form if saved else "pass_fail",
        levels=saved.level_list if saved else [],
        members=members,
        sessions=sessions,
        slots=slots,
        periods=queries.periods_of(assignment),
        absences=absences,
        results=results,
        achievements=achievements,
    )


def student_clubs(student: Student, day: date) -> list[TeachingAssignment]:
    """The clubs' assignments of the groups the student belongs to on the day (the diary)."""
    # no DISTINCT (PostgreSQL refuses it with ORDER BY a joined column): two stays of one day
    # are impossible in practice, and the dict below keeps one row per assignment anyway
    rows = db.session.scalars(
        select(TeachingAssignment)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .join(ClubMembership, ClubMembership.group_id == ClassGroup.id)
        .where(ClassGroup.kind == "extra", ClubMembership.student_id == student.id,
               ClubMembership.since <= day,
               (ClubMembership.until.is_(None)) | (ClubMembership.until >= day))
        .options(selectinload(TeachingAssignment.class_group), selectinload(TeachingAssignment.teacher),
                 selectinload(TeachingAssignment.year))
        .order_by(ClassGroup.name, TeachingAssignment.id)
    )
    return list({a.id: a for a in rows}.values())


def diary_pages(student: Student) -> list[ClubPage]:
    """The clubs of a student for the diary's week page, narrowed to this student: the
    schedule, their attendance and results and achievements (JRN-9; the diary page has checked
    who may read the student). Loaded by the view: the template only walks it."""
    today = school_today(student.school.timezone)
    return [load_page(a, student_ids=[student.id]) for a in student_clubs(student, today)]
