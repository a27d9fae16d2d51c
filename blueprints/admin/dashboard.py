"""The administration's index and the template globals the admin pages share (which tiles and
ways back a user sees). The index answers from the same queries as the pages it points to."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only


@bp.app_template_global()
def endpoint_exists(endpoint: str) -> bool:
    """Links to pages of areas wired separately (people) appear once those areas are registered."""
    return endpoint in current_app.view_functions


@bp.app_template_global()
def administers_school() -> bool:
    """For the way back on pages the academic office shares with the administrators (timetable,
    bells): the administration's index only for those who may open it."""
    return current_user.is_authenticated and policy.can_administer(current_user)


@bp.app_template_global()
def manages_schedule() -> bool:
    """Substitutions and cancellations: the tile only for those who may open the page."""
    return current_user.is_authenticated and policy.can_manage_schedule(current_user)


@bp.get("/")
@admin_only
def index():
    school_id = current_user.school_id
    return render_template(
        "admin/index.html",
        current_year=queries.current_year(school_id),
        scales_missing=len(queries.missing_scale_codes(queries.school_scales(school_id))),
    )
