"""A run is claimed under a unique key (job, scheduled time): a second scheduler skips it."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from extensions import db
from jobs.runner import claim, run_once
from models import JobRun

SLOT = datetime(2026, 11, 28, 7, 0, tzinfo=timezone.utc)


def test_the_same_slot_is_claimed_once(app):
    assert claim("weekly_reports", SLOT) is not None
    assert claim("weekly_reports", SLOT) is None
    assert claim("weekly_backup", SLOT) is not None
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 2


def test_run_records_counts_progress_and_partial_failures(app):
    def work(run, progress):
        progress.set_total(3)
        progress.advance(2, failed=1)
        return {"pdfs": 2, "errors": ["Иванов: шрифт не найден"]}

    run = run_once("weekly_reports", SLOT, work)
    db.session.expire_all()
    run = db.session.get(JobRun, run.id)
    assert run.status == "partial" and run.total == 3 and run.done == 2 and run.failed == 1
    assert run.counts == {"pdfs": 2} and "Иванов" in run.errors and run.finished_at is not None
    assert run_once("weekly_reports", SLOT, work) is None  # already done: skipped


def test_a_crashing_job_is_recorded_as_failed(app):
    def work(run, progress):
        raise RuntimeError("диск недоступен")

    run = run_once("weekly_backup", SLOT, work)
    assert run.status == "failed" and "диск недоступен" in run.errors
