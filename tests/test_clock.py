"""The suite and the app at any hour, weekday and year (issue 8, item 12).

"Today" is the school's date (utils.timeutil.school_today, Europe/Moscow), never the server's:
from 21:00 UTC it is already tomorrow in Moscow. The test school's calendar follows that clock
(tests/clock.py), and the date-dependent test files are run again, in a subprocess, under clocks
that once broke them: Saturday 23:30 UTC (Sunday in Moscow), a Sunday outside the school year,
and a night in 2028."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db
from models import Lesson
from models.base import utcnow
from tests.clock import FREEZE_NOW, SCHOOL_TIMEZONE, TODAY, school_date, school_moment
from utils.timeutil import school_today

ROOT = Path(__file__).resolve().parent.parent

# Tuesday 22:30 UTC of the template week: Wednesday 01:30 in Moscow, still Tuesday on the server.
LATE_EVENING = school_moment(2026, 11, 24, 22, 30)


def _date_inputs(page: str) -> set[str]:
    return {value for tag in re.findall(r'<input[^>]*type="date"[^>]*>', page)
            for value in re.findall(r'value="([^"]*)"', tag) if value}


def test_the_test_schools_calendar_has_today_in_the_second_quarter_after_the_recorded_week(small_school):
    s = small_school()
    second = s.quarters[1]
    assert second.start_date <= TODAY <= second.end_date
    assert school_date(2026, 11, 21) < TODAY  # the lessons the tests record are in the past
    assert (TODAY - school_date(2026, 11, 23)).days in range(7)  # the template week
    assert school_date(2026, 11, 20).isoweekday() == 5  # whole weeks: a Friday stays a Friday
    assert s.year.start_date <= TODAY <= s.year.end_date


def test_frozen_clock_is_the_clock_of_the_whole_process():
    """Under FREEZE_NOW (the subprocesses below) the app's clock starts at that moment."""
    if not FREEZE_NOW:
        pytest.skip("FREEZE_NOW is not set")
    frozen = datetime.fromisoformat(FREEZE_NOW.replace("Z", "+00:00"))
    assert timedelta(0) <= utcnow() - frozen < timedelta(hours=1)
    assert TODAY == frozen.astimezone(ZoneInfo(SCHOOL_TIMEZONE)).date()


def test_date_fields_default_to_the_schools_today_not_the_servers(client, auth, small_school):
    """Enrolment, transfer and withdrawal (the class page) and the consent sheet and the
    application (the student's personal data) propose today's date: the school's."""
    s = small_school()
    with time_machine.travel(LATE_EVENING, tick=False):
        moscow = school_today(s.school.timezone)
        assert moscow == utcnow().date() + timedelta(days=1)  # in UTC it is still the day before
        auth.login(s.admin)
        page = client.get(f"/admin/classes/{s.class_5a.id}").get_data(as_text=True)
        assert len(re.findall(r'type="date"', page)) >= 3
        assert _date_inputs(page) == {moscow.isoformat()}
        auth.logout()
        auth.login(s.maths_teacher)  # the class teacher of 5А
        for what in ("consent", "applications"):
            page = client.get(f"/personal-data/students/{s.pupils_5a[0].id}/{what}").get_data(as_text=True)
            assert _date_inputs(page) == {moscow.isoformat()}, what


def test_demo_journal_is_filled_up_to_the_schools_yesterday(runner):
    """The demo school (fixed 2026/2027 dates) records its current quarter up to yesterday in
    Moscow; at 22:30 UTC on Tuesday 24.11.2026 that is Tuesday, not Monday."""
    with time_machine.travel(datetime(2026, 11, 24, 22, 30, tzinfo=timezone.utc), tick=False):
        result = runner.invoke(args=["demo", "--password", "demo2026"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.max(Lesson.date))) == date(2026, 11, 24)


