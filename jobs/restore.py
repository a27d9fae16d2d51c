"""Restore a backup written by jobs/backup.py (`flask backup restore`). It replaces the whole
database and the uploads folder, so it is a command for the operator, never a button.

Order: verify every checksum of the chosen copy (a damaged copy is refused; with a name, the
other destination's copy is tried), unpack the files next to the uploads folder, replace the
database, then swap the uploads folder. Meanwhile the application is in maintenance
(utils/maintenance.py): web processes answer writes with 503 and show why, and drop their
connections afterwards (SQLite: they would still see the old file). Stopping the scheduler
first is still best; a web process's open transaction can make PostgreSQL's restore wait."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import inspect, text, update

from extensions import db
from jobs.backup import (
    DATABASE_FILES,
    FILES_ARCHIVE,
    INFO,
    BackupError,
    _copy_synced,
    database_url,
    destinations,
    engine_name,
    find_backup,
    fsync_dir,
    run_pg_tool,
    sqlite_check,
    verify_folder,
)
from models import JobRun
from models.archive import BackupCopy
from models.base import as_utc, utcnow
from utils.maintenance import maintenance

# Shown before the confirmation: how many rows the restore replaces.
KEY_TABLES = ("school", "user", "student", "class_group", "lesson", "mark", "attendance", "period_mark", "homework_file")


@dataclass
class RestorePlan:
    folder: str
    info: dict
    engine: str
    target: str  # the database, without its password
    upload_folder: str
    rows_now: dict[str, int | None] = field(default_factory=dict)  # None: the table is missing
    skipped: dict[str, list[str]] = field(default_factory=dict)  # damaged copies not used

    @property
    def rows_after(self) -> dict[str, int]:
        return self.info.get("tables", {})


def plan_restore(app: Flask, name_or_path: str) -> RestorePlan:
    """Find and verify the copy; refuse a damaged one or one of another engine."""
    candidates = find_backup(destinations(app), name_or_path)
    if not candidates:
        raise BackupError(f"no complete backup {name_or_path!r} in {', '.join(destinations(app))}")
    skipped: dict[str, list[str]] = {}
    chosen = None
    for folder in candidates:
        problems = verify_folder(folder)
        if not problems:
            chosen = folder
            break
        skipped[folder] = problems
    if chosen is None:
        details = "; ".join(f"{folder}: {', '.join(problems)}" for folder, problems in skipped.items())
        raise BackupError(f"the backup is damaged and was not restored ({details})")
    with open(os.path.join(chosen, INFO), encoding="utf-8") as f:
        info = json.load(f)
    url = database_url()
    engine = engine_name(url)
    if info.get("engine") != engine:
        raise BackupError(f"the backup is of {info.get('engine')}, the configured database is {engine}")
    plan = RestorePlan(
        folder=chosen, info=info, engine=engine, target=url.render_as_string(hide_password=True),
        upload_folder=app.config["UPLOAD_FOLDER"], skipped=skipped,
    )
    try:
        with db.engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            for table in KEY_TABLES:
                plan.rows_now[table] = conn.scalar(text(f'SELECT count(*) FROM "{table}"')) if table in present else None
    except Exception:  # a database too damaged to count is what a restore is for
        plan.rows_now = {}
    return plan


def _restore_sqlite(live: str, copy: str, stamp: str) -> str | None:
    """Replace the SQLite file: the copy goes to a temporary file next to the live one, the
    old file is kept under a new name, and os.replace swaps them in one step. The live file's
    WAL is checkpointed and removed first, or SQLite would replay it onto the restored file."""
    tmp = f"{live}.restore-tmp"
    _copy_synced(copy, tmp)
    sqlite_check(tmp)
    previous = None
    if os.path.exists(live):
        with contextlib.suppress(sqlite3.DatabaseError):
            conn = sqlite3.connect(live, timeout=60)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
        previous = f"{live}.before-restore-{stamp}"
        try:
            os.link(live, previous)
        except OSError:
            shutil.copy2(live, previous)
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(live + suffix)
    os.replace(tmp, live)
    fsync_dir(os.path.dirname(os.path.abspath(live)))
    return previous


def _unpack_uploads(upload_folder: str, archive: str) -> str:
    parent = os.path.dirname(os.path.abspath(upload_folder))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".restore-uploads-", dir=parent)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")  # no absolute paths, links out or device files
    os.makedirs(os.path.join(tmp, "uploads"), exist_ok=True)
    return tmp


def _swap_uploads(upload_folder: str, unpacked: str, stamp: str) -> str | None:
    previous = None
    if os.path.exists(upload_folder):
        previous = f"{os.path.abspath(upload_folder)}.before-restore-{stamp}"
        os.replace(upload_folder, previous)
    os.replace(os.path.join(unpacked, "uploads"), upload_folder)
    shutil.rmtree(unpacked, ignore_errors=True)
    return previous


def _record_restored_run(app: Flask, plan: RestorePlan) -> None:
    """The restored database holds the backup's own run as 'running' and none of its copies:
    record them from what the destinations hold, so the restored backup counts as the last one."""
    run_id = plan.info.get("job_run_id")
    run = db.session.get(JobRun, run_id) if run_id else None
    if run is None or run.status != "running":
        return
    name = plan.info["name"]
    good = 0
    targets = destinations(app)
    for destination in targets:
        folder = os.path.join(destination, name)
        problems = verify_folder(folder, deep=False) if os.path.isdir(folder) else ["missing"]
        good += not problems
        size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder)) if not problems else 0
        db.session.add(BackupCopy(
            job_run_id=run.id, destination=destination, folder=name, engine=plan.engine, size=size,
            sha256=plan.info["database"]["sha256"] if not problems else "", verified=not problems,
            error="; ".join(problems), created_at=as_utc(run.started_at),
        ))
    run.status = "succeeded" if good == len(targets) else ("partial" if good else "failed")
    run.done, run.failed, run.finished_at = good, len(targets) - good, utcnow()
    run.counts = {"name": name, "engine": plan.engine, "recorded_at_restore": True}
    db.session.commit()


def restore(app: Flask, plan: RestorePlan) -> dict[str, str | None]:
    """Replace the database and the uploads with the planned copy, with the application in
    maintenance meanwhile: web processes refuse writes (503) and show why, and reconnect
    afterwards. Returns where the previous SQLite file and uploads folder were kept."""
    with maintenance(app, "restore", backup=plan.info.get("name")):
        return _restore(app, plan)


def _restore(app: Flask, plan: RestorePlan) -> dict[str, str | None]:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    url = database_url()
    copy = os.path.join(plan.folder, DATABASE_FILES[plan.engine])
    unpacked = _unpack_uploads(plan.upload_folder, os.path.join(plan.folder, FILES_ARCHIVE))
    kept: dict[str, str | None] = {"database": None, "uploads": None}
    try:
        db.session.remove()
        db.engine.dispose()
        if plan.engine == "sqlite":
            kept["database"] = _restore_sqlite(url.database, copy, stamp)
        else:
            # One transaction: a failure (a lock not granted in time) leaves the database as it was.
            run_pg_tool(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "--exit-on-error", f"--dbname={url.database}", copy],
                url,
                {"PGOPTIONS": "-c lock_timeout=60s"},
            )
        db.engine.dispose()
    except BaseException:
        shutil.rmtree(unpacked, ignore_errors=True)
        raise
    kept["uploads"] = _swap_uploads(plan.upload_folder, unpacked, stamp)
    _record_restored_run(app, plan)
    # Other runs that were going on when the copy was taken never finished in this database.
    db.session.execute(
        update(JobRun)
        .where(JobRun.status == "running")
        .values(status="failed", finished_at=utcnow(), errors=f"interrupted: database restored from backup {plan.info.get('name')}")
    )
    db.session.commit()
    return kept
