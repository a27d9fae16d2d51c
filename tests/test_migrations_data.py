"""Migrations on a database with data (issue 8): SQLite's batch mode rebuilds a table that other
rows refer to (the user table, c3a91d5e7f20); the upgrade must keep every row and reference.
tests/test_migrations.py checks the schema on an empty database only."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _flask_db(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("FLASK_APP", None)
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_upgrade_keeps_users_and_what_refers_to_them_on_sqlite(tmp_path):
    path = tmp_path / "school.db"
    url = f"sqlite:///{path}"
    _flask_db(url, "upgrade", "7bf5b3548799")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO school VALUES (1, 's', 's', '', '', '', 'Europe/Moscow', '{}', '2026-01-01')")
        conn.execute(
            "INSERT INTO user (id, school_id, login, password_hash, last_name, first_name, middle_name, email,"
            " phone, is_active_account, is_blocked, blocked_reason, failed_logins, must_change_password,"
            " session_version, created_at) VALUES (7, 1, 'ivanova', 'x', 'Иванова', 'Анна', '', '', '', 1, 0,"
            " '', 2, 0, 3, '2026-01-01')"
        )
        conn.execute(
            "INSERT INTO login_event (at, user_id, login, event, ip, user_agent)"
            " VALUES ('2026-01-01', 7, 'ivanova', 'success', '10.0.0.1', '')"
        )
    _flask_db(url, "upgrade")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT id, login, last_name FROM user").fetchall() == [(7, "ivanova", "Иванова")]
        assert conn.execute("SELECT user_id, login, device FROM login_event").fetchall() == [(7, "ivanova", "")]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        columns = {row[1] for row in conn.execute("PRAGMA table_info(user)")}
        assert not columns & {"failed_logins", "locked_until", "session_version"}
