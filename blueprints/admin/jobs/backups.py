"""Administrator pages of backups (ARC-4): the last good copy, the destinations, the recent
copies, the rotation rule and how to restore. A backup by hand runs in a background thread;
a restore is deliberately not a button: it replaces everything (`flask backup restore`)."""
from __future__ import annotations

import os
import threading
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import DataRequired

from blueprints.admin import bp
from blueprints.admin.common import admin_only
from extensions import db
from jobs import backup
from jobs.runner import manual_key
from models import JobRun
from models.archive import BackupCopy
from models.base import utcnow

# A run still 'running' after this long was killed; it no longer blocks a run by hand.
RUNNING_GRACE = timedelta(hours=6)


class RunBackupForm(FlaskForm):
    confirm = BooleanField(
        _("Да, сделать резервную копию сейчас"),
        validators=[DataRequired(message=_("Подтвердите запуск резервного копирования."))],
    )


def _running_backup() -> JobRun | None:
    return db.session.scalar(
        select(JobRun)
        .where(JobRun.job_id == backup.JOB_ID, JobRun.status == "running", JobRun.started_at > utcnow() - RUNNING_GRACE)
        .limit(1)
    )


def _destination_rows() -> list[dict]:
    rows = []
    for path in backup.destinations(current_app):
        exists = os.path.isdir(path)
        rows.append({
            "path": path,
            "exists": exists,
            "writable": exists and os.access(path, os.W_OK),
            "count": len(backup.complete_backups(path)) if exists else 0,
        })
    return rows


def _page(form: RunBackupForm, code: int = 200):
    status = backup.backup_status(current_user.school)
    copies = db.session.scalars(select(BackupCopy).order_by(BackupCopy.created_at.desc(), BackupCopy.id.desc()).limit(30)).all()
    on_disk = {c.id: os.path.isdir(os.path.join(c.destination, c.folder)) for c in copies}
    return render_template(
        "admin/backups.html",
        status=status,
        copies=copies,
        on_disk=on_disk,
        destinations=_destination_rows(),
        running=_running_backup(),
        keep_weekly=current_app.config["BACKUP_KEEP_WEEKLY"],
        keep_monthly=current_app.config["BACKUP_KEEP_MONTHLY"],
        cron=current_app.config["BACKUP_CRON"],
        form=form,
    ), code


@bp.get("/backups")
@admin_only
def backups():
    return _page(RunBackupForm(formdata=None))


def _run_in_background(app, user_id: int) -> threading.Thread:
    def target():
        with app.app_context():
            try:
                backup.run_scheduled(app, manual_key(), trigger="admin", user_id=user_id)
            except Exception:  # recorded on the run when it got that far; never kills the worker
                app.logger.exception("backup by hand failed")
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name="backup-by-hand")
    app.extensions["backup_thread"] = thread  # the tests wait for it
    thread.start()
    return thread


@bp.post("/backups/run")
@admin_only
def backup_run():
    form = RunBackupForm()
    if not form.validate_on_submit():
        flash(_("Подтвердите запуск резервного копирования."), "error")
        return _page(form, 400)
    thread = current_app.extensions.get("backup_thread")
    if (thread is not None and thread.is_alive()) or _running_backup() is not None:
        flash(_("Резервное копирование уже идёт. Дождитесь его окончания."), "warning")
        return _page(form, 409)
    app = current_app._get_current_object()
    _run_in_background(app, current_user.id)
    flash(_("Резервное копирование запущено. Обновите страницу через минуту, чтобы увидеть результат."), "success")
    return redirect(url_for("admin.backups"), 303)
