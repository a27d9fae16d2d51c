"""PDF documents from templates with xhtml2pdf.

Templates receive plain data. The resource fetcher (link_callback) resolves only the project's
own static files, so a document can never pull a local file or a URL (xhtml2pdf #827). The
DejaVu fonts ship in static/fonts with their licence: Cyrillic text renders on any machine."""
from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Any

from flask import current_app, render_template

ALLOWED_STATIC_DIRS = ("fonts", "img")


class _KnownCssGaps(logging.Filter):
    """xhtml2pdf warns on every render about CSS it does not implement (border-collapse, which
    the templates keep for the browser): known, harmless, and it buried the warnings that matter
    (a font that could not be read) in the server's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Ignoring CSS properties" not in str(record.msg)


logging.getLogger("xhtml2pdf.parser").addFilter(_KnownCssGaps())


class PdfError(RuntimeError):
    pass


def make_link_callback(static_folder: str):
    static_root = os.path.realpath(static_folder)

    def link_callback(uri: str, _rel: str) -> str:
        prefix = "/static/"
        if not uri.startswith(prefix):
            raise PdfError(f"refused resource {uri!r}")
        # A URL made by url_for('static') carries the file's version (?v=…, utils/static_files.py).
        relative = uri[len(prefix):].split("#", 1)[0].split("?", 1)[0]
        path = os.path.realpath(os.path.join(static_root, relative))
        allowed = any(
            path.startswith(os.path.join(static_root, folder) + os.sep) for folder in ALLOWED_STATIC_DIRS
        )
        if not allowed or not os.path.isfile(path):
            raise PdfError(f"refused resource {uri!r}")
        return path

    return link_callback


def html_to_pdf(html: str, static_folder: str) -> bytes:
    from xhtml2pdf import pisa  # imported lazily: it is heavy and only PDFs need it
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    out = io.BytesIO()
    # xhtml2pdf confines local reads to a folder, the working directory unless told: name the
    # static folder, so the fonts embed whatever directory the server or the scheduler runs in.
    policy = ResourceAccessPolicy(base_dir=Path(os.path.realpath(static_folder)))
    result = pisa.CreatePDF(
        html, dest=out, encoding="utf-8", link_callback=make_link_callback(static_folder), resource_policy=policy
    )
    if result.err:
        raise PdfError(f"xhtml2pdf reported {result.err} error(s)")
    return out.getvalue()


def render_pdf(template: str, **context: Any) -> bytes:
    return html_to_pdf(render_template(template, **context), current_app.static_folder)
