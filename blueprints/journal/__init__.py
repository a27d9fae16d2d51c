"""The class journal (ЭЖ): lessons, plans, marks and attendance (JRN-*)."""
from flask import Blueprint

bp = Blueprint("journal", __name__, url_prefix="/journal")

from blueprints.journal import helpers, views  # noqa: E402,F401
