"""The weekly backup (ARC-4: at least weekly, on at least two media in different rooms).

One run takes a consistent copy of the live database (SQLite: the online backup API;
PostgreSQL: `pg_dump --format=custom`, which reads one snapshot) and packs the uploaded files,
then writes the same copy to every configured destination as a folder named by the UTC time:

    <destination>/20261129T230000Z/
        database.sqlite3 | database.dump
        files.tar.gz
        manifest.json       engine, time, app commit, sizes, rows per table
        MANIFEST.sha256     `sha256sum -c` format, over the three files above

A folder is built as `.incomplete-<name>` and renamed to its name only after every file is
written, fsynced and verified, so a run killed midway never leaves a folder that looks complete;
the next run removes the leftovers. Rotation then keeps the newest BACKUP_KEEP_WEEKLY copies
plus the newest copy of each of the last BACKUP_KEEP_MONTHLY months, and only ever touches
folders it recognises. Restoring is `flask backup restore` (jobs/restore.py)."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from extensions import db
from jobs.runner import run_once
from models import JobRun
from models.archive import BackupCopy
from models.base import as_utc, utcnow

JOB_ID = "weekly_backup"
NAME_RE = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")
NAME_FORMAT = "%Y%m%dT%H%M%SZ"
INCOMPLETE_PREFIX = ".incomplete-"
DELETING_PREFIX = ".deleting-"
LOCK_FILE = ".backup.lock"
MANIFEST = "MANIFEST.sha256"
INFO = "manifest.json"
FILES_ARCHIVE = "files.tar.gz"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore cannot go on; the message says why (shown to the administrator)."""


@dataclass
class DestinationOutcome:
    destination: str
    folder: str
    path: str | None = None  # the complete folder, when the copy succeeded
    size: int = 0
    sha256: str = ""  # of the database copy
    verified: bool = False
    error: str = ""
    removed: list[str] = field(default_factory=list)  # folders removed by rotation


@dataclass
class BackupResult:
    name: str
    engine: str
    created_at: datetime
    database_sha256: str
    database_size: int
    files_size: int
    tables: dict[str, int]
    seconds: float
    outcomes: list[DestinationOutcome]

    @property
    def status(self) -> str:
        good = sum(1 for o in self.outcomes if o.verified)
        if good and good == len(self.outcomes):
            return "succeeded"
        return "partial" if good else "failed"


# --- Settings ----------------------------------------------------------------------------------


def destinations(app: Flask) -> list[str]:
    configured = app.config.get("BACKUP_DESTINATIONS")
    if isinstance(configured, str):
        configured = [p for p in configured.split(os.pathsep) if p.strip()]
    if not configured:
        configured = [os.path.join(app.instance_path, "backups-a"), os.path.join(app.instance_path, "backups-b")]
    return [os.path.abspath(os.path.expanduser(p)) for p in configured]


def database_url() -> URL:
    return db.engine.url


def engine_name(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in DATABASE_FILES:
        raise BackupError(f"unsupported database engine: {backend}")
    return backend


def app_commit(app: Flask) -> str | None:
    if os.environ.get("APP_COMMIT"):
        return os.environ["APP_COMMIT"]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=app.root_path, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


# --- Small file helpers ------------------------------------------------------------------------


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: str) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _folder_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(path, n)) for n in os.listdir(path) if os.path.isfile(os.path.join(path, n)))


