"""The diary's plain data (DIA-1, DIA-2, ADM-9): the week merges the timetable with the recorded
lessons, shows only this student's subgroup and individual homework, and the summary follows
the journal's rules."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.diary import queries
from blueprints.journal import operations
from extensions import db
from models import Homework, HomeworkStudent, ScheduleChange, ScheduleSlot, StudyPeriod, WorkKind
from tests.clock import school_date

MONDAY = school_date(2026, 11, 16)
FRIDAY = school_date(2026, 11, 20)


@pytest.fixture
def week(app, small_school):
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    for assignment, weekday, number in [
        (s.maths_5a, 5, 2), (s.russian_5a, 5, 3), (s.english_5a_g1, 5, 4), (s.english_5a_g2, 5, 5),
        (s.maths_5a, 1, 1), (s.russian_5a, 2, 1),
    ]:
        db.session.add(ScheduleSlot(school_id=s.school.id, assignment=assignment, weekday=weekday,
                                    lesson_number=number, valid_from=school_date(2026, 9, 1)))
    db.session.add(ScheduleChange(school_id=s.school.id, date=school_date(2026, 11, 17), assignment=s.russian_5a,
                                  kind="cancelled", lesson_number=1, note="Карантин"))
    db.session.add(ScheduleChange(school_id=s.school.id, date=MONDAY, assignment=s.maths_5a,
                                  kind="substitution", lesson_number=1, substitute=s.russian_teacher))
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, FRIDAY, 2, "Дроби", [s.kinds["test"], s.kinds["oral"]])
    pupil = s.pupils_5a[0]
    db.session.add(Homework(lesson=s.lesson, text="Задачи", pages="45", exercises="12, 13"))
    own = Homework(lesson=s.lesson, text="Карточка", is_individual=True)
    other = Homework(lesson=s.lesson, text="Чужая карточка", is_individual=True)
    db.session.add_all([own, other])
    db.session.flush()
    db.session.add(HomeworkStudent(homework_id=own.id, student_id=pupil.id))
    db.session.add(HomeworkStudent(homework_id=other.id, student_id=s.pupils_5a[1].id))
    operations.save_cell(s.lesson, pupil, s.maths_teacher, "5/4", "k1", None)
    db.session.commit()
    return s


def test_week_merges_timetable_lesson_marks_homework_and_changes(week):
    pupil = week.pupils_5a[0]  # group 1
    data = queries.week_data(pupil, FRIDAY)
    assert data.monday == MONDAY and len(data.days) == 6
    friday = data.days[4]
    subjects = [(i.lesson_number, i.subject_name) for i in friday.lessons]
    # English of group 2 is not this student's lesson (ADM-8)
    assert subjects == [(2, "Математика"), (3, "Русский язык"), (4, "Английский язык")]
    maths = friday.lessons[0]
    assert maths.lesson_id == week.lesson.id and maths.topic == "Дроби"
    assert maths.marks == [("5", "Контрольная работа"), ("4", "Устный ответ")]
    assert maths.homework == ["Задачи, стр. 45, № 12, 13", "Индивидуально: Карточка"]
    assert friday.lessons[1].lesson_id is None  # a slot not recorded yet
    tuesday = data.days[1].lessons[0]
    assert tuesday.change_kind == "cancelled" and "Карантин" in tuesday.change_note
    monday = data.days[0].lessons[0]
    assert monday.is_substitution and monday.teacher_name.startswith("Словарёва")
    summary = {s.subject_name: s for s in data.subjects}
    assert summary["Математика"].marks == ["5", "4"]
    assert str(summary["Математика"].average) == "4.67"
    assert data.period.name == "2 четверть"


def test_marks_summary_and_attendance(week):
    pupil = week.pupils_5a[1]
    operations.save_cell(week.lesson, pupil, week.maths_teacher, "н", "k2", None)
    db.session.commit()
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    summary = queries.attendance_summary(pupil, period)
    assert summary.by_code["absent"] == 1 and summary.by_subject[0].subject_name == "Математика"
    marks = queries.marks_data(week.pupils_5a[0], period)
    assert [s.subject_name for s in marks] == ["Английский язык", "Математика", "Русский язык"]
    results = queries.final_results(week.pupils_5a[0], week.year)
    assert [p.name for p in results.periods][:2] == ["1 четверть", "2 четверть"]
    assert not results.sits_exams and not results.exams  # 5А sits no state exam


def test_the_forecast_is_bounded_by_the_lessons_left_in_the_period(week):
    from datetime import timedelta

    from blueprints.diary.wording import forecast_phrase
    from utils.timeutil import school_today

    pupil = week.pupils_5a[2]
    for number in range(3, 13):  # ten lessons of the day, two fours in each: «5» needs 20 fives
        lesson = operations.create_lesson(week.maths_5a, week.maths_teacher, FRIDAY, number, "Дроби",
                                          [week.kinds["test"], week.kinds["oral"]])
        operations.save_cell(lesson, pupil, week.maths_teacher, "4/4", f"b{number}", None)
    db.session.commit()
    period = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    today = school_today(week.school.timezone)
    holidays = [(h.start_date, h.end_date) for h in week.year.holidays]
    expected = sum(1 for n in range((period.end_date - today).days + 1)
                   if (day := today + timedelta(days=n)).isoweekday() in (1, 5)
                   and not any(a <= day <= b for a, b in holidays))
    assert expected < 20
    maths = next(s for s in queries.marks_data(pupil, period) if s.subject_name == "Математика")
    assert maths.forecast.lessons_left == expected and maths.forecast.reachable is False
    assert "до конца периода уже не достижима" in forecast_phrase(maths.forecast)
