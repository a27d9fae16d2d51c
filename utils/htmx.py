"""One helper picks the fragment for htmx and the full page otherwise (as in Canaille)."""
from __future__ import annotations

from typing import Any

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """A real htmx request, not a boosted navigation that expects a whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_htmx_template(page: str, fragment: str, status: int = 200, **context: Any):
    response = make_response(render_template(fragment if is_htmx() else page, **context), status)
    response.headers.add("Vary", "HX-Request")
    return response
