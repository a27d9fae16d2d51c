"""Polls (COM-2)."""
from flask import Blueprint

bp = Blueprint("polls", __name__, url_prefix="/polls")

from blueprints.polls import views  # noqa: E402,F401  (registers the routes)
