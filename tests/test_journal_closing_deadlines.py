"""Deadlines that ask why (JRN-6, JRN-8: 003:2.3-2.5, 003 Положение 2.4) and the «н/а» rule of
period marks (JRN-7, 001:2.5.6): a change after its deadline is refused without a reason (428,
the grid asks and sends it again), the reason is kept in the history; with fewer marks than the
school's minimum the period mark is «н/а» and a number is refused."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from extensions import db
from models import Attendance, JournalChange, Lesson, Mark, PeriodMark
from tests.test_journal_grid import journal, put_cell  # noqa: F401  (the shared fixture)

# last_week_of_quarter2 is autouse: every test here runs in the quarter's last week (after the
# fixture lesson's deadlines), unless it travels elsewhere itself.
from tests.test_journal_period_marks import give_marks, last_week_of_quarter2, noon_of, put_mark, quarter2  # noqa: F401


def local(school, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(school.timezone))


def live_marks(lesson, student):
    return [m.value for m in db.session.scalars(select(Mark).where(
        Mark.lesson_id == lesson.id, Mark.student_id == student.id, Mark.is_deleted.is_(False)).order_by(Mark.work_kind_id))]


def history_count():
    return db.session.scalar(select(func.count()).select_from(JournalChange))


# --- A change after its deadline asks why -------------------------------------------------------------


def test_a_mark_after_its_deadline_without_a_reason_is_refused_and_nothing_is_stored(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    before = history_count()
    auth.login(journal.maths_teacher)
    response = put_cell(client, journal.lesson, pupil, "/5", reason="")  # the oral answer, days later
    assert response.status_code == 428
    assert "Укажите причину изменения после срока" in response.get_data(as_text=True)
    assert live_marks(journal.lesson, pupil) == [] and history_count() == before


def test_with_the_reason_the_late_mark_is_stored_flagged_and_the_reason_kept(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    auth.login(journal.maths_teacher)
    assert put_cell(client, journal.lesson, pupil, "/5", reason="Ответ у доски, не внесён из-за сбоя сети").status_code == 200
    mark = db.session.scalar(select(Mark).where(Mark.lesson_id == journal.lesson.id, Mark.student_id == pupil.id))
    assert mark.value == "5" and mark.entered_late is True
    change = db.session.scalar(select(JournalChange).where(JournalChange.entity == "mark", JournalChange.entity_id == mark.id))
    assert change.reason == "Ответ у доски, не внесён из-за сбоя сети"
    history = client.get(f"/journal/lessons/{journal.lesson.id}/cells/{pupil.id}/history").get_data(as_text=True)
    assert "не внесён из-за сбоя сети" in history


def test_on_the_lesson_day_before_18_00_no_reason_is_asked(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[1]
    with time_machine.travel(local(journal.school, journal.lesson.date, 17, 30), tick=False):
        auth.login(journal.maths_teacher)
        assert put_cell(client, journal.lesson, pupil, "Н", reason="").status_code == 200
        assert put_cell(client, journal.lesson, pupil, "", reason="").status_code == 200  # a correction in time
    assert db.session.scalar(select(JournalChange.reason).where(JournalChange.entity == "attendance")) == ""


def test_the_first_current_mark_after_18_00_asks_why_and_is_flagged_late(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[2]
    with time_machine.travel(local(journal.school, journal.lesson.date, 18, 30), tick=False):
        auth.login(journal.maths_teacher)
        assert put_cell(client, journal.lesson, pupil, "4/4", reason="").status_code == 428  # the oral answer
        assert live_marks(journal.lesson, pupil) == []
        assert put_cell(client, journal.lesson, pupil, "4/", reason="").status_code == 200  # a written work: a week
        assert put_cell(client, journal.lesson, pupil, "4/4", reason="Отвечал после уроков").status_code == 200
    marks = {m.work_kind_id: m for m in db.session.scalars(select(Mark).where(Mark.student_id == pupil.id))}
    assert marks[journal.kinds["oral"].id].entered_late and not marks[journal.kinds["test"].id].entered_late
    reasons = db.session.scalars(select(JournalChange.reason).where(JournalChange.entity == "mark")
                                 .order_by(JournalChange.id)).all()
    assert reasons == ["", "Отвечал после уроков"]


def test_attendance_changed_after_the_lesson_day_needs_a_reason(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    with time_machine.travel(local(journal.school, journal.lesson.date, 9), tick=False):
        auth.login(journal.maths_teacher)
        assert put_cell(client, journal.lesson, pupil, "Н", reason="").status_code == 200
    with time_machine.travel(local(journal.school, journal.lesson.date + timedelta(days=1), 9), tick=False):
        auth.login(journal.maths_teacher)
        assert put_cell(client, journal.lesson, pupil, "Б", reason="").status_code == 428
        assert db.session.scalar(select(Attendance.code)) == "absent"
        assert put_cell(client, journal.lesson, pupil, "Б", reason="Справка от врача").status_code == 200
    change = db.session.scalars(select(JournalChange).where(JournalChange.entity == "attendance")
                                .order_by(JournalChange.id)).all()[-1]
    assert (change.before, change.after, change.reason) == ({"code": "absent"}, {"code": "ill"}, "Справка от врача")


def test_a_lesson_changed_after_its_day_needs_a_reason(client, auth, journal):  # noqa: F811
    lesson = journal.lesson
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/lessons/{lesson.id}").get_data(as_text=True)
    assert "Причина изменения после срока" in page
    form = {"version": str(lesson.version), "date": lesson.date.isoformat(), "lesson_number": str(lesson.lesson_number),
            "plan_item_id": "0", "topic": "Сложение дробей",
            "work_kinds": [str(w.work_kind_id) for w in lesson.works]}
    refused = client.post(f"/journal/lessons/{lesson.id}", data=form)
    assert refused.status_code == 428 and "Укажите причину изменения после срока" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).topic == "Дроби"
    assert client.post(f"/journal/lessons/{lesson.id}", data={**form, "reason": "Тема уточнена по КТП"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).topic == "Сложение дробей"
    change = db.session.scalars(select(JournalChange).where(JournalChange.entity == "lesson", JournalChange.action == "update")).first()
    assert change.reason == "Тема уточнена по КТП"


def test_a_column_filled_after_the_deadline_needs_a_reason(client, auth, journal):  # noqa: F811
    auth.login(journal.maths_teacher)
    page = client.post(f"/journal/lessons/{journal.lesson.id}/fill", data={"value": "5"}, follow_redirects=True)
    assert "Укажите причину изменения после срока" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0


def test_a_reason_too_long_is_refused(client, auth, journal):  # noqa: F811
    auth.login(journal.maths_teacher)
    response = put_cell(client, journal.lesson, journal.pupils_5a[0], "/5", reason="x" * 1001)
    assert response.status_code == 400 and "слишком длинная" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0


# --- «н/а»: too few marks -----------------------------------------------------------------------------


def test_too_few_marks_suggest_na_and_a_number_is_refused(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["5", "5"])  # two marks; the quarter asks for three
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
    cell = page.split(f'id="pm-{quarter2.id}-{pupil.id}"')[1].split("</td>")[0]
    assert "pm-confirm" in cell and "н/а&#8239;✓" in cell
    response = put_mark(client, journal, quarter2, pupil, "5", reason="Хорошо отвечал")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "не аттестован" in text and "2 отм. при минимуме 3" in text
    assert db.session.scalar(select(PeriodMark)) is None
    assert put_mark(client, journal, quarter2, pupil, "н/а", base="0").status_code == 200
    mark = db.session.scalar(select(PeriodMark))
    assert (mark.value, mark.suggested) == ("н/а", "н/а")


def test_an_exempt_student_without_marks_gets_osv_without_a_reason(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[1]  # ill or exempt the whole quarter: no marks at all
    auth.login(journal.maths_teacher)
    assert put_mark(client, journal, quarter2, pupil, "4", reason="x").status_code == 409
    assert put_mark(client, journal, quarter2, pupil, "осв").status_code == 200
    assert db.session.scalar(select(PeriodMark.value)) == "осв"


def test_the_minimum_is_a_school_setting_and_enough_marks_allow_a_number(client, auth, journal, quarter2):  # noqa: F811
    journal.school.settings = {"min_marks_per_period": {"quarter": 2}}
    db.session.commit()
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["5", "4"])  # 4.5 → 4, and two marks are enough here
    auth.login(journal.maths_teacher)
    assert put_mark(client, journal, quarter2, pupil, "4", base="0").status_code == 200
    assert db.session.scalar(select(PeriodMark.value)) == "4"


def test_period_marks_are_refused_before_the_last_week_even_with_enough_marks(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["5", "5", "5"])
    opens = quarter2.end_date - timedelta(days=6)
    with time_machine.travel(noon_of(journal.school, opens - timedelta(days=1)), tick=False):
        auth.login(journal.maths_teacher)
        response = put_mark(client, journal, quarter2, pupil, "5", base="0")
        assert response.status_code == 409 and opens.strftime("%d.%m.%Y") in response.get_data(as_text=True)
    assert db.session.scalar(select(PeriodMark)) is None
    with time_machine.travel(noon_of(journal.school, opens), tick=False):
        auth.login(journal.maths_teacher)
        assert put_mark(client, journal, quarter2, pupil, "5", base="0").status_code == 200
