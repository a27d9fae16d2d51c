"""The administrator's page of scheduled jobs: runs with progress polled by htmx, a run by hand
in the background, and downloads of the weekly reports' class files (only the school's own)."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from extensions import db
from models import JobRun, School
from models.base import utcnow
from tests.conftest import PASSWORD, isolated_client
from tests.weekly_fixtures import MONDAY


@pytest.fixture
def admin_client(make_app, report_week):
    client = isolated_client(make_app, REPORT_WORKERS=0)
    assert client.post("/auth/login", data={"login": "admin", "password": PASSWORD}).status_code == 302
    return client


def make_run(school_id, **values) -> JobRun:
    values = {"status": "running", **values}
    run = JobRun(job_id="weekly_reports", scheduled_for=utcnow(), trigger="schedule", school_id=school_id,
                 started_at=utcnow(), **values)
    db.session.add(run)
    db.session.commit()
    return run


def test_page_lists_jobs_and_runs_without_inline_script_or_style(admin_client, report_week):
    make_run(report_week.school.id, total=25, done=7, failed=1)
    response = admin_client.get("/admin/jobs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Еженедельные отчёты родителям" in html and "0 10 * * sat" in html
    assert "выполняется" in html and "7 из 25" in html and "ошибок: 1" in html
    assert "Content-Security-Policy" in response.headers
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html


def test_a_running_row_polls_every_two_seconds_and_a_finished_one_stops(admin_client, report_week):
    run = make_run(report_week.school.id, total=10, done=4)
    url = f"/admin/jobs/runs/{run.id}/progress"
    fragment = admin_client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<tr id="run-{run.id}"')
    assert 'hx-trigger="every 2s"' in fragment and f'hx-get="{url}"' in fragment
    assert 'value="4"' in fragment and 'max="10"' in fragment
    run.status, run.done, run.finished_at = "succeeded", 10, utcnow()
    db.session.commit()
    fragment = admin_client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in fragment and "выполнено" in fragment
    assert "<html" in admin_client.get(url).get_data(as_text=True)  # without htmx: a whole page


def test_run_by_hand_needs_confirmation(admin_client):
    response = admin_client.post("/admin/jobs/weekly_reports/run", data={})
    assert response.status_code == 400
    assert "Подтвердите запуск задания" in response.get_data(as_text=True)
    assert db.session.scalar(select(JobRun)) is None
    assert admin_client.post("/admin/jobs/nonexistent/run", data={"confirm": "y"}).status_code == 404


def test_run_by_hand_goes_to_the_background_and_its_class_files_download(admin_client, report_week):
    response = admin_client.post("/admin/jobs/weekly_reports/run", data={"confirm": "y"})
    assert response.status_code == 303
    admin_client.application.extensions["job_threads"]["weekly_reports"].join(120)
    db.session.commit()
    run = db.session.scalar(select(JobRun))
    assert (run.trigger, run.school_id, run.started_by_id) == ("admin", report_week.school.id, report_week.admin.id)
    assert run.status == "succeeded", run.errors

    html = admin_client.get("/admin/jobs").get_data(as_text=True)
    [link] = set(re.findall(r'href="(/admin/jobs/reports/[^"]+)"', html))
    assert link.endswith("class-5%D0%90.pdf") or link.endswith("class-5А.pdf")
    download = admin_client.get(link)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")


def test_only_files_the_run_recorded_for_this_school_are_served(admin_client, report_week, app):
    folder = app.config["REPORTS_FOLDER"]
    own = f"{report_week.school.id}/{MONDAY.isoformat()}/class-5А.pdf"
    os.makedirs(os.path.dirname(os.path.join(folder, own)), exist_ok=True)
    with open(os.path.join(folder, own), "wb") as f:
        f.write(b"%PDF-1.4 own")
    with open(os.path.join(folder, "secret.txt"), "w") as f:
        f.write("secret")
    other_school = School(name="Другая школа", short_name="Другая")
    db.session.add(other_school)
    db.session.commit()
    run = make_run(report_week.school.id, status="succeeded", counts={"files": {str(report_week.school.id): [own]}})
    foreign = make_run(other_school.id, status="succeeded", counts={"files": {str(other_school.id): [own]}})

    assert admin_client.get(f"/admin/jobs/reports/{run.id}/{own}").status_code == 200
    for path in ("../secret.txt", f"{report_week.school.id}/../secret.txt", "secret.txt", "/etc/passwd",
                 f"{report_week.school.id}/{MONDAY.isoformat()}/class-5Б.pdf"):
        assert admin_client.get(f"/admin/jobs/reports/{run.id}/{path}", follow_redirects=True).status_code == 404, path
    assert admin_client.get(f"/admin/jobs/reports/{foreign.id}/{own}").status_code == 404
    assert admin_client.get(f"/admin/jobs/runs/{foreign.id}/progress").status_code == 404
