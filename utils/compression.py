"""Compressed answers for `make run` without a proxy in front (issue 16, item 4): the grid of a
class travels as ~1/15 of its size. Flask-Compress does the content negotiation (br over gzip by
the client's q-values), `Vary: Accept-Encoding`, streaming responses (chunk by chunk, never read
whole into memory), the minimum size and the strong ETag of a compressed variant ("…:br"); this
hook only decides which answers it may touch.

Left alone: a part of a file (a 206 answer or any request with `Range`: the byte range names the
stored file, not its compressed form) and everything that is not text (config.py's
COMPRESS_MIMETYPES: PDFs, XLSX and images are compressed already)."""
from __future__ import annotations

from flask import Flask, request
from flask_compress import Compress


def init_app(app: Flask) -> None:
    """Called before any other `after_request` hook is registered, so it runs last (Flask runs
    them in reverse): the body and headers are final, `Vary: HX-Request` (utils/htmx.py) is
    already there and Accept-Encoding is added beside it."""
    if not app.config.get("COMPRESS_ENABLED", True):
        return
    app.config["COMPRESS_REGISTER"] = False
    compress = Compress()  # one per app: it keeps the app's settings
    compress.init_app(app)

    @app.after_request
    def compress_response(response):
        if response.status_code == 206 or "Content-Range" in response.headers or "Range" in request.headers:
            return response
        return compress.after_request(response)
