"""A realistic current quarter in the demo school's journal: lessons from the timetable with
topics, kinds of work and homework, absences and marks, so that the journal, the diary and the
weekly reports have something to show. Deterministic for a given seed."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from extensions import db
from models import (
    Attendance,
    ClassGroup,
    ClassMembership,
    Holiday,
    Homework,
    Lesson,
    LessonWork,
    Mark,
    MarkingScale,
    ScheduleSlot,
    SubgroupMember,
    TeachingAssignment,
    WorkKind,
)
from models.base import utcnow

TOPICS = ["Повторение пройденного", "Новый материал", "Решение задач", "Практикум", "Обобщение",
          "Работа над ошибками", "Проверочная работа", "Закрепление", "Урок-исследование", "Итоговое повторение"]
ABSENCE_CODES = ["ill", "ill", "excused", "unexcused", "late"]


def school_days(start: date, end: date, holidays: list[tuple[date, date]]) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.isoweekday() <= 5 and not any(s <= day <= e for s, e in holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


def fill_journal(school_id: int, start: date, until: date, seed: int = 2026) -> dict[str, int]:
    """Record every timetable lesson of the school from `start` to `until` (inclusive)."""
    rng = random.Random(seed)
    now = utcnow()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind).where(WorkKind.school_id == school_id))}
    holidays = [(h.start_date, h.end_date) for h in db.session.scalars(select(Holiday))]
    slots = db.session.execute(
        select(ScheduleSlot, TeachingAssignment, ClassGroup, MarkingScale.code)
        .join(TeachingAssignment, TeachingAssignment.id == ScheduleSlot.assignment_id)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .join(MarkingScale, MarkingScale.id == TeachingAssignment.scale_id)
        .where(ScheduleSlot.school_id == school_id, ClassGroup.kind == "class")
    ).all()
    members = defaultdict(list)
    for class_id, student_id in db.session.execute(select(ClassMembership.class_id, ClassMembership.student_id)):
        members[class_id].append(student_id)
    subgroup_members = defaultdict(set)
    for subgroup_id, student_id in db.session.execute(select(SubgroupMember.subgroup_id, SubgroupMember.student_id)):
        subgroup_members[subgroup_id].add(student_id)
    ability = {sid: rng.gauss(3.9, 0.5) for ids in members.values() for sid in ids}  # a student's usual level

    by_weekday = defaultdict(list)
    for slot, assignment, group, scale in slots:
        by_weekday[slot.weekday].append((slot, assignment, group, scale))
    lessons, plans = [], []
    counters: dict[int, int] = defaultdict(int)
    for day in school_days(start, until, holidays):
        for slot, assignment, group, scale in by_weekday[day.isoweekday()]:
            counters[assignment.id] += 1
            n = counters[assignment.id]
            graded = scale != "none"
            work = [kinds["oral"]] + ([kinds["test"]] if graded and n % 6 == 0 else [])
            work += [kinds["independent"]] if graded and n % 6 == 3 else []
            # Entered on the lesson's day (15:00 in Moscow); now and then the next day, after the
            # deadline, so that the journal-keeping control has something to show (REP-3).
            entered_at = datetime.combine(day + timedelta(days=1 if n % 17 == 0 else 0), time(12), timezone.utc)
            lesson = Lesson(
                school_id=school_id, assignment_id=assignment.id, date=day, lesson_number=slot.lesson_number,
                topic=TOPICS[n % len(TOPICS)] if n % 6 else "Контрольная работа", given_by_id=assignment.teacher_id,
                entered_at=min(now, entered_at), entered_late=n % 17 == 0 and entered_at < now, attendance_taken=True,
                works=[LessonWork(work_kind_id=k.id, position=i) for i, k in enumerate(work)],
            )
            if graded:
                lesson.homework = [Homework(text=f"§ {n + 10}, вопросы в конце параграфа", pages=f"{40 + 2 * n}–{41 + 2 * n}",
                                            exercises=f"№ {100 + 3 * n}, {101 + 3 * n}", created_at=now,
                                            created_by_id=assignment.teacher_id)]
            lessons.append(lesson)
            plans.append((lesson, assignment, group, scale, work))
    db.session.add_all(lessons)
    db.session.flush()

    marks, absences = [], []
    for lesson, assignment, group, scale, work in plans:
        roster = members[group.id]
        if assignment.subgroup_id is not None:
            roster = [s for s in roster if s in subgroup_members[assignment.subgroup_id]]
        for student_id in roster:
            absent = None
            if rng.random() < 0.07:
                absent = rng.choice(ABSENCE_CODES)
                absences.append(dict(school_id=school_id, lesson_id=lesson.id, student_id=student_id, code=absent,
                                     created_at=now, updated_at=now, created_by_id=assignment.teacher_id,
                                     updated_by_id=assignment.teacher_id))
            if scale == "none" or (absent and absent not in ("late", "ill")) or (absent == "ill" and rng.random() < 0.9):
                continue  # 001:3.5: no mark for the absent, except (rarely) the ill who were assessed
            for kind in work:
                if kind.code == "oral" and rng.random() > 0.3:
                    continue
                if scale == "pass_fail":
                    value = "зач" if rng.random() < 0.9 else "незач"
                else:
                    value = str(max(2, min(5, round(rng.gauss(ability[student_id], 0.7)))))
                marks.append(dict(school_id=school_id, lesson_id=lesson.id, student_id=student_id,
                                  work_kind_id=kind.id, value=value, created_at=now, updated_at=now,
                                  created_by_id=assignment.teacher_id, updated_by_id=assignment.teacher_id))
    if absences:
        db.session.execute(insert(Attendance), absences)
    if marks:
        db.session.execute(insert(Mark), marks)
    return {"lessons": len(lessons), "marks": len(marks), "absences": len(absences)}
