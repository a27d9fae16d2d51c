"""The maintenance state of a deployment: a marker file that every web process sees.

`flask backup restore` writes the marker before it touches the database and removes it when
it is done. While the marker is there, every request that may write answers 503 with
Retry-After and «Идёт восстановление из резервной копии…» (the grid's outbox keeps the typed
values and retries), pages show a banner, and /healthz answers 503. The marker lives in the
instance folder by default; with several hosts, MAINTENANCE_FILE must point to a shared folder.

After a restore, the restore stamp beside the marker changes: each web process then drops its
pooled connections, which on SQLite still point to the replaced database file."""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable

from database import SAFE_METHODS, read_only_from_now
from extensions import db
from models.base import utcnow

MARKER_NAME = "maintenance.json"
STAMP_SUFFIX = ".restored"
REASONS = {
    "restore": _l("Идёт восстановление из резервной копии. Изменения сейчас не сохраняются; "
                  "повторите через несколько минут, введённые отметки журнал отправит сам."),
}
DEFAULT_REASON = _l("Идут технические работы. Изменения сейчас не сохраняются; повторите через несколько минут.")


def marker_path(app: Flask) -> str:
    return app.config.get("MAINTENANCE_FILE") or os.path.join(app.instance_path, MARKER_NAME)


def current(app: Flask) -> dict | None:
    """The marker's content, or None when the application is not in maintenance."""
    try:
        with open(marker_path(app), encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):  # unreadable or half-written: still a marker
        return {"reason": "unknown"}
    return data if isinstance(data, dict) else {"reason": "unknown"}


def message(state: dict) -> str:
    return str(REASONS.get(state.get("reason"), DEFAULT_REASON))


def _write_atomically(path: str, content: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def maintenance(app: Flask, reason: str, **details) -> Iterator[None]:
    """Hold the application in maintenance for the duration of the block; afterwards the web
    processes reconnect to the database (it may have been replaced)."""
    path = marker_path(app)
    _write_atomically(path, json.dumps({"reason": reason, "since": utcnow().isoformat(), **details}))
    try:
        yield
    finally:
        _write_atomically(path + STAMP_SUFFIX, utcnow().isoformat())
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _restore_stamp(app: Flask) -> float | None:
    try:
        return os.stat(marker_path(app) + STAMP_SUFFIX).st_mtime_ns
    except OSError:
        return None


def init_app(app: Flask) -> None:
    app.extensions["restore_stamp"] = _restore_stamp(app)

    @app.before_request
    def _maintenance_gate():
        state = current(app)
        g.maintenance = state
        if state is None:
            stamp = _restore_stamp(app)
            if stamp != app.extensions["restore_stamp"]:
                # The database was restored while this process ran: its pooled connections
                # (SQLite: the replaced file) must not be used again.
                app.extensions["restore_stamp"] = stamp
                db.session.remove()
                db.engine.dispose()
            return None
        if request.method in SAFE_METHODS or request.endpoint in ("static", "healthz"):
            return None
        read_only_from_now()  # the refusal page reads the user without taking the write lock
        raise ServiceUnavailable(message(state), retry_after=app.config["MAINTENANCE_RETRY_AFTER_SECONDS"])

    @app.context_processor
    def _maintenance_banner():
        state = g.get("maintenance")
        return {"maintenance_message": message(state) if state else None}