@contextlib.contextmanager
def _destination_lock(destination: str) -> Iterator[None]:
    """One writer per destination at a time (a run by hand while the scheduled one writes).
    The kernel drops the lock of a killed process, so its leftovers can then be removed."""
    with open(os.path.join(destination, LOCK_FILE), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


# --- PostgreSQL command-line tools -------------------------------------------------------------


def libpq_arguments(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options of pg_dump/pg_restore for SQLAlchemy's URL (postgresql+psycopg://…).
    The password travels in the environment, never on the command line (visible in `ps`)."""
    args: list[str] = ["--no-password"]
    host = url.host or url.query.get("host")
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if url.query.get(option):
            env[variable] = str(url.query[option])
    return args, env


def run_pg_tool(command: list[str], url: URL, extra_env: dict[str, str] | None = None) -> str:
    args, env = libpq_arguments(url)
    env.update(extra_env or {})
    done = subprocess.run([command[0], *args, *command[1:]], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout


def _pg_list(dump_path: str) -> None:
    done = subprocess.run(["pg_restore", "--list", dump_path], capture_output=True, text=True, check=False)
    if done.returncode != 0 or "TABLE DATA" not in done.stdout:
        raise BackupError(f"pg_restore --list failed: {done.stderr.strip()[-2000:] or 'no table data'}")


def _admin_engine(url: URL):
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _pg_scratch_restore(url: URL, dump_path: str) -> dict[str, int]:
    """Restore the dump into a scratch database `backup_check_<random>` on the same server,
    count the rows of every table, and drop it: proof that the dump loads."""
    scratch = f"backup_check_{secrets.token_hex(6)}"
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        try:
            # A throwaway database: one transaction, no waiting for each commit to reach the disk.
            run_pg_tool(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                         f"--dbname={scratch}", dump_path], url, {"PGOPTIONS": "-c synchronous_commit=off"})
            engine = create_engine(url.set(database=scratch), poolclass=NullPool)
            try:
                with engine.connect() as conn:
                    names = sorted(inspect(conn).get_table_names())
                    return {n: conn.scalar(text(f'SELECT count(*) FROM "{n}"')) for n in names}
            finally:
                engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_copy(source: str, target: str) -> None:
    """A consistent copy through SQLite's online backup API: one step under one read
    transaction, which in WAL mode never blocks the writers. The copy is switched to a rollback
    journal, so it is a single self-contained file."""
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        dst.commit()
    finally:
        dst.close()
        src.close()


def sqlite_check(path: str) -> dict[str, int]:
    """`PRAGMA integrity_check` and the rows of every table; opened immutable, so the check
    writes nothing next to the copy."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in result] != ["ok"]:
            raise BackupError("integrity_check: " + "; ".join(str(r[0]) for r in result[:5]))
        names = sorted(
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        )
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


# --- Uploaded files ----------------------------------------------------------------------------


def pack_uploads(folder: str, target: str) -> int:
    """The uploads folder as `uploads/…` in a tar.gz (an empty archive when there is none).
    Packed after the database copy, so every file a copied row names is already there."""
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        if os.path.isdir(folder):
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(files):
                    path = os.path.join(root, name)
                    with contextlib.suppress(FileNotFoundError):  # removed while packing
                        tar.add(path, arcname=os.path.join("uploads", os.path.relpath(path, folder)), recursive=False)
                        count += 1
    return count


# --- Verification ------------------------------------------------------------------------------


def read_manifest(folder: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    with open(os.path.join(folder, MANIFEST), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            digest, sep, name = line.partition("  ")
            if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest) or "/" in name or name.startswith("."):
                raise BackupError(f"{MANIFEST}: unreadable line {line[:80]!r}")
            entries[name.lstrip("*")] = digest
    return entries


def verify_folder(folder: str, deep: bool = True) -> list[str]:
    """What is wrong with a backup folder (empty: nothing). Checks every checksum of the
    manifest and, when `deep`, that the database copy opens (SQLite) or lists (PostgreSQL)."""
    try:
        entries = read_manifest(folder)
        with open(os.path.join(folder, INFO), encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError, BackupError) as error:
        return [f"manifest: {error}"]
    problems = []
    database_file = DATABASE_FILES.get(info.get("engine", ""), "")
    for required in (database_file, FILES_ARCHIVE, INFO):
        if required not in entries:
            problems.append(f"{required or 'database'}: not in {MANIFEST}")
    for name, digest in entries.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            problems.append(f"{name}: missing")
        elif sha256_of(path) != digest:
            problems.append(f"{name}: checksum mismatch")
    if problems or not deep:
        return problems
    try:
        if info["engine"] == "sqlite":
            sqlite_check(os.path.join(folder, database_file))
        else:
            _pg_list(os.path.join(folder, database_file))
    except BackupError as error:
        problems.append(str(error))
    return problems


# --- Writing one destination -------------------------------------------------------------------


def _copy_synced(source: str, target: str) -> None:
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
        dst.flush()
        os.fsync(dst.fileno())


def _remove_leftovers(destination: str) -> None:
    """Folders of runs killed midway, and of rotations killed while deleting."""
    for name in os.listdir(destination):
        if name.startswith((INCOMPLETE_PREFIX, DELETING_PREFIX)):
            shutil.rmtree(os.path.join(destination, name), ignore_errors=True)


def _test_pause() -> None:
    """Tests kill a run here, after writing and verifying but before the rename."""
    seconds = float(os.environ.get("BACKUP_TEST_PAUSE_SECONDS") or 0)
    if seconds > 0:
        time.sleep(seconds)


def write_destination(destination: str, name: str, staged: dict[str, str], info: dict, keep: tuple[int, int]) -> DestinationOutcome:
    """Write the staged files to `<destination>/<name>` atomically, verify, then rotate."""
    outcome = DestinationOutcome(destination=destination, folder=name)
    work = os.path.join(destination, INCOMPLETE_PREFIX + name)
    try:
        os.makedirs(destination, exist_ok=True)
        with _destination_lock(destination):
            _remove_leftovers(destination)
            final = os.path.join(destination, name)
            if os.path.exists(final):
                raise BackupError(f"{final} already exists")
            os.mkdir(work)
            digests = {}
            for filename, source in staged.items():
                _copy_synced(source, os.path.join(work, filename))
                digests[filename] = sha256_of(source)
            info_path = os.path.join(work, INFO)
            with open(info_path, "w", encoding="utf-8") as f:
                json.dump(info, f, ensure_ascii=False, indent=2, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            digests[INFO] = sha256_of(info_path)
            with open(os.path.join(work, MANIFEST), "w", encoding="utf-8") as f:
                f.writelines(f"{digest}  {filename}\n" for filename, digest in digests.items())
                f.flush()
                os.fsync(f.fileno())
            fsync_dir(work)
            problems = verify_folder(work)  # reads back what the disk holds
            if problems:
                raise BackupError("verification failed: " + "; ".join(problems))
            _test_pause()
            os.replace(work, final)
            fsync_dir(destination)
            outcome.path = final
            outcome.size = _folder_size(final)
            outcome.sha256 = digests[DATABASE_FILES[info["engine"]]]
            outcome.verified = True
            outcome.removed = rotate(destination, *keep)
    except (OSError, BackupError) as error:
        outcome.error = str(error) or error.__class__.__name__
        shutil.rmtree(work, ignore_errors=True)
    return outcome


# --- Making a backup ---------------------------------------------------------------------------


def _new_name(targets: list[str], now: datetime) -> str:
    base = now.strftime(NAME_FORMAT)
    name, n = base, 1
    while any(os.path.exists(os.path.join(d, name)) for d in targets):
        n += 1
        name = f"{base}-{n}"
    return name


def make_backup(app: Flask, targets: list[str] | None = None, job_run_id: int | None = None) -> BackupResult:
    """Copy the database and the uploads once, then write the copy to every destination.
    Raises BackupError when the copy itself cannot be made; a destination that fails is
    reported in its outcome while the others are still written."""
    started = time.monotonic()
    targets = targets if targets is not None else destinations(app)
    url = database_url()
    engine = engine_name(url)
    created_at = utcnow()
    name = _new_name(targets, created_at)
    with tempfile.TemporaryDirectory(prefix="school-backup-") as staging:
        database_path = os.path.join(staging, DATABASE_FILES[engine])
        if engine == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupError("an in-memory SQLite database cannot be backed up")
            sqlite_copy(url.database, database_path)
            tables = sqlite_check(database_path)
        else:
            run_pg_tool(["pg_dump", "--format=custom", f"--file={database_path}", f"--dbname={url.database}"], url)
            _pg_list(database_path)
            tables = _pg_scratch_restore(url, database_path) if app.config.get("BACKUP_VERIFY_RESTORE", True) else {}
        with db.engine.connect() as conn:
            live_tables = set(inspect(conn).get_table_names())
        if tables and not live_tables <= set(tables):
            raise BackupError("the copy lacks tables: " + ", ".join(sorted(live_tables - set(tables))))
        files_path = os.path.join(staging, FILES_ARCHIVE)
        file_count = pack_uploads(app.config["UPLOAD_FOLDER"], files_path)
        database_sha256 = sha256_of(database_path)
        info = {
            "format": 1,
            "name": name,
            "engine": engine,
            "created_at": created_at.isoformat(),
            "app_commit": app_commit(app),
            "job_run_id": job_run_id,  # a restore records this run's outcome in the restored database
            "database": {"file": DATABASE_FILES[engine], "size": os.path.getsize(database_path), "sha256": database_sha256,
                         "source": url.render_as_string(hide_password=True)},
            "files": {"file": FILES_ARCHIVE, "size": os.path.getsize(files_path), "count": file_count,
                      "source": app.config["UPLOAD_FOLDER"]},
            "tables": tables,
        }
        staged = {DATABASE_FILES[engine]: database_path, FILES_ARCHIVE: files_path}
        keep = (app.config.get("BACKUP_KEEP_WEEKLY", 8), app.config.get("BACKUP_KEEP_MONTHLY", 12))
        outcomes = [write_destination(d, name, staged, info, keep) for d in targets]
    return BackupResult(
        name=name, engine=engine, created_at=created_at, database_sha256=database_sha256,
        database_size=info["database"]["size"], files_size=info["files"]["size"], tables=tables,
        seconds=time.monotonic() - started, outcomes=outcomes,
    )


# --- Rotation ----------------------------------------------------------------------------------


def name_time(name: str) -> datetime | None:
    match = NAME_RE.match(name)
    if not match:
        return None
    return datetime.strptime(match.group(1), NAME_FORMAT).replace(tzinfo=timezone.utc)


def _sort_key(name: str) -> tuple[str, int]:
    match = NAME_RE.match(name)
    return (match.group(1), int(match.group(2) or 1)) if match else ("", 0)


def names_to_keep(names: list[str], keep_weekly: int, keep_monthly: int) -> set[str]:
    """The newest `keep_weekly`, plus the newest of each of the newest `keep_monthly` months
    that have a copy; the newest copy is always kept."""
    ordered = sorted((n for n in names if NAME_RE.match(n)), key=_sort_key, reverse=True)
    keep = set(ordered[: max(1, keep_weekly)])
    months: list[str] = []
    for name in ordered:
        month = name[:6]
        if month not in months:
            months.append(month)
            if len(months) <= keep_monthly:
                keep.add(name)
    return keep


def complete_backups(destination: str) -> list[str]:
    """Names of the folders that look like finished backups: a recognised name and a manifest."""
    if not os.path.isdir(destination):
        return []
    return sorted(
        (
            n for n in os.listdir(destination)
            if NAME_RE.match(n) and os.path.isfile(os.path.join(destination, n, MANIFEST))
            and os.path.isfile(os.path.join(destination, n, INFO))
        ),
        key=_sort_key,
        reverse=True,
    )


def rotate(destination: str, keep_weekly: int, keep_monthly: int) -> list[str]:
    """Delete the complete backups the rule does not keep; anything else is left alone. A
    folder is first renamed out of the recognised names, so an interrupted delete never leaves
    a half-deleted folder that looks complete."""
    names = complete_backups(destination)
    keep = names_to_keep(names, keep_weekly, keep_monthly)
    removed = []
    for name in names:
        if name in keep:
            continue
        doomed = os.path.join(destination, DELETING_PREFIX + name)
        os.replace(os.path.join(destination, name), doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        removed.append(name)
    return removed


# --- Listing -----------------------------------------------------------------------------------


@dataclass
class FoundBackup:
    name: str
    destination: str
    path: str
    created_at: datetime | None
    engine: str
    size: int
    recorded: bool | None  # the run's record: verified, failed, or None when not recorded
    problems: list[str] | None = None  # after a check: what is wrong (empty: good)


def list_backups(targets: list[str]) -> list[FoundBackup]:
    found = []
    for destination in targets:
        for name in complete_backups(destination):
            path = os.path.join(destination, name)
            try:
                with open(os.path.join(path, INFO), encoding="utf-8") as f:
                    info = json.load(f)
            except (OSError, ValueError):
                info = {}
            found.append(FoundBackup(
                name=name, destination=destination, path=path, created_at=name_time(name),
                engine=info.get("engine", "?"), size=_folder_size(path), recorded=None,
            ))
    if found:
        rows = db.session.execute(
            select(BackupCopy.folder, BackupCopy.destination, BackupCopy.verified)
            .where(BackupCopy.folder.in_({f.name for f in found}))
        ).all()
        recorded = {(r.folder, r.destination): r.verified for r in rows}
        for f in found:
            f.recorded = recorded.get((f.name, f.destination))
    found.sort(key=lambda f: (_sort_key(f.name), f.destination), reverse=True)
    return found


def find_backup(targets: list[str], name_or_path: str) -> list[str]:
    """The folders a restore may use: the path itself, or every destination's copy of a name."""
    path = os.path.abspath(name_or_path)
    if os.path.isdir(path) and os.path.isfile(os.path.join(path, MANIFEST)):
        # Only a finished folder: an `.incomplete-*` one was never renamed, so it never counts.
        return [path] if NAME_RE.match(os.path.basename(path)) else []
    if not NAME_RE.match(name_or_path):
        return []
    return [os.path.join(d, name_or_path) for d in targets if name_or_path in complete_backups(d)]


# --- The scheduled job -------------------------------------------------------------------------


def run_scheduled(app: Flask, scheduled_for: datetime, trigger: str = "schedule", user_id: int | None = None):
    """The weekly backup as a recorded run: one BackupCopy row per destination; a destination
    that fails makes the run 'partial', all failing makes it 'failed'."""

    def work(run: JobRun, progress) -> dict:
        run_id = inspect(run).identity[0]
        targets = destinations(app)
        progress.set_total(len(targets))  # commits: no transaction stays open while copying
        result = make_backup(app, targets, job_run_id=run_id)
        for o in result.outcomes:
            db.session.add(BackupCopy(
                job_run_id=run_id, destination=o.destination, folder=o.folder, engine=result.engine,
                size=o.size, sha256=o.sha256, verified=o.verified, error=o.error,
            ))
        good = sum(1 for o in result.outcomes if o.verified)
        progress.advance(good, failed=len(result.outcomes) - good)  # commits the rows too
        errors = [f"{o.destination}: {o.error}" for o in result.outcomes if not o.verified]
        if not good:
            raise BackupError("no destination was written: " + "; ".join(errors))
        return {
            "name": result.name,
            "engine": result.engine,
            "database_bytes": result.database_size,
            "files_bytes": result.files_size,
            "seconds": round(result.seconds, 1),
            "rotated": sum(len(o.removed) for o in result.outcomes),
            "errors": errors,
        }

    return run_once(JOB_ID, scheduled_for, work, trigger=trigger, user_id=user_id)


# --- Status for the dashboard and the backups page ---------------------------------------------


@dataclass
class BackupStatus:
    max_age_days: int
    last_good_run: JobRun | None = None
    last_good_copies: list[BackupCopy] = field(default_factory=list)
    last_run: JobRun | None = None
    last_run_copies: list[BackupCopy] = field(default_factory=list)
    age_days: int | None = None
    # (code, params): none, stale, failed_destinations, last_run_failed; the template words them
    problems: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def last_good_at(self) -> datetime | None:
        return as_utc(self.last_good_run.started_at) if self.last_good_run else None

    @property
    def last_good_size(self) -> int:
        return max((c.size for c in self.last_good_copies), default=0)

    @property
    def last_good_name(self) -> str:
        return self.last_good_copies[0].folder if self.last_good_copies else ""

    @property
    def failed_destinations(self) -> list[str]:
        return [c.destination for c in self.last_run_copies if not c.verified]


def _copies(run_id: int) -> list[BackupCopy]:
    return list(db.session.scalars(select(BackupCopy).where(BackupCopy.job_run_id == run_id).order_by(BackupCopy.id)))


def backup_status(school=None, now: datetime | None = None, max_age_days: int | None = None) -> BackupStatus:
    """The state of the backups for the dashboard and /admin/backups. A backup is good when its
    run succeeded: every destination written and verified. Backups hold the whole database, so
    every school of an installation shares this state; `school` is accepted for the callers'
    symmetry and for runs recorded for one school."""
    from flask import current_app

    now = now or utcnow()
    if max_age_days is None:
        max_age_days = current_app.config.get("BACKUP_MAX_AGE_DAYS", 8)
    status = BackupStatus(max_age_days=max_age_days)
    runs = select(JobRun).where(JobRun.job_id == JOB_ID, JobRun.status != "running")
    if school is not None:
        runs = runs.where((JobRun.school_id.is_(None)) | (JobRun.school_id == school.id))
    status.last_run = db.session.scalar(runs.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
    status.last_good_run = db.session.scalar(
        runs.where(JobRun.status == "succeeded", select(func.count(BackupCopy.id)).where(BackupCopy.job_run_id == JobRun.id).scalar_subquery() > 0)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)
    )
    if status.last_run is not None:
        status.last_run_copies = _copies(status.last_run.id)
    if status.last_good_run is not None:
        status.last_good_copies = (
            status.last_run_copies if status.last_good_run is status.last_run else _copies(status.last_good_run.id)
        )
        status.age_days = (now - status.last_good_at).days
    if status.last_good_run is None:
        status.problems.append(("none", {}))
    elif now - status.last_good_at > timedelta(days=max_age_days):
        status.problems.append(("stale", {"days": status.age_days, "max": max_age_days}))
    if status.last_run is not None and status.last_run.status == "failed":
        status.problems.append(("last_run_failed", {}))
    elif status.failed_destinations:
        status.problems.append(("failed_destinations", {"destinations": ", ".join(status.failed_destinations)}))
    return status
