"""The administration's index and `endpoint_exists`, the one template global the admin pages
share. What the user may open (tiles, ways back) the templates read from `may` (policy.user_may,
the navigation context processor). The index answers from the same queries as the pages it
points to."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only


@bp.app_template_global()
def endpoint_exists(endpoint: str) -> bool:
    """Links to pages of areas wired separately (people) appear once those areas are registered."""
    return endpoint in current_app.view_functions


@bp.get("/")
@admin_only
def index():
    school_id = current_user.school_id
    return render_template(
        "admin/index.html",
        current_year=queries.current_year(school_id),
        scales_missing=len(queries.missing_scale_codes(queries.school_scales(school_id))),
    )
