"""Run a job once per key. Every run, scheduled or by hand, is a JobRun row; the row is
claimed by inserting it under the unique key (job_id, scheduled_for), so two schedulers on one
database (a second host, a restarted process) run a given slot exactly once. A job reports
progress on the row as it goes, and a failing item does not stop the others.

A run interrupted by a restart would stay 'running' for ever: each run records the host and
process that runs it, and when the scheduler starts, `recover_interrupted` marks the runs whose
process is gone as failed («прервано перезапуском»). A failed slot may then be claimed again,
by one process only (`claim(..., retry_failed=True)` turns 'failed' into 'running' in one
conditional UPDATE), which the scheduler does for a due slot at start."""
from __future__ import annotations

import contextlib
import contextvars
import os
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import JobRun
from models.base import as_utc, utcnow

INTERRUPTED = "прервано перезапуском"
# A run of another host cannot be checked: it counts as interrupted only after this long
# (the admin page's grace, blueprints/admin/jobs/views.py).
OTHER_HOST_GRACE = timedelta(hours=6)


# Set by the scheduler around the run of a due slot whose run failed (the job functions call
# run_once themselves, with the signature the CLI and the admin page use).
_retry_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("retry_failed", default=False)


@contextlib.contextmanager
def retrying_failed() -> Iterator[None]:
    token = _retry_failed.set(True)
    try:
        yield
    finally:
        _retry_failed.reset(token)


def this_host() -> str:
    return socket.gethostname()[:255]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


@dataclass
class Progress:
    """Handed to the job: it sets the total, counts items and records failures."""

    run_id: int

    def _update(self, **values) -> None:
        # Committed at once so the admin page sees progress while the job runs. Through the
        # job's own session: a second connection would wait on the session's write lock.
        db.session.execute(update(JobRun).where(JobRun.id == self.run_id).values(**values))
        db.session.commit()

    def set_total(self, total: int) -> None:
        self._update(total=total)

    def advance(self, done: int, failed: int = 0) -> None:
        self._update(done=done, failed=failed)


def claim(job_id: str, scheduled_for: datetime, trigger: str = "schedule", school_id: int | None = None,
          user_id: int | None = None, retry_failed: bool = False) -> JobRun | None:
    """Insert the run row; None if another process has already claimed this key. With
    retry_failed, a key whose run failed is claimed again (its row back to 'running')."""
    run = JobRun(job_id=job_id, scheduled_for=scheduled_for, trigger=trigger, school_id=school_id,
                 started_by_id=user_id, status="running", started_at=utcnow(), host=this_host(), pid=os.getpid())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _claim_failed(job_id, scheduled_for) if retry_failed else None
    return run


def _claim_failed(job_id: str, scheduled_for: datetime) -> JobRun | None:
    """'failed' → 'running' in one conditional UPDATE: of two processes retrying the same slot,
    the second finds it running (PostgreSQL re-checks the row after the first commits;
    SQLite runs one writer at a time) and skips it."""
    result = db.session.execute(
        update(JobRun)
        .where(JobRun.job_id == job_id, JobRun.scheduled_for == scheduled_for, JobRun.status == "failed")
        .values(status="running", started_at=utcnow(), finished_at=None, host=this_host(), pid=os.getpid(),
                attempts=JobRun.attempts + 1, total=0, done=0, failed=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.scalar(select(JobRun).where(JobRun.job_id == job_id, JobRun.scheduled_for == scheduled_for))


def recover_interrupted(now: datetime | None = None) -> list[JobRun]:
    """Mark as failed the runs left 'running' by a process that is gone: on this host, a
    process that no longer exists (or has this process's id: the previous life of a restarted
    container); recorded without a process; on another host, started longer ago than
    OTHER_HOST_GRACE. Called when the scheduler starts; returns the runs it marked."""
    now = now or utcnow()
    host, me = this_host(), os.getpid()
    interrupted = []
    for run in db.session.scalars(select(JobRun).where(JobRun.status == "running").order_by(JobRun.id)):
        if run.host is None or run.pid is None:
            gone = True
        elif run.host == host:
            gone = run.pid == me or not _process_alive(run.pid)
        else:
            gone = as_utc(run.started_at) < now - OTHER_HOST_GRACE
        if gone:
            interrupted.append(run)
    for run in interrupted:
        # Conditional: a run that finished meanwhile keeps its own outcome.
        db.session.execute(
            update(JobRun).where(JobRun.id == run.id, JobRun.status == "running")
            .values(status="failed", finished_at=now, errors=(INTERRUPTED + "\n" + (run.errors or "")).strip())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    for run in interrupted:
        db.session.refresh(run)
    return interrupted


def run_once(
    job_id: str,
    scheduled_for: datetime,
    work: Callable[[JobRun, Progress], dict],
    trigger: str = "schedule",
    school_id: int | None = None,
    user_id: int | None = None,
) -> JobRun | None:
    """Claim (job_id, scheduled_for) and run `work(run, progress)`, which returns counts
    (and may return {"errors": [...]} for items that failed). Returns None when skipped.
    Inside `retrying_failed()`, a slot whose run failed is claimed again."""
    run = claim(job_id, scheduled_for, trigger, school_id, user_id, retry_failed=_retry_failed.get())
    if run is None:
        return None
    run_id = run.id
    try:
        result = work(run, Progress(run_id)) or {}
        errors = result.pop("errors", [])
        run = db.session.get(JobRun, run_id)
        db.session.refresh(run)
        run.counts = result
        run.errors = "\n".join(errors)
        run.status = "partial" if errors else "succeeded"
    except Exception:  # the run is recorded as failed with its traceback, never lost
        db.session.rollback()
        run = db.session.get(JobRun, run_id)
        run.status = "failed"
        run.errors = traceback.format_exc()[-4000:]
    run.finished_at = utcnow()
    db.session.commit()
    return run


def manual_key(now: datetime | None = None) -> datetime:
    """The key of a run by hand: the moment it was asked for, to the microsecond, so it
    never collides with a schedule slot (those are whole minutes)."""
    return now or utcnow()
