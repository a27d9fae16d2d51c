"""The daily check of destruction tasks (PD-2): an open task past its due date raises one
AdminAlert for the director (the task keeps the alert's id, so a rerun raises nothing new);
the run itself is recorded once per slot (jobs/runner.run_once)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from jobs.runner import run_once
from utils.timeutil import school_today

JOB_ID = "pd_destruction_overdue"


def run_scheduled(app: Flask, scheduled_for: datetime, trigger: str = "schedule", user_id: int | None = None):
    from blueprints.personal_data.destruction_operations import alert_overdue

    def work(run, progress) -> dict:
        with app.test_request_context():  # the alerts' messages are translated
            raised = alert_overdue(lambda school: school_today(school.timezone or app.config["SCHOOL_TIMEZONE"]))
        return {"alerts": raised}

    return run_once(JOB_ID, scheduled_for, work, trigger=trigger, user_id=user_id)
