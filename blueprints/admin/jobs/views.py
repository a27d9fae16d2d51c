"""Administrator pages of scheduled jobs: runs, progress, run by hand.

Every run of every job (scheduled, from the CLI, by hand) is a JobRun row; the page lists the
runs of the administrator's school and the runs over every school. A running run's row is
refreshed by htmx every two seconds until it ends. A run by hand goes to a background thread
with its own app context, so the request returns at once. The weekly reports' class files are
downloaded from here: only files that run recorded for this school, never a path of the
request's choosing."""
from __future__ import annotations

import inspect
import threading
import time
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import BooleanField
from wtforms.validators import DataRequired

import policy
from blueprints.admin import bp
from blueprints.admin.common import admin_only
from blueprints.main import labels
from database import deferred_transactions
from extensions import db
from jobs.runner import manual_key
from jobs.schedule_settings import effective_cron
from models import JobRun
from models.base import as_utc, utcnow
from utils.htmx import render_htmx_template

RUNS_SHOWN = 30
# A run still 'running' after this long was killed with its process; it no longer blocks.
RUNNING_GRACE = timedelta(hours=6)
REPORTS_JOB = "weekly_reports"

JOB_LABELS = {
    "weekly_reports": _l("Еженедельные отчёты родителям (бумага и e-mail)"),
    "weekly_backup": _l("Резервное копирование"),
    "pd_destruction_overdue": _l("Просроченное уничтожение персональных данных"),
    "retention_review": _l("Сроки хранения: документы к уничтожению"),
    "personal_files_fill": _l("Итоги года в личные дела"),
    "archive_builds": _l("Архивные пакеты закрытых учебных лет"),
    "archive_packages": _l("Формирование архивных пакетов года"),
    "message_notices": _l("Уведомления о новых сообщениях по e-mail"),
}
STATUS_LABELS = {
    "running": _l("выполняется"),
    "succeeded": _l("выполнено"),
    "partial": _l("выполнено с ошибками"),
    "failed": _l("сбой"),
}
TRIGGER_LABELS = {
    "schedule": _l("по расписанию"),
    "cli": _l("из командной строки"),
    "admin": _l("вручную"),
}
COUNT_LABELS = {
    "week": _l("неделя с"),
    "schools": _l("школ"),
    "students": _l("обучающихся"),
    "pages_printed": _l("страниц для печати"),
    "emails_sent": _l("писем отправлено"),
    "emails_failed": _l("писем не отправлено (ошибка)"),
    "emails_not_sent": _l("писем не отправлено (почта не настроена)"),
    "print_no_consent": _l("на бумаге: нет согласия на e-mail"),
    "process_pool": _l("параллельная печать"),
    "seconds": _l("секунд"),
    "filled": _l("внесено в личные дела"),
    "not_ready": _l("не готово"),
    "already_read": _l("уже прочитано, письмо не нужно"),
    "not_wanted": _l("уведомление больше не нужно"),
}
HIDDEN_COUNTS = {"files", "errors"}


class RunJobForm(FlaskForm):
    confirm = BooleanField(
        _l("Да, запустить сейчас"), validators=[DataRequired(message=_l("Подтвердите запуск задания."))]
    )


def _jobs() -> dict[str, tuple[str, str]]:
    import jobs.catalogue  # noqa: F401  (registers every job)
    from jobs.scheduler import JOBS

    return JOBS


def _visible_runs():
    school_id = current_user.school_id
    return or_(JobRun.school_id.is_(None), JobRun.school_id == school_id)


def _load_run(run_id: int) -> JobRun:
    """404 for a run of another school (or none), 403 for a user who may not see runs."""
    return policy.checked(db.session.get(JobRun, run_id), policy.can_view_job_run, current_user)


def _own_files(run: JobRun) -> list[str]:
    """The class files of the run for this school; none for those who may not read them."""
    if not policy.can_read_report_files(current_user):
        return []
    files = (run.counts or {}).get("files") or {}
    own = files.get(str(current_user.school_id)) if isinstance(files, dict) else None
    return [f for f in own or [] if isinstance(f, str)]


def _own_errors(run: JobRun) -> list[str]:
    """Error lines of this school (a run over every school prefixes them); a crash's traceback
    has no prefix and is shown as it is."""
    prefix = f"[school {current_user.school_id}] "
    lines = []
    for line in (run.errors or "").splitlines():
        if line.startswith("[school "):
            if line.startswith(prefix):
                lines.append(line[len(prefix):])
        else:
            lines.append(line)
    return lines


def _row_context(run: JobRun) -> dict:
    counts = {k: v for k, v in (run.counts or {}).items() if k not in HIDDEN_COUNTS}
    return {
        "run": run,
        "counts": counts,
        "files": _own_files(run),
        "errors": _own_errors(run),
        "stale": run.status == "running" and as_utc(run.started_at) < utcnow() - RUNNING_GRACE,
    }


