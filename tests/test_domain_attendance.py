"""Attendance codes, their meaning and the school's notations (domain/attendance.py): the one
list the grid, the daily register, the diary, the weekly report and the print read."""
from __future__ import annotations

from domain import attendance, cell
from domain.settings import DEFAULTS
from models.journal import ATTENDANCE_CODES


def test_every_code_has_a_label_and_the_legend_keeps_their_order():
    assert attendance.CODES == ("absent", "ill", "excused", "unexcused", "late")
    assert set(attendance.LABELS) == set(attendance.CODES)
    assert [code for code, _shown, _label in attendance.legend(DEFAULTS["notations"])] == list(attendance.CODES)


def test_lateness_is_not_an_absence():
    assert attendance.LATE not in attendance.ABSENCES
    assert attendance.ABSENCES == set(attendance.CODES) - {attendance.LATE}


def test_the_database_and_the_cell_read_the_same_codes():
    assert ATTENDANCE_CODES == attendance.CODES
    assert cell.ATTENDANCE_CODES == attendance.CODES and cell.ABSENCE_CODES == attendance.ABSENCES


def test_the_schools_own_notations_are_shown_not_the_default_letters():
    notations = {**DEFAULTS["notations"], "absent": "отс", "ill": "бол"}
    shown = attendance.notations_of(notations)
    assert shown["absent"] == "отс" and shown["ill"] == "бол" and shown["late"] == "ОП"
    assert ("absent", "отс", "отсутствовал(а), причина не указана") in attendance.legend(notations)


def test_a_code_without_a_notation_is_shown_as_the_code():
    assert attendance.notation("late", {}) == "late"
    assert attendance.notation("late", {"late": ""}) == "late"
