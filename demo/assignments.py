"""The demo's distance assignment (JRN-10): one assignment in 5А mathematics for its latest
recorded lesson, with two submissions — one late, one checked and marked (the mark lands in
the grid through the journal's rules, history «через задание»)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from extensions import db


def fill(school_id: int, seed: int) -> dict[str, int]:
    from blueprints.journal.operations import JournalError, set_work_mark
    from models import ClassGroup, Lesson, School, Student, Subject, TeachingAssignment, WorkKind
    from models.assignments import DistanceAssignment, DistanceSubmission
    from models.base import utcnow

    school = db.session.get(School, school_id)
    journal = db.session.scalar(
        select(TeachingAssignment).join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(TeachingAssignment.school_id == school_id, ClassGroup.name == "5А", Subject.name == "Математика")
        .order_by(TeachingAssignment.id).limit(1))
    if journal is None:
        return {}
    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == journal.id)
                               .order_by(Lesson.date.desc(), Lesson.lesson_number.desc()).limit(1))
    kind = db.session.scalar(select(WorkKind).where(WorkKind.school_id == school_id, WorkKind.is_active.is_(True))
                             .order_by(WorkKind.weight.desc(), WorkKind.id).limit(1))
    if lesson is None or kind is None:
        return {}
    tz = ZoneInfo(school.timezone)
    due = datetime.combine(lesson.date, time(20, 0), tzinfo=tz).astimezone(timezone.utc)
    item = DistanceAssignment(
        school_id=school_id, assignment_id=journal.id, lesson_id=lesson.id, work_kind_id=kind.id,
        title=f"Самостоятельная работа: {lesson.topic or 'задачи урока'}"[:200],
        text="Решите задачи из учебника и пришлите решение текстом или фотографией тетради.",
        due_at=due, assessment="mark", created_by_id=journal.teacher_id,
    )
    db.session.add(item)
    db.session.flush()
    pupils = list(db.session.scalars(select(Student).where(Student.current_class_id == journal.class_id)
                                     .order_by(Student.last_name, Student.first_name, Student.id).limit(6)))
    submissions = 0
    if pupils:
        late = DistanceSubmission(school_id=school_id, distance_assignment_id=item.id, student_id=pupils[0].id,
                                  text="Решил задачи 1–3, четвёртую не успел.", submitted_at=due + timedelta(hours=14),
                                  is_late=True)
        db.session.add(late)
        submissions += 1
    for pupil in pupils[1:]:
        checked = DistanceSubmission(school_id=school_id, distance_assignment_id=item.id, student_id=pupil.id,
                                     text="Все задачи решены, ответы: 12; 3/4; 0,5.",
                                     submitted_at=due - timedelta(hours=3))
        db.session.add(checked)
        db.session.flush()
        try:
            with db.session.begin_nested():
                set_work_mark(lesson, pupil, journal.teacher, kind, "5", via="assignment")
        except JournalError:  # absent that day, or the period closed: the next student
            db.session.delete(checked)
            db.session.flush()
            continue
        checked.status, checked.mark_value, checked.comment = "checked", "5", "Отлично, всё верно."
        checked.reviewed_at, checked.reviewed_by_id = utcnow(), journal.teacher_id
        submissions += 1
        break
    db.session.flush()
    return {"distance_assignments": 1, "distance_submissions": submissions}
