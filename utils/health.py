"""What /healthz checks, for a load balancer: can this process write to the database now, and
is there room on the disks it writes to. Reasons are short codes, never data or paths.

- The write probe takes the write lock in a transaction that is rolled back, with a short
  timeout of its own (HEALTH_DB_TIMEOUT_MS): SQLite `BEGIN IMMEDIATE` under a short busy
  timeout and an update of no row (refused by a read-only file); PostgreSQL `SET LOCAL
  lock_timeout/statement_timeout` and the same update of no row, which takes the lock an
  insert of a mark takes and is refused by a read-only server or a standby.
- Free space of the SQLite database's folder and of the uploads folder against
  HEALTH_MIN_FREE_MB.
- The maintenance marker (a restore is going on)."""
from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field

from flask import Flask

from database import is_busy_error
from extensions import db
from utils import maintenance


@dataclass
class Health:
    problems: list[str] = field(default_factory=list)
    busy: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _probe_sqlite(timeout_ms: int) -> None:
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection  # bypasses the engine's BEGIN event
        previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                raw.execute("UPDATE mark SET id = id WHERE 0")  # refused by a read-only database
            finally:
                raw.execute("ROLLBACK")
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(previous)}")


def _probe_postgresql(timeout_ms: int) -> None:
    with db.engine.connect() as conn, conn.begin() as transaction:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        # The lock an insert of a mark takes; refused by a read-only server or a standby.
        conn.exec_driver_sql("UPDATE mark SET id = id WHERE false")
        transaction.rollback()


def _write_probe(app: Flask, health: Health) -> None:
    timeout_ms = app.config["HEALTH_DB_TIMEOUT_MS"]
    try:
        if db.engine.dialect.name == "sqlite":
            _probe_sqlite(timeout_ms)
        else:
            _probe_postgresql(timeout_ms)
    except Exception as error:  # also sqlite3's own errors from the raw connection
        if is_busy_error(error) or _sqlite_busy(error):
            health.busy = True
            health.problems.append("database_busy")
        else:
            health.problems.append("database_unwritable")


def _sqlite_busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and str(error).lower().startswith(("database is locked", "database is busy"))


def _existing(path: str) -> str:
    """The path or its nearest existing parent (the uploads folder is made on first use)."""
    path = os.path.abspath(path)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def _disk_space(app: Flask, health: Health) -> None:
    minimum = app.config["HEALTH_MIN_FREE_MB"] * 1024 * 1024
    folders = {"uploads": app.config["UPLOAD_FOLDER"]}
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folders["database"] = os.path.dirname(os.path.abspath(url.database))
    for name, folder in folders.items():
        try:
            free = shutil.disk_usage(_existing(folder)).free
        except OSError:
            health.problems.append(f"disk_unreadable:{name}")
            continue
        if free < minimum:
            health.problems.append(f"disk_low:{name}")


def check(app: Flask) -> Health:
    health = Health()
    if maintenance.current(app) is not None:
        health.problems.append("maintenance")
        return health
    _write_probe(app, health)
    _disk_space(app, health)
    return health
