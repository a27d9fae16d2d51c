"""The daily filling of the personal files (REP-6, 001:2.6.8): on and after the school's date
(setting "personal_file_fill_by", 25 June by default) every file of the current year that is
ready (year marks set, the council's decision entered) and not yet filled receives the year.
Rerun-safe twice over: the run is claimed once per slot (jobs/runner.run_once, unique key
(job_id, scheduled_for)), and a filled year is never filled again by the job (one
PersonalFileYear per student and year, unique)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from jobs.runner import run_once
from utils.timeutil import school_today

JOB_ID = "personal_files_fill"


def fill_all(app: Flask, force_date: bool = False) -> dict:
    """Fill what is ready in every school's current year (one commit per school)."""
    from blueprints.personal_data import files_operations as ops
    from extensions import db
    from models import School

    totals = {"schools": 0, "filled": 0, "not_ready": 0}
    for school in db.session.scalars(select(School).order_by(School.id)).all():
        year = ops.current_year(school.id)
        if year is None or year.is_closed:
            continue
        today = school_today(school.timezone or app.config["SCHOOL_TIMEZONE"])
        result = ops.fill_ready(school, year, today, None, force_date=force_date)
        db.session.commit()
        if not result["not_due"]:
            totals["schools"] += 1
        totals["filled"] += result["filled"]
        totals["not_ready"] += result["not_ready"]
    return totals


def run_scheduled(app: Flask, scheduled_for: datetime, trigger: str = "schedule", user_id: int | None = None):
    def work(run, progress) -> dict:
        with app.test_request_context():
            return fill_all(app)

    return run_once(JOB_ID, scheduled_for, work, trigger=trigger, user_id=user_id)
