"""Electronic tests (JRN-10)."""
from flask import Blueprint

bp = Blueprint("quizzes", __name__, url_prefix="/tests")

from blueprints.quizzes import views  # noqa: E402,F401
