"""The archive: year-end packages, retention and integrity (ARC-*).
Routes: views.py (packages, building, the acceptance act)."""
from flask import Blueprint

bp = Blueprint("archive", __name__, url_prefix="/archive")

from blueprints.archive import builds, retention, views  # noqa: E402,F401  (registers the routes, the closing's hook)
