"""Run a job once per key. Every run, scheduled or by hand, is a JobRun row; the row is
claimed by inserting it under the unique key (job_id, scheduled_for), so two schedulers on one
database (a second host, a restarted process) run a given slot exactly once. A job reports
progress on the row as it goes, and a failing item does not stop the others."""
from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import JobRun
from models.base import utcnow


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
          user_id: int | None = None) -> JobRun | None:
    """Insert the run row; None if another process has already claimed this key."""
    run = JobRun(job_id=job_id, scheduled_for=scheduled_for, trigger=trigger, school_id=school_id,
                 started_by_id=user_id, status="running", started_at=utcnow())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def run_once(
    job_id: str,
    scheduled_for: datetime,
    work: Callable[[JobRun, Progress], dict],
    trigger: str = "schedule",
    school_id: int | None = None,
    user_id: int | None = None,
) -> JobRun | None:
    """Claim (job_id, scheduled_for) and run `work(run, progress)`, which returns counts
    (and may return {"errors": [...]} for items that failed). Returns None when skipped."""
    run = claim(job_id, scheduled_for, trigger, school_id, user_id)
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
