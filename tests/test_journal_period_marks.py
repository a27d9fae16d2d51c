"""Period and year marks (JRN-7, JRN-8, ADM-6): a tap confirms the mark the average rounds to,
another value needs a reason, a changed year mark always needs one, closed periods are
read-only, and only the subject's teacher sets them."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import JournalChange, PeriodMark, StudyPeriod
from tests.clock import school_date
from tests.test_journal_grid import journal, put_cell  # noqa: F401  (the shared fixture)


@pytest.fixture
def quarter2(journal):  # noqa: F811
    return db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))


@pytest.fixture
def year_period(journal):  # noqa: F811
    period = StudyPeriod(year=journal.year, scheme="year", number=1, name="Год",
                         start_date=journal.year.start_date, end_date=journal.year.end_date)
    db.session.add(period)
    db.session.commit()
    return period


def noon_of(school, day):
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(school.timezone))


@pytest.fixture(autouse=True)
def last_week_of_quarter2(journal, quarter2):  # noqa: F811
    """Period marks are set in the last week of the period (001:2.5.6): the clock stands there."""
    with time_machine.travel(noon_of(journal.school, quarter2.end_date - timedelta(days=1)), tick=False):
        yield


@pytest.fixture
def last_week_of_the_year(journal, last_week_of_quarter2, year_period):  # noqa: F811
    """Every quarter has ended and the year mark is due."""
    with time_machine.travel(noon_of(journal.school, year_period.end_date), tick=False):
        yield


def give_marks(j, pupil, values):
    """Marks in lessons of the second quarter (each lesson: a test, weight 2, and an oral answer)."""
    for n, value in enumerate(values):
        lesson = operations.create_lesson(j.maths_5a, j.maths_teacher, school_date(2026, 11, 9 + n), 1, "Урок",
                                          [j.kinds["oral"]])
        db.session.flush()
        operations.save_cell(lesson, pupil, j.maths_teacher, value, key="", base=None)
    db.session.commit()


def put_mark(client, j, period, pupil, value, reason="", base=None, assignment=None):
    data = {"value": value, "reason": reason}
    if base is not None:
        data["base"] = base
    assignment = assignment or j.maths_5a
    return client.put(f"/journal/assignments/{assignment.id}/periods/{period.id}/students/{pupil.id}",
                      data=data, headers={"HX-Request": "true"})


def stored(j, period, pupil, subject=None):
    subject = subject or j.maths
    return db.session.scalar(select(PeriodMark).where(
        PeriodMark.period_id == period.id, PeriodMark.student_id == pupil.id, PeriodMark.subject_id == subject.id))


def test_grid_shows_the_suggested_period_mark_with_a_one_tap_confirmation(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["5", "5", "4"])  # 4.67 → 5
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
    assert "Итог" in page
    assert f'id="pm-{quarter2.id}-{pupil.id}"' in page
    assert "pm-confirm" in page and '"value": "5"' in page
    assert "Год" not in page  # the school has no year period


def test_teacher_confirms_the_suggestion_and_history_is_written(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["5", "5", "4"])
    auth.login(journal.maths_teacher)
    response = put_mark(client, journal, quarter2, pupil, "5", base="0")
    assert response.status_code == 200
    assert 'class="pm-value' in response.get_data(as_text=True)
    mark = stored(journal, quarter2, pupil)
    assert (mark.value, mark.suggested, str(mark.average), mark.version) == ("5", "5", "4.67", 1)
    change = db.session.scalar(select(JournalChange).where(JournalChange.entity == "period_mark"))
    assert change.period_mark_id == mark.id and change.before is None and change.after["value"] == "5"
    assert change.user_id == journal.maths_teacher.id


def test_a_mark_other_than_the_suggestion_needs_a_reason(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["5", "5", "4"])
    auth.login(journal.maths_teacher)
    response = put_mark(client, journal, quarter2, pupil, "4")
    assert response.status_code == 400
    assert "укажите причину" in response.get_data(as_text=True)
    assert stored(journal, quarter2, pupil) is None
    assert put_mark(client, journal, quarter2, pupil, "4", reason="Не сдана контрольная работа").status_code == 200
    mark = stored(journal, quarter2, pupil)
    assert mark.value == "4" and mark.reason == "Не сдана контрольная работа" and mark.suggested == "5"
    change = db.session.scalar(select(JournalChange).where(JournalChange.period_mark_id == mark.id))
    assert change.reason == "Не сдана контрольная работа"


@pytest.mark.parametrize("value", ["н/а", "осв", "зач", "незач"])
def test_special_period_marks_are_valid(client, auth, journal, quarter2, value):  # noqa: F811
    pupil = journal.pupils_5a[1]  # no marks at all: nothing to differ from
    auth.login(journal.maths_teacher)
    assert put_mark(client, journal, quarter2, pupil, value).status_code == 200
    assert stored(journal, quarter2, pupil).value == value


@pytest.mark.parametrize("value", ["6", "отл", "", "5+"])
def test_a_value_outside_the_scale_is_refused_and_nothing_changes(client, auth, journal, quarter2, value):  # noqa: F811
    pupil = journal.pupils_5a[1]
    give_marks(journal, pupil, ["4", "4", "4"])  # enough marks to be assessed
    auth.login(journal.maths_teacher)
    assert put_mark(client, journal, quarter2, pupil, "4").status_code == 200
    response = put_mark(client, journal, quarter2, pupil, value, reason="причина")
    assert response.status_code == 400
    assert stored(journal, quarter2, pupil).value == "4"


def test_a_stale_version_is_a_conflict_with_the_current_value(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[1]
    give_marks(journal, pupil, ["4", "4", "4"])  # enough marks to be assessed
    auth.login(journal.maths_teacher)
    assert put_mark(client, journal, quarter2, pupil, "4", base="0").status_code == 200
    response = put_mark(client, journal, quarter2, pupil, "3", base="0")  # the other screen still saw no mark
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "только что изменил" in text and "«4»" in text
    assert stored(journal, quarter2, pupil).value == "4"
    assert put_mark(client, journal, quarter2, pupil, "3", base="1", reason="Пересдача").status_code == 200
    assert stored(journal, quarter2, pupil).version == 2


def test_a_closed_period_is_read_only(client, auth, journal, quarter2):  # noqa: F811
    quarter2.is_closed = True
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = put_mark(client, journal, quarter2, journal.pupils_5a[1], "4")
    assert response.status_code == 409 and "закрыт" in response.get_data(as_text=True)
    assert stored(journal, quarter2, journal.pupils_5a[1]) is None
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
    assert "pm-menu" not in page and "pm-confirm" not in page


def test_a_closed_year_is_read_only(client, auth, journal, quarter2):  # noqa: F811
    journal.year.is_closed = True
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = put_mark(client, journal, quarter2, journal.pupils_5a[1], "4")
    assert response.status_code == 409
    assert stored(journal, quarter2, journal.pupils_5a[1]) is None


def test_class_teacher_cannot_set_marks_of_a_subject_they_do_not_teach(client, auth, journal, quarter2):  # noqa: F811
    auth.login(journal.maths_teacher)  # class teacher of 5А, does not teach Russian
    response = put_mark(client, journal, quarter2, journal.pupils_5a[0], "5", assignment=journal.russian_5a)
    assert response.status_code == 403
    assert stored(journal, quarter2, journal.pupils_5a[0], journal.russian) is None
    page = client.get(f"/journal/assignments/{journal.russian_5a.id}?period={quarter2.id}").get_data(as_text=True)
    assert "Итог" in page and "pm-menu" not in page


@pytest.mark.parametrize("who", ["deputy", "director", "parent_a", "english_teacher"])
def test_others_cannot_set_period_marks(client, auth, journal, quarter2, who):  # noqa: F811
    auth.login(getattr(journal, who))
    response = put_mark(client, journal, quarter2, journal.pupils_5a[0], "5")
    assert response.status_code in (403, 404)
    assert stored(journal, quarter2, journal.pupils_5a[0]) is None


def test_subgroup_teacher_cannot_set_a_mark_for_the_other_group(client, auth, journal, quarter2):  # noqa: F811
    auth.login(journal.english_teacher)  # group 1: pupils 0 and 2
    response = put_mark(client, journal, quarter2, journal.pupils_5a[1], "5", assignment=journal.english_5a_g1)
    assert response.status_code == 403
    assert stored(journal, quarter2, journal.pupils_5a[1], journal.english) is None


def test_period_of_another_year_or_scheme_is_not_found(client, auth, journal, quarter2):  # noqa: F811
    auth.login(journal.maths_teacher)
    response = client.put(f"/journal/assignments/{journal.maths_5a.id}/periods/999999/students/{journal.pupils_5a[0].id}",
                          data={"value": "5"})
    assert response.status_code == 404


def test_few_marks_flag_the_student_at_risk_of_not_assessed(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["4"])  # fewer than 3 in a quarter
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
    cell = page.split(f'id="pm-{quarter2.id}-{pupil.id}"')[1].split("</td>")[0]
    assert "at-risk" in cell and "риск «н/а»" in cell


def test_saving_a_grid_cell_refreshes_the_suggestion(client, auth, journal, quarter2):  # noqa: F811
    pupil = journal.pupils_5a[0]
    give_marks(journal, pupil, ["3", "3"])  # the third mark makes the student assessable
    auth.login(journal.maths_teacher)
    response = put_cell(client, journal.lesson, pupil, "3")
    html = response.get_data(as_text=True)
    assert f'id="pm-{quarter2.id}-{pupil.id}"' in html and '"value": "3"' in html


def test_year_column_appears_and_changing_a_year_mark_needs_a_written_reason(client, auth, journal, quarter2, year_period,  # noqa: F811
                                                                             last_week_of_the_year):
    pupil = journal.pupils_5a[0]
    quarters = db.session.scalars(select(StudyPeriod).where(StudyPeriod.scheme == "quarter").order_by(StudyPeriod.number)).all()
    # the quarter marks are the subject here, not the current marks behind them (the «н/а» rule)
    journal.school.settings = {"min_marks_per_period": {"quarter": 0}}
    db.session.commit()
    auth.login(journal.maths_teacher)
    for period, value in zip(quarters, ["5", "5", "4", "5"], strict=True):
        assert put_mark(client, journal, period, pupil, value).status_code == 200
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}").get_data(as_text=True)
    assert "Год" in page and f'id="pm-{year_period.id}-{pupil.id}"' in page
    # 4.75 → 5 from the quarter marks
    assert put_mark(client, journal, year_period, pupil, "5", base="0").status_code == 200
    assert stored(journal, year_period, pupil).suggested == "5"
    response = put_mark(client, journal, year_period, pupil, "4")
    assert response.status_code == 400 and "годовой отметки" in response.get_data(as_text=True)
    assert stored(journal, year_period, pupil).value == "5"
    assert put_mark(client, journal, year_period, pupil, "4", reason="Решение педсовета, протокол № 7").status_code == 200
    change = db.session.scalars(select(JournalChange).where(JournalChange.period_mark_id == stored(journal, year_period, pupil).id)
                                .order_by(JournalChange.id)).all()[-1]
    assert change.action == "update" and change.before["value"] == "5" and change.after["value"] == "4"
    assert change.reason == "Решение педсовета, протокол № 7"


def test_first_grade_has_no_period_marks(client, auth, journal, quarter2):  # noqa: F811
    auth.login(journal.primary_teacher)
    page = client.get(f"/journal/assignments/{journal.russian_1a.id}?period={quarter2.id}").get_data(as_text=True)
    assert "Итог" not in page
    response = put_mark(client, journal, quarter2, journal.pupil_1a, "5", assignment=journal.russian_1a)
    assert response.status_code == 400
    assert stored(journal, quarter2, journal.pupil_1a, journal.russian) is None
