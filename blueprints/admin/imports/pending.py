"""Uploads waiting between their preview and their commit (ADM-4): the raw rows of a checked file
are kept on the server (not in the cookie session) under a random token, per school, for a day at
most; stale uploads are swept away whenever a new one is kept. One store per import, each in its
own folder under UPLOAD_FOLDER, and one way for the views to find, commit and cancel a kept
upload."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from domain.messages import Refusal
from extensions import db

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PENDING_MAX_AGE_SECONDS = 24 * 3600


class PendingUploads:
    def __init__(self, folder_name: str):
        self.folder_name = folder_name

    def _folder(self) -> str:
        folder = os.path.join(current_app.config["UPLOAD_FOLDER"], self.folder_name)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        return folder

    def _path(self, token: str) -> str | None:
        if not TOKEN_RE.match(token or ""):
            return None
        return os.path.join(self._folder(), f"{token}.json")

    def save(self, payload: dict[str, Any]) -> str:
        """Keep `payload` (it carries its `school_id`) and answer its token."""
        folder = self._folder()
        now = time.time()
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            try:
                if now - os.path.getmtime(path) > PENDING_MAX_AGE_SECONDS:
                    os.remove(path)
            except OSError:
                pass
        token = secrets.token_urlsafe(24)
        path = os.path.join(folder, f"{token}.json")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, ensure_ascii=False)
        # the age is measured on the app's clock (which tests may freeze), not the file system's
        os.utime(path, (now, now))
        return token

    def load(self, token: str, school_id: int) -> dict[str, Any] | None:
        """The kept payload, or None when the token is malformed, unknown, stale or another
        school's."""
        path = self._path(token)
        if path is None or not os.path.isfile(path):
            return None
        try:
            with open(path, encoding="utf-8") as f:
                payload = json.load(f)
        except (OSError, ValueError):
            return None
        if payload.get("school_id") != school_id or time.time() - os.path.getmtime(path) > PENDING_MAX_AGE_SECONDS:
            return None
        return payload

    def delete(self, token: str) -> None:
        path = self._path(token)
        if path is not None and os.path.isfile(path):
            os.remove(path)


people_uploads = PendingUploads("imports")
subject_uploads = PendingUploads("subject-imports")
timetable_uploads = PendingUploads("timetable-imports")


# For the views: the same answers for every import -----------------------------------------


def kept_or_flash(store: PendingUploads, token: str, gone: str) -> dict[str, Any] | None:
    """The current user's school's kept upload, or None with `gone` flashed (already imported,
    cancelled or stale): the view goes back to its upload form."""
    payload = store.load(token, current_user.school_id)
    if payload is None:
        flash(gone, "info")
    return payload


def cancel(store: PendingUploads, token: str, back_url: str):
    """The kept rows hold personal data: an upload that will not be imported is deleted at once."""
    from blueprints.admin.people.forms import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        abort(400)
    if store.load(token, current_user.school_id) is not None:
        store.delete(token)
        flash(_("Загрузка отменена, файл удалён."), "info")
    return redirect(back_url)


def commit(
    store: PendingUploads,
    token: str,
    *,
    back_url: str,
    gone: str,
    plan: Callable[[dict], Any],
    page: Callable[[dict, Any, int], Any],
    run: Callable[[dict, Any], Any],
    finish: Callable[[Any], Any],
    refused: str,
    conflict: str,
):
    """The commit of every import: all rows in one transaction or none. The kept rows are checked
    again against the database as it is now (`plan`) and a file with errors is refused with 400
    (004:3.1); a refusal of the operation answers with its status, a concurrent change that won a
    unique value with 409 and a fresh check. Only a committed upload is deleted; `finish` then
    answers with the result of `run`."""
    from blueprints.admin.people.forms import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        abort(400)
    payload = kept_or_flash(store, token, gone)
    if payload is None:
        return redirect(back_url)
    checked = plan(payload)
    if not checked.ok:
        flash(refused, "error")
        return page(payload, checked, 400)
    try:
        result = run(payload, checked)
        db.session.commit()
    except Refusal as refusal:
        db.session.rollback()
        flash(_(refusal.message, **refusal.params), "error")
        return page(payload, checked, refusal.status)
    except IntegrityError:
        db.session.rollback()
        flash(conflict, "error")
        return page(payload, plan(payload), 409)
    store.delete(token)
    return finish(result)
