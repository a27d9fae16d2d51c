"""The school's settings (domain/settings.py) and the settings page's rules
(domain/settings_rules.py), without Flask or a database: defaults under the school's own
values, how a typed value is read and refused, what is stored, and the deadlines they give."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import attendance
from domain import settings_rules as rules
from domain.messages import Refusal
from domain.settings import DEFAULTS, defaults, school_settings, weekly_cron, weekly_cron_parts


def test_a_school_stores_only_what_differs_and_reads_the_defaults_under_it():
    merged = school_settings({"notations": {"absent": "отс"}, "use_weights": False})
    assert merged["notations"]["absent"] == "отс" and merged["notations"]["ill"] == "Б"
    assert merged["use_weights"] is False and merged["homework_deadline_hours"] == 2
    assert school_settings(None) == DEFAULTS
    assert DEFAULTS["notations"]["absent"] == "Н"  # the defaults themselves are not changed


def test_the_deployment_gives_its_own_defaults():
    config = {"PD_DESTROY_WORKING_DAYS": "5", "WEEKLY_REPORTS_CRON": "30 9 * * 5"}
    merged = defaults(config)
    assert merged["pd_destroy_working_days"] == 5
    assert (merged["weekly_reports_day"], merged["weekly_reports_time"]) == ("fri", "09:30")
    assert school_settings({"weekly_reports_day": "sat"}, config)["weekly_reports_day"] == "sat"


@pytest.mark.parametrize("cron, parts", [
    ("0 10 * * sat", ("sat", "10:00")),
    ("5 7 * * 0", ("sun", "07:05")),
    ("5 7 * * 7", ("sun", "07:05")),
    ("0 10 1 * sat", None),
    ("0 25 * * sat", None),
    ("0 10 * * someday", None),
    ("", None),
])
def test_the_weekly_reports_crontab_is_read_as_a_day_and_a_time(cron, parts):
    assert weekly_cron_parts(cron) == parts


def test_the_day_and_time_are_written_back_as_a_crontab_line():
    assert weekly_cron("sat", "10:00") == "0 10 * * sat"
    assert weekly_cron_parts(weekly_cron("wed", "07:45")) == ("wed", "07:45")


FIELD = rules.FIELD_BY_NAME


@pytest.mark.parametrize("name, text, value", [
    ("rounding_thresholds.5", "4,5", 4.5),
    ("rounding_thresholds.5", " 4.65 ", 4.65),
    ("homework_deadline_hours", "3", 3),
    ("current_marks_by", "9:05", "09:05"),
    ("weekly_reports_day", "fri", "fri"),
    ("notations.absent", "отс", "отс"),
    ("use_weights", "on", True),
    ("use_weights", "", False),
])
def test_a_typed_value_is_read_as_stored(name, text, value):
    assert rules.read_value(FIELD[name], text) == value


@pytest.mark.parametrize("name, text, message", [
    ("rounding_thresholds.5", "3,5", "Число больше 4 и не больше 5"),
    ("rounding_thresholds.5", "4,655", "Не больше двух знаков после запятой"),
    ("rounding_thresholds.5", "abc", "Введите число"),
    ("rounding_thresholds.5", "NaN", "Введите число"),
    ("homework_deadline_hours", "0", "Целое число от 1 до 48"),
    ("homework_deadline_hours", "2.5", "Введите целое число"),
    ("current_marks_by", "24:00", "Время в виде ЧЧ:ММ"),
    ("weekly_reports_day", "пятница", "Выберите день недели"),
    ("notations.absent", "очень длинное", "Не длиннее 10 знаков"),
    ("notations.absent", "", "Заполните поле"),
])
def test_a_value_out_of_bounds_is_refused_in_russian(name, text, message):
    with pytest.raises(Refusal) as refusal:
        rules.read_value(FIELD[name], text)
    assert message in str(refusal.value)


def test_a_weight_is_more_than_zero_and_at_most_ten():
    assert rules.read_weight("2,5") == Decimal("2.5")
    for text in ("0", "10,5", ""):
        with pytest.raises(Refusal):
            rules.read_weight(text)


def test_two_notations_alike_are_refused_and_nothing_is_read_as_valid():
    section = rules.SECTION_BY_CODE["notations"]
    form = {f.name: str(f.current(DEFAULTS)) for f in section.fields}
    values, errors = rules.read_section(section, form)
    assert not errors and values["notations.absent"] == "Н"
    values, errors = rules.read_section(section, {**form, "notations.ill": "н"})
    assert "Такое обозначение уже задано выше" in str(errors["notations.ill"])


def test_working_days_longer_than_the_legal_calendar_days_are_refused():
    section = rules.SECTION_BY_CODE["personal_data"]
    _values, errors = rules.read_section(section, {"pd_destroy_working_days": "25",
                                                   "pd_destroy_calendar_days_legal": "30"})
    assert "pd_destroy_working_days" in errors


def test_only_what_differs_from_the_defaults_is_stored_and_a_reset_forgets_the_section():
    stored = rules.apply({}, DEFAULTS, {"notations.absent": "отс", "notations.ill": "Б", "use_weights": True})
    assert stored == {"notations": {"absent": "отс"}}
    assert rules.apply(stored, DEFAULTS, {"notations.absent": "Н"}) == {}
    stored = {"notations": {"absent": "отс"}, "use_weights": False}
    assert rules.reset(stored, rules.SECTION_BY_CODE["notations"]) == {"use_weights": False}


def test_the_changes_are_listed_both_ways():
    before = {"a": 1, "b": 2}
    assert rules.changes(before, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})


def test_the_notations_section_names_every_attendance_code_with_the_journals_labels():
    fields = {f.subkey: f.label for f in rules.SECTION_BY_CODE["notations"].fields}
    assert all(fields[code] == attendance.LABELS[code] for code in attendance.CODES)


def test_data_are_destroyed_by_the_schools_working_days_never_after_the_legal_limit():
    friday = date(2026, 11, 27)
    assert rules.add_working_days(friday, 1) == date(2026, 11, 30)
    assert rules.longest_span(10) == 14
    settings = {"pd_destroy_working_days": 10, "pd_destroy_calendar_days_legal": 30}
    assert rules.pd_destroy_by(friday, settings) == date(2026, 12, 11)
    assert rules.pd_destroy_by(friday, {**settings, "pd_destroy_calendar_days_legal": 7}) == date(2026, 12, 4)
    # across official days off the term is counted by the production calendar: Friday 20.02.2026,
    # Monday 23.02 and Monday 09.03 off — the tenth working day is 10.03, not 06.03
    assert rules.pd_destroy_by(date(2026, 2, 20), settings) == date(2026, 3, 10)
