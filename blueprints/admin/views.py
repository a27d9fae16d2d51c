from flask import render_template

import policy
from blueprints.admin import bp
from blueprints.auth.access import roles_required


@bp.get("/")
@roles_required(*policy.ADMIN_ROLES)
def index():
    return render_template("admin/index.html")
