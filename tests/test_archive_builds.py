"""Closing a year builds its archive packages automatically (ARC-1), outside the web request:
closing queues exactly one build; the scheduler's job builds every class and the summary
sheets; a second run builds nothing twice; a failure is shown and can be retried; the manual
builds follow explicit rules (class packages only for a closed year, the summary sheets as soon
as the year's accounting ends)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from blueprints.admin.structure import year_closing_operations as closing
from blueprints.archive import builds
from blueprints.archive import operations as ops
from extensions import db
from jobs import archive_builds as job
from models import JobRun
from models.archive import ArchivePackage
from models.year_archive import ArchiveBuildRequest
from tests.test_year_closing import after_the_year, make_closable, print_sheets


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def data_only(monkeypatch):
    """Only the data files, no PDFs: the tests of the queue need no rendering."""
    monkeypatch.setattr(ops, "CONTENT_BUILDERS", [ops.data_files])
    monkeypatch.setattr(ops, "_summary_sheet_pdf", lambda ctx, class_group, relpath: False)


def _packages(kind: str | None = None) -> int:
    query = select(func.count()).select_from(ArchivePackage)
    if kind:
        query = query.where(ArchivePackage.kind == kind)
    return db.session.scalar(query)


def _run(app):
    return job.run_scheduled(app, datetime.now(timezone.utc).replace(second=0, microsecond=0))


def _closed(s):
    make_closable(s)
    with after_the_year(s):
        closing.close_year(s.year, s.director)
    db.session.commit()
    return db.session.scalar(select(ArchiveBuildRequest).where(ArchiveBuildRequest.year_id == s.year.id))


def test_closing_queues_exactly_one_build_and_never_builds_in_the_request(client, auth, small_school, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("built inside the request")

    monkeypatch.setattr(ops, "build_year_packages", never)
    monkeypatch.setattr(ops, "build_class_package", never)
    monkeypatch.setattr(ops, "build_summary_sheets_package", never)
    s = small_school()
    make_closable(s)
    with after_the_year(s):
        auth.login(s.director)
        assert 'id="year-archive-note"' in text(client.get(f"/admin/years/{s.year.id}/close"))
        assert client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"}).status_code == 302
        page = text(client.get("/archive"))
    requests = db.session.scalars(select(ArchiveBuildRequest)).all()
    assert [(r.year_id, r.status, r.requested_by_id) for r in requests] == [(s.year.id, "queued", s.director.id)]
    assert _packages() == 0
    assert "Пакеты формируются…" in page and 'hx-trigger="every 10s"' in page  # the status refreshes itself
    # a request already there is not queued again
    builds.queue_year_build(s.year, s.director)
    assert db.session.scalar(select(func.count()).select_from(ArchiveBuildRequest)) == 1


def test_the_job_builds_the_packages_once(app, small_school, data_only, client, auth):
    s = small_school()
    request = _closed(s)
    assert _packages() == 0
    run = _run(app)
    assert run is not None and run.job_id == ops.JOB_ID and run.status == "succeeded"
    db.session.expire_all()
    request = db.session.get(ArchiveBuildRequest, request.id)
    assert request.status == "done" and request.job_run_id == run.id and request.attempts == 1
    assert (_packages("class_year"), _packages("summary_sheets")) == (3, 1)
    assert (run.total, run.done, run.failed) == (4, 4, 0)
    assert _run(app) is None  # nothing queued: nothing built, no run recorded
    assert _packages() == 4
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job_id == ops.JOB_ID)) == 1
    auth.login(s.deputy)
    page = text(client.get("/archive"))
    assert "Пакеты года сформированы автоматически после закрытия: 4." in page and "every 10s" not in page


def test_two_schedulers_claim_a_request_once(app, small_school, data_only):
    s = small_school()
    request = _closed(s)
    assert builds._claim(request.id) is True
    assert builds._claim(request.id) is False  # the second scheduler finds it running
    assert builds.build_request(request.id) == "skipped"
    assert _packages() == 0


def test_a_failure_is_shown_and_retried_building_only_what_is_missing(app, small_school, data_only, client, auth,
                                                                     monkeypatch):
    s = small_school()
    request = _closed(s)

    def broken(year, actor):
        raise OSError("disk b is full")

    monkeypatch.setattr(ops, "build_summary_sheets_package", broken)
    _run(app)
    db.session.expire_all()
    request = db.session.get(ArchiveBuildRequest, request.id)
    assert request.status == "failed" and "disk b is full" in request.error
    assert (_packages("class_year"), _packages("summary_sheets")) == (3, 0)
    auth.login(s.director)
    page = text(client.get("/archive"))
    assert "Формирование пакетов не удалось." in page and "disk b is full" in page and "Повторить формирование" in page
    assert _run(app) is None  # a failed request is not retried by itself
    response = client.post(f"/archive/years/{s.year.id}/build/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ArchiveBuildRequest, request.id).status == "queued"
    again = client.post(f"/archive/years/{s.year.id}/build/retry")
    assert again.status_code == 409  # only a failed build is retried
    monkeypatch.undo()
    monkeypatch.setattr(ops, "CONTENT_BUILDERS", [ops.data_files])
    monkeypatch.setattr(ops, "_summary_sheet_pdf", lambda ctx, class_group, relpath: False)
    _run(app)
    db.session.expire_all()
    request = db.session.get(ArchiveBuildRequest, request.id)
    assert request.status == "done" and request.attempts == 2
    assert (_packages("class_year"), _packages("summary_sheets")) == (3, 1)  # the classes not built twice


def test_a_build_interrupted_by_a_restart_is_marked_failed(app, small_school):
    s = small_school()
    request = _closed(s)
    run = JobRun(job_id=ops.JOB_ID, scheduled_for=datetime.now(timezone.utc), status="failed",
                 errors="прервано перезапуском")
    db.session.add(run)
    db.session.flush()
    request.status, request.job_run_id = "running", run.id
    db.session.commit()
    _run(app)
    db.session.expire_all()
    request = db.session.get(ArchiveBuildRequest, request.id)
    assert request.status == "failed" and "прервано перезапуском" in request.error


def test_class_packages_are_built_by_hand_only_for_a_closed_year(app, small_school, data_only, client, auth):
    s = small_school()
    auth.login(s.director)
    response = client.post(f"/archive/classes/{s.class_5a.id}/build")
    assert response.status_code == 409 and "после закрытия учебного года" in text(response)
    assert client.post(f"/archive/years/{s.year.id}/build").status_code == 409
    assert _packages() == 0
    _closed(s)
    assert client.post(f"/archive/classes/{s.class_5a.id}/build").status_code == 302
    assert _packages("class_year") == 1


def test_the_summary_sheets_go_to_the_archive_as_soon_as_the_accounting_ends(app, small_school, data_only, client,
                                                                           auth):
    s = small_school()
    auth.login(s.director)
    response = client.post(f"/archive/years/{s.year.id}/summary-sheets")
    assert response.status_code == 409 and "учёт года закончен" in text(response)
    assert _packages() == 0
    print_sheets(s)  # every class's year sheet certified, the year still open
    db.session.commit()
    assert not s.year.is_closed
    assert client.post(f"/archive/years/{s.year.id}/summary-sheets").status_code == 302
    assert _packages("summary_sheets") == 1


def test_the_build_queue_is_a_scheduled_job_of_every_minute(app):
    import jobs.catalogue  # noqa: F401
    from jobs.scheduler import JOBS

    assert JOBS["archive_builds"] == ("jobs.archive_builds:run_scheduled", "ARCHIVE_BUILDS_CRON")
    assert app.config["ARCHIVE_BUILDS_CRON"] == "* * * * *"
