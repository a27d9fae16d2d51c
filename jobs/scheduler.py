"""The one scheduler process: `flask scheduler`. Never started inside a web worker or the
debug reloader (Flask-APScheduler #13, #51, #139): in production run exactly one per
deployment; a second one by mistake is harmless, because each run claims its unique key.

APScheduler 3.x (4.x is a pre-release). Jobs have explicit ids, max_instances=1 and coalescing:
after downtime a missed week runs once, not once per missed trigger.

At start, runs left 'running' by a process that is gone are marked failed («прервано
перезапуском», jobs/runner.py), and a job whose current slot (within the misfire grace) has
only a failed run is run again at once."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask

from jobs.schedule_settings import RECONCILE_JOB_ID, effective_cron, reconcile

log = logging.getLogger("school.scheduler")
MISFIRE_GRACE = timedelta(hours=6)

# job id -> (function(app, scheduled_for) -> JobRun | None, default cron from config key)
JOBS: dict[str, tuple[str, str]] = {
    # filled by the job modules: "weekly_reports": ("jobs.weekly_reports:run_scheduled", "WEEKLY_REPORTS_CRON"),
}


def register(job_id: str, target: str, cron_config_key: str) -> None:
    JOBS[job_id] = (target, cron_config_key)


def _resolve(target: str) -> Callable[[Flask, datetime], object]:
    module_name, _, attr = target.partition(":")
    module = __import__(module_name, fromlist=[attr])
    return getattr(module, attr)


def build_scheduler(app: Flask, blocking: bool = True):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    import jobs.catalogue  # noqa: F401  (registers every job)

    tz = app.config["SCHOOL_TIMEZONE"]
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": int(MISFIRE_GRACE.total_seconds())},
    )
    for job_id, (target, cron_key) in JOBS.items():
        function = _resolve(target)
        trigger = CronTrigger.from_crontab(effective_cron(app, job_id, cron_key), timezone=tz)

        def fire(function=function, job_id=job_id):
            # The key is the planned slot, not "now": two schedulers firing a few seconds apart
            # compute the same key, and only one of them claims it. The job's trigger of now:
            # `reconcile` may have moved it (a school setting).
            scheduled_for = _current_slot(scheduler.get_job(job_id).trigger)
            with app.app_context():
                run = function(app, scheduled_for)
                log.info("%s for %s: %s", job_id, scheduled_for, "skipped" if run is None else run.status)

        scheduler.add_job(fire, trigger, id=job_id, name=job_id, replace_existing=True)
    # A job time changed on the school settings page is picked up within a minute.
    scheduler.add_job(reconcile, "interval", minutes=1, args=(app, scheduler), id=RECONCILE_JOB_ID,
                      name=RECONCILE_JOB_ID, replace_existing=True)
    for job_id, slot in due_retries(app):
        log.warning("%s for %s failed or was interrupted: running it again", job_id, slot)
        scheduler.add_job(retry, "date", args=(app, job_id, slot), id=f"{job_id}-retry", name=f"{job_id} (retry)",
                          replace_existing=True)
    return scheduler


def due_retries(app: Flask, now: datetime | None = None) -> list[tuple[str, datetime]]:
    """At the scheduler's start: mark interrupted runs failed, and return (job id, slot) of
    each job whose current slot, within the misfire grace, has a failed run."""
    from apscheduler.triggers.cron import CronTrigger

    import jobs.catalogue  # noqa: F401  (registers every job)
    from extensions import db
    from jobs.runner import recover_interrupted
    from models import JobRun

    due = []
    with app.app_context():
        for run in recover_interrupted():
            log.warning("run %s of %s (%s) was interrupted: marked failed", run.id, run.job_id, run.scheduled_for)
        for job_id, (_target, cron_key) in JOBS.items():
            trigger = CronTrigger.from_crontab(effective_cron(app, job_id, cron_key), timezone=app.config["SCHOOL_TIMEZONE"])
            slot = _current_slot(trigger, now)
            moment = now or datetime.now(trigger.timezone)
            if moment - slot > MISFIRE_GRACE:
                continue
            status = db.session.scalar(
                db.select(JobRun.status).where(JobRun.job_id == job_id, JobRun.scheduled_for == slot)
            )
            if status == "failed":
                due.append((job_id, slot))
        db.session.remove()
    return due


def retry(app: Flask, job_id: str, slot: datetime):
    """Run the slot again; only one process gets it (runner.claim with retry_failed)."""
    from jobs.runner import retrying_failed

    function = _resolve(JOBS[job_id][0])
    with app.app_context(), retrying_failed():
        run = function(app, slot)
        log.info("%s for %s, again: %s", job_id, slot, "skipped" if run is None else run.status)
        return run


def _current_slot(trigger, now: datetime | None = None) -> datetime:
    """The most recent fire time of the trigger, at or before now, to the minute."""
    now = now or datetime.now(trigger.timezone)
    probe = now - timedelta(days=8)
    last = None
    nxt = trigger.get_next_fire_time(None, probe)
    while nxt is not None and nxt <= now:
        last = nxt
        nxt = trigger.get_next_fire_time(nxt, nxt + timedelta(seconds=1))
    return (last or now).replace(second=0, microsecond=0)
