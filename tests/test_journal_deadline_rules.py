"""Two journal rules with their school settings: current marks by 18:00 of the lesson's day,
written works within a week (JRN-6: 003 Положение 2.4, 003:2.5), flagged as late and counted on
the overdue and control pages; period and year marks only in the last week of the period
(JRN-7: 001:2.5.6), refused before it with the date it opens."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from blueprints.journal import control_queries
from domain import deadlines
from domain.settings import school_settings
from extensions import db
from models import Mark, PeriodMark, StudyPeriod
from tests.test_journal_grid import journal, put_cell  # noqa: F401  (the shared fixture)
from tests.test_journal_period_marks import give_marks


def local(school, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(school.timezone))


def mark_of(lesson, student, kind) -> Mark:
    return db.session.scalar(select(Mark).where(
        Mark.lesson_id == lesson.id, Mark.student_id == student.id, Mark.work_kind_id == kind.id))


def put_at(client, auth, j, moment, student, value):
    """The maths teacher types `value` (test/oral answer) into the fixture lesson at `moment`."""
    with time_machine.travel(moment, tick=False):
        auth.login(j.maths_teacher)
        response = put_cell(client, j.lesson, student, value)
        auth.logout()
    return response


# --- current marks by 18:00 (flagged) -------------------------------------------------------

def test_current_mark_before_18_00_of_the_lesson_day_is_on_time(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    assert put_at(client, auth, journal, local(journal.school, journal.lesson.date, 17, 59), pupil, "5/4").status_code == 200
    assert mark_of(journal.lesson, pupil, journal.kinds["oral"]).entered_late is False
    assert mark_of(journal.lesson, pupil, journal.kinds["test"]).entered_late is False


def test_current_mark_after_18_00_is_kept_and_flagged_but_a_written_work_has_a_week(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    response = put_at(client, auth, journal, local(journal.school, journal.lesson.date, 18, 1), pupil, "5/4")
    assert response.status_code == 200  # flagged, not refused: the mark is recorded
    assert mark_of(journal.lesson, pupil, journal.kinds["oral"]).entered_late is True
    assert mark_of(journal.lesson, pupil, journal.kinds["test"]).entered_late is False  # checked later: 003:2.5


def test_written_work_mark_after_a_week_is_flagged(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[1]
    later = local(journal.school, journal.lesson.date + timedelta(days=8), 9)
    assert put_at(client, auth, journal, later, pupil, "3/").status_code == 200
    assert mark_of(journal.lesson, pupil, journal.kinds["test"]).entered_late is True


def test_the_18_00_hour_is_read_in_the_school_timezone(client, auth, journal):  # noqa: F811
    journal.school.timezone = "Asia/Yekaterinburg"  # UTC+5: 18:00 there is 13:00 UTC
    db.session.commit()
    pupil = journal.pupils_5a[2]
    moment = datetime.combine(journal.lesson.date, time(13, 30), tzinfo=ZoneInfo("UTC"))  # 16:30 in Moscow
    assert put_at(client, auth, journal, moment, pupil, "5/4").status_code == 200
    assert mark_of(journal.lesson, pupil, journal.kinds["oral"]).entered_late is True


def test_the_hour_is_a_school_setting(client, auth, journal):  # noqa: F811
    journal.school.settings = {"current_marks_by": "15:00"}
    db.session.commit()
    pupil = journal.pupils_5a[0]
    assert put_at(client, auth, journal, local(journal.school, journal.lesson.date, 16), pupil, "5/4").status_code == 200
    assert mark_of(journal.lesson, pupil, journal.kinds["oral"]).entered_late is True


def test_late_current_marks_are_counted_on_the_overdue_and_control_pages(client, auth, journal):  # noqa: F811
    put_at(client, auth, journal, local(journal.school, journal.lesson.date, 17), journal.pupils_5a[0], "5/5")
    put_at(client, auth, journal, local(journal.school, journal.lesson.date, 19), journal.pupils_5a[1], "4/4")
    put_at(client, auth, journal, local(journal.school, journal.lesson.date, 20), journal.pupils_5a[2], "3/3")
    evening = local(journal.school, journal.lesson.date, 21)
    report = control_queries.journal_deadlines(journal.school, evening, teacher_id=journal.maths_teacher.id)
    assert report[journal.maths_teacher.id].late.marks == 2
    with time_machine.travel(evening, tick=False):
        auth.login(journal.maths_teacher)
        page = client.get("/journal/overdue").get_data(as_text=True)
    assert "текущие отметки — до 18:00 дня урока" in page
    assert "<dt>Отметки</dt><dd>2</dd>" in page


def test_mark_deadline_rules_without_a_database():
    settings = school_settings({})
    day = date(2030, 3, 4)
    assert deadlines.mark_deadline(day, "oral", settings, "Europe/Moscow") == local_dt(day, 18, 0)
    assert deadlines.mark_deadline(day, "test", settings, "Europe/Moscow") == local_dt(day + timedelta(days=7), 23, 59, 59)
    assert deadlines.current_marks_deadline(day, "nonsense", "Europe/Moscow") == local_dt(day, 23, 59, 59)
    assert deadlines.period_marks_open_from(day, 7) == day - timedelta(days=6)
    assert deadlines.period_marks_open_from(day, 0) == day


def local_dt(day, hour, minute, second=0):
    return datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo("Europe/Moscow"))


# --- period marks in the last week of the period (enforced) ---------------------------------

@pytest.fixture
def quarter2(journal):  # noqa: F811
    return db.session.scalar(select(StudyPeriod).where(StudyPeriod.year_id == journal.year.id,
                                                       StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))


def put_period_mark(client, j, period, pupil, value, reason="Решение учителя"):
    return client.put(f"/journal/assignments/{j.maths_5a.id}/periods/{period.id}/students/{pupil.id}",
                      data={"value": value, "reason": reason, "base": "0"}, headers={"HX-Request": "true"})


def stored_period_mark(period, pupil):
    return db.session.scalar(select(PeriodMark).where(PeriodMark.period_id == period.id, PeriodMark.student_id == pupil.id))


def test_period_mark_before_the_last_week_is_refused_with_the_day_it_opens(client, auth, journal, quarter2):  # noqa: F811
    opens = quarter2.end_date - timedelta(days=6)
    pupil = journal.pupils_5a[0]
    with time_machine.travel(local(journal.school, opens - timedelta(days=1), 20), tick=False):
        auth.login(journal.maths_teacher)
        response = put_period_mark(client, journal, quarter2, pupil, "4")
        assert response.status_code == 409
        assert "в последнюю неделю периода" in response.get_data(as_text=True)
        assert opens.strftime("%d.%m.%Y") in response.get_data(as_text=True)
        assert stored_period_mark(quarter2, pupil) is None
        page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
    cell = page.split(f'id="pm-{quarter2.id}-{pupil.id}"')[1].split("</td>")[0]
    assert "pm-menu" not in cell and "pm-confirm" not in cell
    assert "с " + opens.strftime("%d.%m") in cell and "последнюю неделю периода" in cell


def test_period_mark_on_the_first_day_of_the_last_week_is_set(client, auth, journal, quarter2):  # noqa: F811
    opens = quarter2.end_date - timedelta(days=6)
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["4", "4", "4"])  # enough marks to be assessed (JRN-7)
    with time_machine.travel(local(journal.school, opens, 8), tick=False):
        auth.login(journal.maths_teacher)
        page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
        assert "pm-menu" in page.split(f'id="pm-{quarter2.id}-{pupil.id}"')[1].split("</td>")[0]
        assert put_period_mark(client, journal, quarter2, pupil, "4").status_code == 200
    assert stored_period_mark(quarter2, pupil).value == "4"


def test_the_window_is_a_school_setting(client, auth, journal, quarter2):  # noqa: F811
    journal.school.settings = {"period_marks_window_days": 14}
    db.session.commit()
    pupil = journal.pupils_5a[1]
    give_marks(journal, pupil, ["4", "4", "4"])  # enough marks to be assessed (JRN-7)
    with time_machine.travel(local(journal.school, quarter2.end_date - timedelta(days=10), 12), tick=False):
        auth.login(journal.maths_teacher)
        assert put_period_mark(client, journal, quarter2, pupil, "4").status_code == 200
    assert stored_period_mark(quarter2, pupil).value == "4"


def test_the_last_week_is_read_in_the_school_timezone(client, auth, journal, quarter2):  # noqa: F811
    journal.school.timezone = "Asia/Vladivostok"  # UTC+10: the window opens there before UTC midnight
    db.session.commit()
    opens = quarter2.end_date - timedelta(days=6)
    moment = datetime.combine(opens - timedelta(days=1), time(20, 0), tzinfo=ZoneInfo("UTC"))  # 06:00 of `opens` there
    pupil = journal.pupils_5a[1]
    give_marks(journal, pupil, ["4", "4", "4"])  # enough marks to be assessed (JRN-7)
    with time_machine.travel(moment, tick=False):
        auth.login(journal.maths_teacher)
        assert put_period_mark(client, journal, quarter2, pupil, "4").status_code == 200
