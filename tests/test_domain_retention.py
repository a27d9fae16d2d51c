"""Retention periods (ARC-2): the seeds' defaults, settings that override them, legal holds."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import retention
from domain.retention import Held

YEAR_END = date(2026, 8, 31)


def test_the_defaults_are_the_seeds_stricter_periods():
    assert retention.years_for("journal") == 5  # 004:2.7 over 002:5.6's three
    assert retention.years_for("personal_file") == 3
    assert retention.years_for("attestation_protocol") == 3
    assert retention.years_for("monitoring") == 3
    assert retention.years_for("state_exam_protocol") == 5
    assert retention.years_for("certificate_book") == 50


def test_a_setting_overrides_one_kind():
    assert retention.retention_ends("journal", YEAR_END, {"journal": 3}) == date(2029, 8, 31)
    assert retention.retention_ends("personal_file", YEAR_END, {"journal": 3}) == date(2029, 8, 31)


def test_six_years_on_the_journals_are_due_and_the_certificate_book_is_not():
    records = [
        Held("journal-5A", "journal", YEAR_END),
        Held("book", "certificate_book", YEAR_END),
        Held("act-1", "destruction_act", YEAR_END),
    ]
    due = retention.due_for_destruction(records, date(2032, 9, 1))
    assert [r.key for r in due] == ["journal-5A"]


def test_the_last_day_of_retention_is_still_kept():
    record = Held("j", "journal", YEAR_END)
    assert retention.due_for_destruction([record], date(2031, 8, 31)) == []
    assert retention.due_for_destruction([record], date(2031, 9, 1)) == [record]


def test_a_legal_hold_keeps_a_record_past_its_period():
    held = Held("j", "journal", YEAR_END, legal_hold=True)
    assert retention.due_for_destruction([held], date(2040, 1, 1)) == []


def test_29_february_counts_to_28_february():
    assert retention.add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(sorted(retention.SCHEDULE)), st.integers(min_value=0, max_value=400))
def test_nothing_is_due_before_its_period_ends(counted_from, kind, days_after):
    record = Held("r", kind, counted_from)
    today = counted_from + timedelta(days=days_after)
    ends = retention.retention_ends(kind, counted_from)
    due = retention.due_for_destruction([record], today)
    assert (due == [record]) == (ends is not None and ends < today)
