"""SQLite under concurrent writers (the embedded default): WAL, foreign keys, a busy timeout
that really applies, and write transactions that begin IMMEDIATE. A DEFERRED transaction that
reads and then writes fails at once when another writer got in between, whatever the timeout."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from database import _write_intent
from extensions import db
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="SQLite engine settings; PostgreSQL locks rows itself")


def test_sqlite_pragmas_are_set_on_every_connection(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == app.config["SQLITE_BUSY_TIMEOUT_MS"]


def test_foreign_keys_are_enforced(app):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO subject (school_id, name, short_name, is_active) VALUES (999, 'x', '', 1)"))


def _read_then_write(immediate: bool, results: list, barrier: threading.Barrier, name: str) -> None:
    """Read a counter, wait for the other writer, write it back: the lost-update pattern."""
    _write_intent.set(immediate)
    try:
        with db.engine.connect() as conn:
            barrier.wait(timeout=5)  # both start their transaction at the same moment
            with conn.begin():
                value = conn.execute(text("SELECT count(*) FROM school")).scalar()
                time.sleep(0.2)
                conn.execute(text("INSERT INTO school (name, short_name, address, inn, director_name, timezone, settings, created_at) "
                                  "VALUES (:n, :n, '', '', '', 'Europe/Moscow', '{}', CURRENT_TIMESTAMP)"), {"n": f"{name}-{value}"})
        results.append("ok")
    except OperationalError as error:
        results.append(str(error.orig))


def _race(app, immediate: bool) -> list:
    results: list = []
    barrier = threading.Barrier(2)

    def worker(name):
        with app.app_context():
            _read_then_write(immediate, results, barrier, name)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_concurrent_writers_wait_for_each_other_with_begin_immediate(app):
    # The second BEGIN IMMEDIATE waits (busy timeout) for the first to commit: both succeed.
    assert _race(app, immediate=True) == ["ok", "ok"]


def test_deferred_read_then_write_fails_at_once_which_is_why_writes_begin_immediate(app):
    results = _race(app, immediate=False)
    assert "ok" in results
    assert any("locked" in r for r in results), results
