"""Interrupted work (issue 8, item 13): a run left 'running' by a process that is gone is marked
failed «прервано перезапуском» when the scheduler starts, and a due slot whose run failed is
run again — claimed by one process only."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from datetime import datetime, timedelta

import pytest

import jobs.catalogue  # noqa: F401  (the real jobs registered before the test adds its own)
from extensions import db
from jobs import scheduler
from jobs.runner import INTERRUPTED, claim, recover_interrupted, run_once, this_host
from models import JobRun
from models.base import utcnow

TEST_JOB = "ops_recovery_test"
CALLS: list[datetime] = []


def counting_job(app, scheduled_for, trigger="schedule"):
    """A job for the scheduler: counts its runs."""

    def work(run, progress):
        CALLS.append(scheduled_for)
        return {"items": 1}

    return run_once(TEST_JOB, scheduled_for, work, trigger=trigger)


@pytest.fixture
def test_job(app, monkeypatch):
    CALLS.clear()
    monkeypatch.setitem(scheduler.JOBS, TEST_JOB, (f"{__name__}:counting_job", "OPS_TEST_CRON"))
    app.config["OPS_TEST_CRON"] = "0 * * * *"  # every hour: the current slot is this hour's
    return TEST_JOB


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running_run(job_id: str, slot: datetime, **process) -> JobRun:
    run = JobRun(job_id=job_id, scheduled_for=slot, status="running", started_at=utcnow(), **process)
    db.session.add(run)
    db.session.commit()
    return run


def status_of(run_id: int) -> tuple[str, str]:
    db.session.commit()  # a new snapshot: read what other contexts and threads stored
    run = db.session.get(JobRun, run_id)
    return run.status, run.errors


def test_runs_of_processes_that_are_gone_are_marked_failed_and_live_ones_are_not(app):
    slot = utcnow().replace(second=0, microsecond=0)
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        dead = running_run("weekly_reports", slot, host=this_host(), pid=dead_pid())
        live = running_run("weekly_backup", slot, host=this_host(), pid=sleeper.pid)
        unknown = running_run("weekly_reports", slot - timedelta(days=7))  # recorded without a process
        other_recent = running_run("weekly_backup", slot - timedelta(days=7), host="other-host", pid=1)
        other_old = running_run("weekly_backup", slot - timedelta(days=14), host="other-host", pid=1)
        other_old.started_at = utcnow() - timedelta(hours=7)
        db.session.commit()

        marked = {run.id for run in recover_interrupted()}

        assert marked == {dead.id, unknown.id, other_old.id}
        for run in (dead, unknown, other_old):
            status, errors = status_of(run.id)
            assert status == "failed" and errors.startswith(INTERRUPTED)
        assert status_of(live.id)[0] == "running"  # its process is still working
        assert status_of(other_recent.id)[0] == "running"  # another host's, not yet stale
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_failed_slot_is_claimed_again_only_when_asked_and_only_once(app):
    slot = utcnow().replace(second=0, microsecond=0)
    first = claim("weekly_reports", slot)
    first.status = "failed"
    db.session.commit()

    assert claim("weekly_reports", slot) is None  # an ordinary claim still skips a taken slot
    again = claim("weekly_reports", slot, retry_failed=True)
    assert again is not None and again.id == first.id
    assert again.status == "running" and again.attempts == 2 and again.finished_at is None
    assert claim("weekly_reports", slot, retry_failed=True) is None  # running now: nobody else


def test_two_processes_retrying_one_failed_slot_run_it_once(app):
    slot = utcnow().replace(second=0, microsecond=0)
    run = claim("weekly_backup", slot)
    run.status = "failed"
    db.session.commit()
    results: list = []
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait(timeout=5)
            got = claim("weekly_backup", slot, retry_failed=True)
            results.append(got is not None)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [False, True]


def test_at_start_the_scheduler_marks_the_interrupted_run_and_runs_its_due_slot_again(app, test_job):
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(app.config["OPS_TEST_CRON"], timezone=app.config["SCHOOL_TIMEZONE"])
    slot = scheduler._current_slot(trigger)
    run = running_run(test_job, slot, host=this_host(), pid=dead_pid())
    old = running_run(test_job, slot - timedelta(days=2), host=this_host(), pid=dead_pid())  # past the grace
    db.session.commit()

    assert scheduler.due_retries(app) == [(test_job, slot)]
    assert status_of(run.id)[0] == "failed" and status_of(old.id)[0] == "failed"

    rerun = scheduler.retry(app, test_job, slot)
    assert rerun is not None and CALLS == [slot]
    status, errors = status_of(run.id)
    assert status == "succeeded" and db.session.get(JobRun, run.id).attempts == 2
    assert scheduler.retry(app, test_job, slot) is None and CALLS == [slot]  # done: not again
    assert scheduler.due_retries(app) == []  # a succeeded slot is not due any more
    assert status_of(old.id)[0] == "failed"


def test_the_scheduler_process_runs_the_retry_when_it_starts(app, test_job):
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(app.config["OPS_TEST_CRON"], timezone=app.config["SCHOOL_TIMEZONE"])
    slot = scheduler._current_slot(trigger)
    run = running_run(test_job, slot, host=this_host(), pid=dead_pid())
    db.session.commit()

    background = scheduler.build_scheduler(app, blocking=False)
    background.start()
    try:
        deadline = time.monotonic() + 15
        while status_of(run.id)[0] != "succeeded":
            assert time.monotonic() < deadline, status_of(run.id)
            time.sleep(0.1)
    finally:
        background.shutdown(wait=True)
    assert CALLS == [slot]
    assert os.getpid() == db.session.get(JobRun, run.id).pid  # claimed again by this process
