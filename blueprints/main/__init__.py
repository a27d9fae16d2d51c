from flask import Blueprint

bp = Blueprint("main", __name__)

from blueprints.main import labels, verify, views  # noqa: E402,F401
