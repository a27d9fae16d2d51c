"""The class journal (ЭЖ): lessons, plans, marks and attendance (JRN-*)."""
from flask import Blueprint

bp = Blueprint("journal", __name__, url_prefix="/journal")

from blueprints.journal import (  # noqa: E402,F401
    class_views,
    closing,
    control,
    helpers,
    lessons,
    period_marks,
    plan,
    printing,
    schedule,
    views,
)