labels.register("job", JOB_LABELS)
labels.register("job_status", STATUS_LABELS)
labels.register("job_trigger", TRIGGER_LABELS)
labels.register("job_count", COUNT_LABELS)


def _page(form: RunJobForm, code: int = 200):
    runs = db.session.scalars(
        select(JobRun).where(_visible_runs()).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(RUNS_SHOWN)
    ).all()
    latest_reports = next(
        (r for r in runs if r.job_id == REPORTS_JOB and r.status in ("succeeded", "partial") and _own_files(r)), None
    )
    jobs = [
        {"id": job_id, "cron": effective_cron(current_app, job_id, cron_key, in_request=True), "running": _is_running(job_id)}
        for job_id, (_target, cron_key) in sorted(_jobs().items())
    ]
    return (
        render_template(
            "admin/jobs/index.html",
            jobs=jobs,
            rows=[_row_context(r) for r in runs],
            latest_reports=latest_reports,
            latest_files=_own_files(latest_reports) if latest_reports else [],
            form=form,
        ),
        code,
    )


@bp.get("/jobs")
@admin_only
def jobs():
    return _page(RunJobForm(formdata=None))


@bp.get("/jobs/runs/<int:run_id>/progress")
@admin_only
def job_run_progress(run_id: int):
    """The run's row: htmx polls it while the run goes on; the finished row stops polling."""
    run = _load_run(run_id)
    return render_htmx_template("admin/jobs/run.html", "admin/jobs/_run_row.html", **_row_context(run))


def _is_running(job_id: str) -> bool:
    """Started here and not finished, or a run of it still going (in another process too)."""
    thread = current_app.extensions.get("job_threads", {}).get(job_id)
    if thread is not None and thread.is_alive():
        return True
    return db.session.scalar(
        select(JobRun.id)
        .where(
            JobRun.job_id == job_id,
            JobRun.status == "running",
            JobRun.started_at > utcnow() - RUNNING_GRACE,
            _visible_runs(),
        )
        .limit(1)
    ) is not None


def _run_in_background(app, job_id: str, function, scheduled_for, school_id: int, user_id: int) -> threading.Thread:
    accepted = inspect.signature(function).parameters
    kwargs = {"trigger": "admin"}
    if "school_id" in accepted:
        kwargs["school_id"] = school_id  # an administrator runs a job for their own school
    if "user_id" in accepted:
        kwargs["user_id"] = user_id

    def target():
        with app.app_context():
            try:
                function(app, scheduled_for, **kwargs)
            except Exception:  # recorded on the run when it got that far; never kills the worker
                app.logger.exception("job %s by hand failed", job_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name=f"job-{job_id}-by-hand", daemon=True)
    app.extensions.setdefault("job_threads", {})[job_id] = thread  # the tests wait for it
    thread.start()
    return thread


@bp.post("/jobs/<job_id>/run")
@admin_only
def job_run(job_id: str):
    from jobs.scheduler import _resolve

    registry = _jobs()
    if job_id not in registry:
        abort(404)
    form = RunJobForm()
    if not form.validate_on_submit():
        flash(_("Подтвердите запуск задания: отметьте «Да, запустить сейчас»."), "error")
        return _page(form, 400)
    if _is_running(job_id):
        flash(_("Это задание уже выполняется. Дождитесь его окончания."), "warning")
        return _page(form, 409)
    app = current_app._get_current_object()
    key = manual_key()
    _run_in_background(app, job_id, _resolve(registry[job_id][0]), key, current_user.school_id, current_user.id)
    # The run row appears as soon as the thread claims it; wait a moment so the page shows it.
    deadline = time.monotonic() + 3
    with deferred_transactions():
        while time.monotonic() < deadline:
            db.session.rollback()  # a fresh snapshot each time
            if db.session.scalar(select(JobRun.id).where(JobRun.job_id == job_id, JobRun.scheduled_for == key)):
                break
            time.sleep(0.1)
        db.session.rollback()
    flash(_("Задание «%(name)s» запущено. Ход выполнения виден в таблице.", name=labels.label(job_id, "job")), "success")
    return redirect(url_for("admin.jobs"), 303)


@bp.get("/jobs/reports/<int:run_id>/<path:filename>")
@admin_only
def job_report_file(run_id: int, filename: str):
    """A class file of a weekly-reports run: only a file the run recorded for this school."""
    from jobs.weekly_reports import resolve_batch_file

    run = _load_run(run_id)
    if not policy.can_read_report_files(current_user):
        abort(403)  # every child's marks: not for the technical administrator
    if run.job_id != REPORTS_JOB or filename not in _own_files(run):
        abort(404)
    path = resolve_batch_file(current_app, filename)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=filename.rsplit("/", 1)[-1])
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response
