"""htmx in one place: one helper picks the fragment for htmx and the full page otherwise (as in
Canaille), and one hook tells caches that every answer depends on the `HX-Request` header. A
refusal is answered by utils/refusals.py, for a fragment as for a page."""
from __future__ import annotations

from typing import Any

from flask import Flask, make_response, render_template, request

HX_REQUEST = "HX-Request"


def sent_by_htmx() -> bool:
    """Any request htmx sent, a boosted navigation included: it takes an error as a fragment and
    follows `HX-Redirect` to the login page (app.py, blueprints/auth)."""
    return request.headers.get(HX_REQUEST) == "true"


def is_htmx() -> bool:
    """A real htmx request, not a boosted navigation that expects a whole page."""
    return sent_by_htmx() and request.headers.get("HX-Boosted") != "true"


def render_htmx_template(page: str, fragment: str, status: int = 200, **context: Any):
    return make_response(render_template(fragment if is_htmx() else page, **context), status)


def add_vary_hx_request(response):
    """Any URL may answer an htmx request differently from a page load: its fragment, but also
    the error pages (app.py) and the way to the login page (auth), which differ by the header
    on every route. So every answer but a static file says so, and a cache never serves one for
    the other; views do not set it by hand."""
    if request.endpoint != "static":
        response.vary.add(HX_REQUEST)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_vary_hx_request)
