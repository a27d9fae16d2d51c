"""The electronic diary (ЭД) of students and parents (DIA-*)."""
from flask import Blueprint

bp = Blueprint("diary", __name__, url_prefix="/diary")

from blueprints.diary import dynamics, views  # noqa: E402,F401
