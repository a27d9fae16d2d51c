"""The administration's index. What the user may open (tiles, ways back) the templates read from `may` (policy.user_may,
the navigation context processor). The index answers from the same queries as the pages it
points to."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only


@bp.get("/")
@admin_only
def index():
    school_id = current_user.school_id
    return render_template(
        "admin/index.html",
        current_year=queries.current_year(school_id),
        scales_missing=len(queries.missing_scale_codes(queries.school_scales(school_id))),
    )
