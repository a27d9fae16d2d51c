"""The administration's index. What the user may open (tiles, ways back) the templates read from `may` (policy.user_may,
the navigation context processor). The index answers from the same queries as the pages it
points to."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only
from extensions import db
from utils.pd_protection import dashboard_chain_state


@bp.get("/")
@admin_only
def index():
    school_id = current_user.school_id
    # The access log's hash chain (PD-6): checked from the last intact point on, so the cost
    # stays bounded on a long log (bench: see README «Personal data: keys and the access log»).
    chain = dashboard_chain_state(school_id)
    db.session.commit()  # the moved checkpoint; before loading what the page shows
    may_view_access_log = policy.can_view_access_log(current_user)
    current_year = queries.current_year(school_id)
    scales_missing = len(queries.missing_scale_codes(queries.school_scales(school_id)))
    return render_template(
        "admin/index.html",
        current_year=current_year,
        scales_missing=scales_missing,
        chain=chain,
        may_view_access_log=may_view_access_log,
    )
