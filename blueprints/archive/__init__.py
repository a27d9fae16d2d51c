"""The archive: year-end packages, retention and integrity (ARC-*).
Routes arrive with the archive issue."""
from flask import Blueprint

bp = Blueprint("archive", __name__, url_prefix="/archive")

from blueprints.archive import retention  # noqa: E402,F401