# Tests that read "today" or lean on the school year: the journal's today, lesson, timetable and
# substitutions, deadlines, the grid and period marks of the current period, the class's day, the
# diary with absence notes, the weekly report and consent. A sample, not whole files: each clock
# costs one subprocess run of these (about 15 s).
DATE_DEPENDENT = [
    "tests/test_clock.py::test_the_test_schools_calendar_has_today_in_the_second_quarter_after_the_recorded_week",
    "tests/test_clock.py::test_frozen_clock_is_the_clock_of_the_whole_process",
    "tests/test_journal_lesson.py::test_today_lists_own_lessons_with_their_state",
    "tests/test_journal_lesson.py::test_teacher_records_topic_kinds_and_homework_with_history",
    "tests/test_journal_lesson.py::test_homework_after_the_deadline_is_flagged",
    "tests/test_journal_schedule.py::test_office_records_a_substitution_and_the_substitute_records_that_lesson",
    "tests/test_journal_schedule.py::test_substitution_outside_the_year_or_without_a_lesson_is_refused",
    "tests/test_journal_schedule.py::test_cancelled_lesson_is_marked_and_cannot_be_opened",
    "tests/test_journal_schedule.py::test_pages_of_the_timetable_open",
    "tests/test_journal_control.py::test_overdue_items_come_from_the_timetable_topics_and_homework",
    "tests/test_journal_grid.py::test_teacher_sees_own_grid_with_students_and_lesson",
    "tests/test_journal_period_marks.py::test_grid_shows_the_suggested_period_mark_with_a_one_tap_confirmation",
    "tests/test_journal_period_marks.py::test_teacher_confirms_the_suggestion_and_history_is_written",
    "tests/test_journal_closing.py::test_closing_for_one_class_leaves_the_other_class_open",
    "tests/test_journal_closing_deadlines.py::test_on_the_lesson_day_before_18_00_no_reason_is_asked",
    "tests/test_journal_closing_deadlines.py::test_too_few_marks_suggest_na_and_a_number_is_refused",
    "tests/test_journal_class_views.py::test_daily_attendance_page_lists_students_and_the_lessons_of_the_day",
    "tests/test_journal_class_views.py::test_class_teacher_marks_a_student_ill_for_the_whole_day",
    "tests/test_diary_pages.py::test_mark_saved_in_the_journal_appears_with_its_kind_of_work",
    "tests/test_diary_pages.py::test_absence_note_accepted_turns_absences_into_ill_with_history",
    "tests/test_diary_pages.py::test_bad_note_dates_are_refused_and_nothing_is_saved",
    "tests/test_diary_pages.py::test_parent_downloads_the_weekly_report_of_their_child_and_not_of_another_family",
    "tests/test_diary_queries.py",
    "tests/test_weekly_reports.py::test_printed_reports_of_a_class_in_one_file_in_alphabetical_order",
    "tests/test_consent.py",
    "tests/test_bells_consumers.py",
    "tests/test_admin_settings.py::test_a_new_threshold_changes_the_suggested_period_mark_at_once",
    "tests/test_admin_settings.py::test_the_consent_page_shows_the_destruction_deadline_of_the_schools_setting",
    "tests/test_admin_timetable.py::test_a_cell_takes_a_lesson_of_the_class_with_its_room_from_the_chosen_date",
    "tests/test_admin_timetable.py::test_the_printed_class_timetable_names_the_school_the_class_and_the_date",
    "tests/test_admin_timetable_import.py::test_a_good_file_is_previewed_then_loaded_with_its_new_rooms",
    "tests/test_journal_scales.py",
    "tests/test_admin_new_year.py::test_a_year_cannot_be_closed_before_its_end",
]
CLOCKS = {
    # Sunday 02:30 in Moscow, still Saturday in UTC: the hour of the failure.
    "saturday-23:30-utc": "2026-11-28T23:30:00Z",
    # A Sunday in the summer holidays, outside any school year as written.
    "summer-sunday": "2027-07-18T09:00:00Z",
    # Thursday 00:30 in Moscow, a leap year, two years on.
    "2028-night": "2028-06-14T21:30:00Z",
}


@pytest.mark.skipif(bool(FREEZE_NOW), reason="already the subprocess under a frozen clock")
@pytest.mark.parametrize("now", CLOCKS.values(), ids=CLOCKS.keys())
def test_date_dependent_tests_pass_under_any_clock(now):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TEST_DATABASE_URL", "POSTGRES_REQUIRED", "E2E_REQUIRED", "PYTEST_ADDOPTS")}
    env["FREEZE_NOW"] = now
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not postgres and not e2e",
         *DATE_DEPENDENT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"FREEZE_NOW={now}\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout and "failed" not in result.stdout.splitlines()[-1]
