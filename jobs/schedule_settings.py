"""Job times that are school settings (the weekly paper reports' day and time, DIA-4): the one
scheduler process reads them from the database at start, and a small job every minute
(`reconcile`) reschedules a job whose stored time changed, so a change on the settings page takes
effect without a restart. The deployment's config (WEEKLY_REPORTS_CRON) stays the default."""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("school.scheduler")
RECONCILE_JOB_ID = "settings-reconcile"
SETTING_KEYS = ("weekly_reports_day", "weekly_reports_time")


def weekly_reports_cron(app: Flask) -> str:
    """The crontab of the weekly reports: the schools' setting. One scheduler serves every school
    of the deployment; if schools ask for different times the config's default stays, with a
    warning (the reports of all schools are built by one run)."""
    from domain.settings import school_settings, weekly_cron
    from extensions import db
    from models import School

    default = app.config["WEEKLY_REPORTS_CRON"]
    wanted = set()
    for stored in db.session.scalars(select(School.settings)):
        stored = stored or {}
        if any(key in stored for key in SETTING_KEYS):
            merged = school_settings(stored, app.config)
            wanted.add(weekly_cron(merged["weekly_reports_day"], merged["weekly_reports_time"]))
        else:
            wanted.add(default)
    if len(wanted) > 1:
        log.warning("schools ask for different weekly report times %s: keeping %s", sorted(wanted), default)
        return default
    return wanted.pop() if wanted else default


# job id -> the function that reads its crontab from the school settings
SETTING_CRONS: dict[str, Callable[[Flask], str]] = {"weekly_reports": weekly_reports_cron}


def effective_cron(app: Flask, job_id: str, cron_key: str, in_request: bool = False) -> str:
    """The job's crontab: from the school settings where it is one, else from config. The
    scheduler reads in an app context of its own, ended at once, so its long-lived process
    never keeps a transaction open; a page (`in_request`) reads in its own. A database that
    cannot be read (not migrated yet) leaves the config's value."""
    source = SETTING_CRONS.get(job_id)
    if source is None:
        return app.config[cron_key]
    from extensions import db

    try:
        if in_request and has_app_context():
            return source(app)
        with app.app_context():
            try:
                return source(app)
            finally:
                db.session.remove()
    except SQLAlchemyError:
        log.exception("cannot read the school settings for %s: using %s", job_id, cron_key)
        return app.config[cron_key]


def reconcile(app: Flask, scheduler) -> list[str]:
    """Reschedule every job whose crontab in the settings differs from its trigger; returns the
    ids rescheduled. Called every minute by the scheduler; cheap when nothing changed."""
    from apscheduler.triggers.cron import CronTrigger

    from jobs.scheduler import JOBS

    changed = []
    for job_id in SETTING_CRONS:
        job = scheduler.get_job(job_id)
        if job is None or job_id not in JOBS:
            continue
        cron = effective_cron(app, job_id, JOBS[job_id][1])
        try:
            trigger = CronTrigger.from_crontab(cron, timezone=app.config["SCHOOL_TIMEZONE"])
        except ValueError:
            log.error("%s: bad crontab %r in the settings, keeping %s", job_id, cron, job.trigger)
            continue
        if str(trigger) == str(job.trigger):
            continue
        scheduler.reschedule_job(job_id, trigger=trigger)
        log.info("%s rescheduled from the school settings: %s", job_id, cron)
        changed.append(job_id)
    return changed
