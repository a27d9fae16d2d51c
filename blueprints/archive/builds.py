"""The year's archive built after closing (ARC-1): closing a year queues one build request
(`queue_year_build`, an AFTER_CLOSING action of year_closing_operations.close_year); the
scheduler process picks it up every minute (jobs/archive_builds.py → `process_queue`) and runs
operations.build_year_packages for the classes and summary sheets not yet archived. The web
request never builds (a school's packages take minutes).

A request is claimed by one conditional UPDATE queued → running, so two schedulers never build a
year twice; a failure (an exception, a class that could not be built, a run interrupted by a
restart) is recorded and shown on the archive page, which may queue the request again.

The manual build rules (the archive page's buttons), explicit here:
- a class's package and the packages of all classes: only for a closed year (its data final);
- the summary sheets: as soon as the year's accounting ends (001:2.5.9), i.e. when the year's
  summary sheet of every class is certified (the closing checklist's item), or the year is closed."""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import select, update

from blueprints.admin.structure import year_closing_operations as closing
from domain.messages import N_, Refusal
from extensions import db
from models import AcademicYear, JobRun, User
from models.base import utcnow
from models.year_archive import ArchiveBuildRequest
from utils import audit

log = logging.getLogger("school.archive")


class ArchiveRefused(Refusal):
    status = 409


# --- The rules of the manual builds ----------------------------------------------------------------


def require_closed(year: AcademicYear) -> None:
    if not year.is_closed:
        raise ArchiveRefused(N_("Пакеты классов формируются после закрытия учебного года %(name)s: до этого "
                                "данные года ещё могут измениться."), name=year.name)


def summary_sheets_ready(year: AcademicYear) -> bool:
    if year.is_closed:
        return True
    classes = closing._classes(year)
    return closing._sheets_item(year, classes).ok


def require_summary_sheets_ready(year: AcademicYear) -> None:
    if not summary_sheets_ready(year):
        raise ArchiveRefused(N_("Сводные ведомости сдаются в архив, когда учёт года закончен: заверьте ведомости "
                                "за год всех классов (или закройте год)."))


# --- The queue -------------------------------------------------------------------------------------


def queue_year_build(year: AcademicYear, actor: User) -> ArchiveBuildRequest:
    """One request per year (unique): closing again, or a request already there, queues nothing new."""
    request = db.session.scalar(select(ArchiveBuildRequest).where(ArchiveBuildRequest.year_id == year.id))
    if request is not None:
        return request
    request = ArchiveBuildRequest(school_id=year.school_id, year_id=year.id, requested_by_id=actor.id,
                                  status="queued", counts={}, error="")
    db.session.add(request)
    db.session.flush()
    audit.record("archive_build_request", request.id, "queue", after={"year_id": year.id},
                 school_id=year.school_id, user_id=actor.id)
    return request


closing.AFTER_CLOSING.append(queue_year_build)


def retry(request: ArchiveBuildRequest, actor: User) -> None:
    """A failed build queued again (the archive page); flushed, the view commits."""
    if request.status != "failed":
        raise ArchiveRefused(N_("Повторить можно только формирование, завершившееся ошибкой."))
    request.status, request.error = "queued", ""
    audit.record("archive_build_request", request.id, "retry", school_id=request.school_id, user_id=actor.id)
    db.session.flush()


def _claim(request_id: int) -> bool:
    result = db.session.execute(
        update(ArchiveBuildRequest)
        .where(ArchiveBuildRequest.id == request_id, ArchiveBuildRequest.status == "queued")
        .values(status="running", started_at=utcnow(), finished_at=None, job_run_id=None,
                attempts=ArchiveBuildRequest.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(request_id: int, status: str, error: str = "", counts: dict | None = None) -> None:
    values = {"status": status, "finished_at": utcnow(), "error": error[-4000:]}
    if counts is not None:
        values["counts"] = counts
    db.session.execute(update(ArchiveBuildRequest).where(ArchiveBuildRequest.id == request_id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _recover() -> None:
    """A request left running by a run the scheduler marked failed (interrupted): failed too."""
    rows = db.session.execute(
        select(ArchiveBuildRequest.id, JobRun.errors)
        .join(JobRun, JobRun.id == ArchiveBuildRequest.job_run_id)
        .where(ArchiveBuildRequest.status == "running", JobRun.status == "failed")
    ).all()
    for request_id, errors in rows:
        _finish(request_id, "failed", errors or "")


def build_request(request_id: int) -> str:
    """Claim and build one queued request; returns its final status ('skipped' if not claimed)."""
    from blueprints.archive import operations as ops

    if not _claim(request_id):
        return "skipped"
    request = db.session.get(ArchiveBuildRequest, request_id)
    year = db.session.get(AcademicYear, request.year_id)
    actor = db.session.get(User, request.requested_by_id) if request.requested_by_id else None
    if actor is None:
        _finish(request_id, "failed", "no actor")
        return "failed"

    def claimed(run_id: int) -> None:
        db.session.execute(update(ArchiveBuildRequest).where(ArchiveBuildRequest.id == request_id)
                           .values(job_run_id=run_id).execution_options(synchronize_session=False))
        db.session.commit()

    try:
        outcome = ops.build_year_packages(year, actor, trigger="schedule", only_missing=True, on_claimed=claimed)
    except Exception as error:  # recorded, shown, retryable
        db.session.rollback()
        log.exception("archive build of year %s failed", request.year_id)
        _finish(request_id, "failed", str(error))
        return "failed"
    run = db.session.get(JobRun, outcome["run_id"]) if outcome["run_id"] else None
    if run is None or run.status in ("failed", "partial"):
        _finish(request_id, "failed", (run.errors if run else "") or "", outcome.get("counts") or {})
        return "failed"
    _finish(request_id, "done", "", outcome.get("counts") or {})
    return "done"


def process_queue(app: Flask) -> dict[str, int]:
    """Every queued request, oldest first (the scheduler's job)."""
    _recover()
    ids = list(db.session.scalars(select(ArchiveBuildRequest.id).where(ArchiveBuildRequest.status == "queued")
                                  .order_by(ArchiveBuildRequest.id)))
    totals = {"done": 0, "failed": 0, "skipped": 0}
    for request_id in ids:
        with app.test_request_context():  # the packages' texts are translated
            totals[build_request(request_id)] += 1
    return totals


# --- The archive page ------------------------------------------------------------------------------


def requests_by_year(school_id: int) -> dict[int, tuple[ArchiveBuildRequest, JobRun | None]]:
    rows = db.session.execute(
        select(ArchiveBuildRequest, JobRun).outerjoin(JobRun, JobRun.id == ArchiveBuildRequest.job_run_id)
        .where(ArchiveBuildRequest.school_id == school_id)
    ).all()
    return {request.year_id: (request, run) for request, run in rows}
