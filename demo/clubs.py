"""The demo's robotics club (JRN-9): the last weeks' sessions with topics and attendance, the
group's form of results (levels of the teacher's list) with the year's results, and one
achievement, so that the club's journal, its printout and the members' diaries look real.
Deterministic for a seed; rows are added directly, as the rest of the demo's journal."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from demo.journal import school_days
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    ClubAchievement,
    ClubMembership,
    ClubResult,
    ClubResultForm,
    Holiday,
    Lesson,
    ScheduleSlot,
    School,
    StudyPeriod,
    TeachingAssignment,
)
from utils.timeutil import school_today

TOPICS = ["Знакомство с конструктором", "Датчики касания", "Моторы и передачи", "Датчик цвета",
          "Движение по линии", "Программирование циклов", "Соревнование «Сумо»", "Проект: робот-сортировщик"]
LEVELS = ["начальный", "базовый", "продвинутый"]
WEEKS = 6


def fill(school_id: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed * 7 + 9)
    school = db.session.get(School, school_id)
    club = db.session.scalar(select(ClassGroup).where(ClassGroup.school_id == school_id, ClassGroup.kind == "extra")
                             .order_by(ClassGroup.id))
    if club is None:
        return {}
    assignment = db.session.scalar(select(TeachingAssignment).where(TeachingAssignment.class_id == club.id))
    slots = list(db.session.scalars(select(ScheduleSlot).where(ScheduleSlot.assignment_id == assignment.id)))
    members = [m.student_id for m in db.session.scalars(
        select(ClubMembership).where(ClubMembership.group_id == club.id, ClubMembership.until.is_(None)).order_by(ClubMembership.student_id))]
    year = club.year
    yesterday = school_today(school.timezone) - timedelta(days=1)
    start = max(year.start_date + timedelta(days=7), yesterday - timedelta(weeks=WEEKS))
    until = min(yesterday, year.end_date)
    holidays = [(h.start_date, h.end_date) for h in db.session.scalars(select(Holiday))]
    by_weekday = {slot.weekday: slot for slot in slots}
    sessions = []
    if start <= until:
        for day in school_days(start, until, holidays):
            slot = by_weekday.get(day.isoweekday())
            if slot is not None:
                sessions.append(Lesson(school_id=school_id, assignment_id=assignment.id, date=day,
                                       lesson_number=slot.lesson_number, topic=TOPICS[len(sessions) % len(TOPICS)],
                                       given_by_id=assignment.teacher_id, attendance_taken=True))
    db.session.add_all(sessions)
    db.session.flush()
    absences = [
        Attendance(school_id=school_id, lesson_id=lesson.id, student_id=student_id, code="absent",
                   created_by_id=assignment.teacher_id, updated_by_id=assignment.teacher_id)
        for lesson in sessions for student_id in members if rng.random() < 0.08
    ]
    db.session.add_all(absences)
    db.session.add(ClubResultForm(group_id=club.id, form="level", levels="\n".join(LEVELS),
                                  updated_by_id=assignment.teacher_id))
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.year_id == year.id,
                                                         StudyPeriod.scheme == club.period_scheme)
                               .order_by(StudyPeriod.number))
    results = []
    if period is not None:
        results = [ClubResult(group_id=club.id, student_id=student_id, period_id=period.id, form="level",
                              value=rng.choice(LEVELS), updated_by_id=assignment.teacher_id)
                   for student_id in members]
    db.session.add_all(results)
    achievements = []
    if members:
        achievements.append(ClubAchievement(
            group_id=club.id, student_id=members[0], event="Муниципальный фестиваль робототехники «РобоСтарт»",
            date=sessions[-1].date if sessions else year.start_date + timedelta(days=30), level="municipal",
            result="2 место", created_by_id=assignment.teacher_id))
    db.session.add_all(achievements)
    db.session.flush()
    return {"club_sessions": len(sessions), "club_absences": len(absences), "club_results": len(results),
            "club_achievements": len(achievements)}
