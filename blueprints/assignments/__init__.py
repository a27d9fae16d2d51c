"""Distance assignments (JRN-10)."""
from flask import Blueprint

bp = Blueprint("assignments", __name__, url_prefix="/assignments")

from blueprints.assignments import views  # noqa: E402,F401
