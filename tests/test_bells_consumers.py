"""Every bell time comes from the one rule (domain/bells.py): the teacher's day, the timetable
of a class, the diary, the homework deadline and the journal-keeping control follow the class's
shift, its level's own bells and the school's shortened days (ADM-1, ADM-9, 003:2.3-2.5)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from blueprints.journal import control_queries, lessons_operations, operations
from blueprints.journal.schedule_queries import week_schedule
from extensions import db
from models import BellSchedule, ClassGroup, Lesson, ScheduleSlot, ShortenedDay
from utils.timeutil import school_today

FIRST = [(1, "08:30", "09:15"), (2, "09:25", "10:10"), (3, "10:30", "11:15")]
FIRST_SHORT = [(1, "08:30", "09:00"), (2, "09:10", "09:40"), (3, "09:50", "10:20")]
PRIMARY = [(1, "08:30", "09:05"), (2, "09:25", "10:00")]
SECOND = [(1, "13:30", "14:15"), (2, "14:25", "15:10"), (3, "15:30", "16:15")]


def add_bells(s, rows, shift=1, grade_from=1, grade_to=11, variant="normal"):
    db.session.add_all([
        BellSchedule(school_id=s.school.id, shift=shift, grade_from=grade_from, grade_to=grade_to, variant=variant,
                     lesson_number=n, starts=a, ends=b)
        for n, a, b in rows
    ])


def add_slot(s, assignment, day, number):
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=assignment.id, weekday=day.isoweekday(),
                                lesson_number=number, valid_from=s.year.start_date))


@pytest.fixture
def school(app, small_school):
    """Bells of the 1st shift (normal and shortened), of the primary school (1-4) and of the 2nd
    shift; 5Б studies in the 2nd shift. Today maths 5А (Числова) is the 2nd lesson, maths 5Б
    (Словарёва) the 2nd, Russian 1А the 1st."""
    s = small_school()
    add_bells(s, FIRST)
    add_bells(s, FIRST_SHORT, variant="short")
    add_bells(s, PRIMARY, grade_to=4)
    add_bells(s, SECOND, shift=2)
    s.class_5b.shift = 2
    s.today = school_today(s.school.timezone)
    add_slot(s, s.maths_5a, s.today, 2)
    add_slot(s, s.maths_5b, s.today, 2)
    add_slot(s, s.russian_1a, s.today, 1)
    db.session.commit()
    return s


def mark_shortened(s, day):
    db.session.add(ShortenedDay(school_id=s.school.id, date=day, note="предпраздничный день"))
    db.session.commit()


def times_of(class_group, day):
    week = week_schedule(db.session.get(ClassGroup, class_group.id), day)
    lessons = next(d for d in week.days if d.date == day).lessons
    return {i.lesson_number: (i.starts, i.ends) for i in lessons}


def test_the_timetable_of_each_class_follows_its_shift_and_level(school):
    s = school
    assert times_of(s.class_5a, s.today) == {2: ("09:25", "10:10")}
    assert times_of(s.class_5b, s.today) == {2: ("14:25", "15:10")}  # 2nd shift
    assert times_of(s.class_1a, s.today) == {1: ("08:30", "09:05")}  # the primary school's own bells


def test_on_a_shortened_day_the_teachers_day_shows_the_shortened_times(client, auth, school):
    s = school
    auth.login(s.maths_teacher)
    normal = client.get("/journal/today").get_data(as_text=True)
    assert "09:25–10:10" in normal
    mark_shortened(s, s.today)
    page = client.get("/journal/today").get_data(as_text=True)
    assert "09:10–09:40" in page and "09:25–10:10" not in page
    # the 2nd shift has no shortened variant: its normal bells stay
    assert times_of(s.class_5b, s.today) == {2: ("14:25", "15:10")}


def test_the_diary_shows_the_times_of_the_childs_shift(client, auth, school):
    s = school
    monday = s.today - timedelta(days=s.today.weekday())
    add_slot(s, s.maths_5b, monday, 3)
    db.session.commit()
    auth.login(s.parent_b)
    page = client.get(f"/diary/students/{s.pupils_5b[0].id}/schedule?date={monday.isoformat()}").get_data(as_text=True)
    assert "15:30–16:15" in page and "10:30" not in page


def deadline_of(s, assignment, teacher, number=2):
    lesson = operations.create_lesson(assignment, teacher, s.today, number, "", [])
    db.session.commit()
    return lessons_operations.homework_deadline(db.session.get(Lesson, lesson.id))


def at_moscow(day, hh_mm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), ZoneInfo("Europe/Moscow"))


def test_the_homework_deadline_follows_the_shift_of_the_class(school):
    """Two hours (the default) after the teacher's last lesson, by that lesson's class's bells."""
    s = school
    assert deadline_of(s, s.maths_5b, s.russian_teacher) == at_moscow(s.today, "15:10") + timedelta(hours=2)
    s.class_5b.shift = 1
    db.session.commit()
    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == s.maths_5b.id))
    assert lessons_operations.homework_deadline(lesson) == at_moscow(s.today, "10:10") + timedelta(hours=2)


def test_the_homework_deadline_follows_a_shortened_day(school):
    s = school
    mark_shortened(s, s.today)
    assert deadline_of(s, s.maths_5a, s.maths_teacher) == at_moscow(s.today, "09:40") + timedelta(hours=2)


def test_the_journal_control_counts_homework_late_by_the_classs_shift(school):
    """Словарёва's last lesson that day is 5Б's 2nd (the timetable's), which ends 15:10 in the 2nd
    shift: homework is due 17:10. At 15:00 it is not overdue yet; by the 1st shift's bells
    (10:10 + 2 h) it would be."""
    s = school
    day = s.today - timedelta(days=7)
    operations.create_lesson(s.maths_5b, s.russian_teacher, day, 1, "Дроби", [])
    db.session.commit()
    moscow = ZoneInfo(s.school.timezone)

    def overdue(hh_mm):
        now = datetime.combine(day, time.fromisoformat(hh_mm), moscow)
        report = control_queries.journal_deadlines(s.school, now, teacher_id=s.russian_teacher.id)[s.russian_teacher.id]
        return [(i.day, i.lesson_number) for i in report.no_homework]

    assert overdue("15:00") == []
    assert overdue("17:00") == []
    assert overdue("17:30") == [(day, 1)]
    s.class_5b.shift = 1
    db.session.commit()
    assert overdue("15:00") == [(day, 1)]
