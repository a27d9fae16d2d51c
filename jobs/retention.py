"""The monthly retention review (ARC-2): for every school, the records whose retention has
ended (blueprints/archive/retention_records.py) are proposed for destruction in one draft act;
nothing is destroyed here — only the director's approval of the act destroys. The run is
recorded once per slot (jobs/runner.run_once), and a rerun proposes nothing twice (records
already in an act are left out)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from jobs.runner import run_once
from utils.timeutil import school_today

JOB_ID = "retention_review"


def run_scheduled(app: Flask, scheduled_for: datetime, trigger: str = "schedule", user_id: int | None = None):
    from blueprints.archive.retention_operations import propose_all
    from extensions import db

    def work(run, progress) -> dict:
        with app.test_request_context():  # the history's reasons are translated
            counts = propose_all(lambda school: school_today(school.timezone or app.config["SCHOOL_TIMEZONE"]),
                                 run.id)
        db.session.commit()
        return counts

    return run_once(JOB_ID, scheduled_for, work, trigger=trigger, user_id=user_id)
