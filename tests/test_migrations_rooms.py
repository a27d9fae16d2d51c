"""The rooms migration (a9c41e2b7d10, issue 10) on a database with a timetable: every room name
typed into the slots becomes one room of its school, and the slots point at it; the typed name
stays, so the timetable reads as before."""
from __future__ import annotations

import sqlite3

from tests.test_migrations_data import _flask_db

FILLERS = {"INTEGER": 1, "BOOLEAN": 0, "DATE": "2026-09-01", "DATETIME": "2026-01-01", "JSON": "{}"}


def _insert(conn, table: str, **values) -> None:
    """A row with the given values; other required columns get a plain filler."""
    for _cid, name, kind, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
        if name not in values and notnull and default is None and not pk:
            values[name] = FILLERS.get(kind.split("(")[0].upper(), "x")
    columns = ", ".join(f'"{c}"' for c in values)
    conn.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(values))})', list(values.values()))


def _assignment(conn, school_id: int) -> None:
    """School `school_id` with one teaching assignment of the same id (and everything it needs)."""
    n = school_id
    _insert(conn, "school", id=n, name="s", short_name="s", settings="{}")
    _insert(conn, "academic_year", id=n, school_id=n, name="2026/2027", start_date="2026-09-01", end_date="2027-05-31")
    _insert(conn, "user", id=n, school_id=n, login=f"t{n}", last_name="Иванова", first_name="Анна")
    _insert(conn, "class_group", id=n, school_id=n, year_id=n, name="5А", grade=5, kind="class", period_scheme="quarter")
    _insert(conn, "subject", id=n, school_id=n, name="Математика")
    _insert(conn, "marking_scale", id=n, school_id=n, code="five", name="5")
    _insert(conn, "teaching_assignment", id=n, school_id=n, year_id=n, teacher_id=n, class_id=n, subject_id=n, scale_id=n)


def test_typed_room_names_become_the_schools_rooms(tmp_path):
    path = tmp_path / "school.db"
    url = f"sqlite:///{path}"
    _flask_db(url, "upgrade", "d7a2f4c19e30")
    with sqlite3.connect(path) as conn:
        for school_id in (1, 2):
            _assignment(conn, school_id)
        slots = [
            (1, 1, "204"), (2, 1, "204"), (3, 1, " 301 "), (4, 1, ""), (5, 2, "204"),
        ]
        for slot_id, school_id, room in slots:
            conn.execute(
                "INSERT INTO schedule_slot (id, school_id, assignment_id, weekday, lesson_number, room, valid_from)"
                " VALUES (?, ?, ?, 1, ?, ?, '2026-09-01')",
                (slot_id, school_id, school_id, slot_id, room),
            )
    _flask_db(url, "upgrade")
    with sqlite3.connect(path) as conn:
        rooms = conn.execute("SELECT school_id, name, is_active FROM room ORDER BY school_id, name").fetchall()
        assert rooms == [(1, "204", 1), (1, "301", 1), (2, "204", 1)]
        linked = conn.execute(
            "SELECT s.id, s.room, r.school_id, r.name FROM schedule_slot s LEFT JOIN room r ON r.id = s.room_id ORDER BY s.id"
        ).fetchall()
        assert linked == [
            (1, "204", 1, "204"), (2, "204", 1, "204"), (3, " 301 ", 1, "301"), (4, "", None, None), (5, "204", 2, "204"),
        ]
