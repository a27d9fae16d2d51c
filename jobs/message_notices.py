"""The parents' e-mail notices of new messages (COM-1), sent by the one scheduler process every
minute (MESSAGE_NOTICES_CRON), never inside the web request: a slow SMTP server no longer slows
sending a message. The request records pending notices (blueprints/messages/operations.py
`notify_by_email`); this job sends them. A minute with nothing pending records nothing (no
JobRun per idle minute); otherwise the slot is one JobRun (jobs/runner.run_once)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from jobs.runner import run_once

JOB_ID = "message_notices"


def run_scheduled(app: Flask, scheduled_for: datetime, trigger: str = "schedule", user_id: int | None = None):
    """Send every pending notice; returns the JobRun, or None when there was nothing to send."""
    from blueprints.messages import operations

    if not operations.has_pending_notices():
        return None

    def work(run, progress) -> dict:
        return operations.send_pending_notices(app, run.id, progress)

    return run_once(JOB_ID, scheduled_for, work, trigger=trigger, user_id=user_id)
