"""Static files with their content in the URL and a year-long cache (issue 16, item 4), so that
`make run` without nginx answers like the production proxy does.

`url_for('static', filename=…)` gets `?v=<first 10 hex digits of the file's SHA-256>`: computed
once per file and process, again when the file's mtime or size changes (a deploy). A static
answer whose `v` is the served file's own hash is cached for a year as immutable; any other
(no `v`, an old or a forged one) is revalidated by ETag on every use (`no-cache`), so a stale
host behind a balancer never pins old content under a new URL."""
from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, current_app, request
from werkzeug.security import safe_join

HASH_CHARS = 10
_lock = threading.Lock()
_hashes: dict[str, tuple[int, int, str]] = {}


def content_hash(static_folder: str, filename: str) -> str | None:
    """The file's short content hash, or None for a file that is not there (or not inside the
    static folder)."""
    path = safe_join(static_folder, filename)
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    cached = _hashes.get(path)
    if cached is not None and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
        return cached[2]
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 16), b""):
                digest.update(block)
    except OSError:
        return None
    value = digest.hexdigest()[:HASH_CHARS]
    with _lock:
        _hashes[path] = (st.st_mtime_ns, st.st_size, value)
    return value


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "v" in values or not values.get("filename"):
        return
    version = content_hash(current_app.static_folder, values["filename"])
    if version:
        values["v"] = version


def _cache_headers(response):
    if request.endpoint != "static" or response.status_code not in (200, 206, 304):
        return response
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if version and filename and version == content_hash(current_app.static_folder, filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config.get("STATIC_IMMUTABLE_MAX_AGE", 31536000)
        response.cache_control.immutable = True
    else:
        response.cache_control.public = None
        response.cache_control.max_age = None
        response.cache_control.immutable = None
        response.cache_control.no_cache = True
        response.expires = None
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_headers)
