"""Access rules for the scheduled-jobs pages (blueprints/admin/jobs.py): administrators of the
school only."""

from __future__ import annotations

import os

from tests.access import ADMINS, Rule

FILE = "2026-11-16/class-5Б.pdf"


def _run_id(s) -> int:
    """A finished weekly-reports run of this school with one class file on disk."""
    from flask import current_app

    from extensions import db
    from models import JobRun
    from models.base import utcnow

    if not hasattr(s, "_jobs_run_id"):
        relpath = f"{s.school.id}/{FILE}"
        path = os.path.join(current_app.config["REPORTS_FOLDER"], relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"%PDF-1.4\n%%EOF\n")
        run = JobRun(job_id="weekly_reports", scheduled_for=utcnow(), trigger="cli", school_id=s.school.id,
                     status="succeeded", started_at=utcnow(), finished_at=utcnow(), total=1, done=1,
                     counts={"pages_printed": 1, "files": {str(s.school.id): [relpath]}}, errors="")
        db.session.add(run)
        db.session.commit()
        s._jobs_run_id = run.id
    return s._jobs_run_id


RULES = [
    Rule("GET", "/admin/jobs", ADMINS, lambda s: "/admin/jobs"),
    Rule("GET", "/admin/jobs/runs/<int:run_id>/progress", ADMINS, lambda s: f"/admin/jobs/runs/{_run_id(s)}/progress"),
    Rule(
        "POST",
        "/admin/jobs/<job_id>/run",
        ADMINS,
        lambda s: "/admin/jobs/weekly_reports/run",
        lambda s: {"confirm": "y"},
        note="starts the job in a background thread",
    ),
    Rule(
        "GET",
        "/admin/jobs/reports/<int:run_id>/<path:filename>",
        ADMINS - {"tech_admin"},  # every child's marks (policy.can_read_report_files)
        lambda s: f"/admin/jobs/reports/{_run_id(s)}/{s.school.id}/{FILE}",
    ),
]
