"""The archive builds queued by closing a year (ARC-1), run by the one scheduler process every
minute (ARCHIVE_BUILDS_CRON). A tick with nothing queued records nothing (no JobRun per minute);
each build is a JobRun of its own ("archive_packages", blueprints/archive/operations.py), and a
request is claimed by one conditional UPDATE, so a second scheduler never builds it twice."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

JOB_ID = "archive_builds"


def run_scheduled(app: Flask, scheduled_for: datetime, trigger: str = "schedule", user_id: int | None = None):
    """Build every queued request; returns the last build's JobRun, or None when there was none."""
    from blueprints.archive import builds
    from extensions import db
    from models import JobRun
    from models.year_archive import ArchiveBuildRequest

    totals = builds.process_queue(app)
    if not totals["done"] and not totals["failed"]:
        return None
    run_id = db.session.scalar(db.select(ArchiveBuildRequest.job_run_id).where(ArchiveBuildRequest.job_run_id.is_not(None))
                               .order_by(ArchiveBuildRequest.finished_at.desc()).limit(1))
    return db.session.get(JobRun, run_id) if run_id else None
