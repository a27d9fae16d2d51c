"""The bells migration (e5b1c7d2a940) on a database with data: the bells a school had become
its 1st shift's normal bells for every grade, and its classes study in the 1st shift."""
from __future__ import annotations

import sqlite3

from tests.test_migrations_data import _flask_db


def test_existing_bells_become_the_first_shifts_for_every_grade(tmp_path):
    path = tmp_path / "school.db"
    url = f"sqlite:///{path}"
    _flask_db(url, "upgrade", "d7a2f4c19e30")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO school VALUES (1, 's', 's', '', '', '', 'Europe/Moscow', '{}', '2026-01-01')")
        conn.execute("INSERT INTO academic_year (id, school_id, name, start_date, end_date, is_current, is_closed, created_at)"
                     " VALUES (1, 1, '2026/2027', '2026-09-01', '2027-05-31', 1, 0, '2026-01-01')")
        conn.execute("INSERT INTO class_group (id, school_id, year_id, name, grade, letter, kind, period_scheme,"
                     " attendance_only, created_at) VALUES (1, 1, 1, '5А', 5, 'А', 'class', 'quarter', 0, '2026-01-01')")
        conn.executemany("INSERT INTO bell_schedule (school_id, lesson_number, starts, ends) VALUES (1, ?, ?, ?)",
                         [(1, "08:30", "09:15"), (2, "09:25", "10:10")])
    _flask_db(url, "upgrade")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT shift, grade_from, grade_to, variant, lesson_number, starts, ends"
                            " FROM bell_schedule ORDER BY lesson_number").fetchall()
        assert rows == [(1, 1, 11, "normal", 1, "08:30", "09:15"), (1, 1, 11, "normal", 2, "09:25", "10:10")]
        assert conn.execute("SELECT shift FROM class_group").fetchall() == [(1,)]
        # a second shift's bells with the same numbers now fit
        conn.execute("INSERT INTO bell_schedule (school_id, shift, lesson_number, starts, ends) VALUES (1, 2, 1, '13:30', '14:15')")
    _flask_db(url, "downgrade", "d7a2f4c19e30")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT lesson_number, starts FROM bell_schedule ORDER BY lesson_number").fetchall() == [
            (1, "08:30"), (2, "09:25")]
