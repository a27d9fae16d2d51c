"""Messages and announcements (COM-1)."""
from flask import Blueprint

bp = Blueprint("messages", __name__, url_prefix="/messages")

from blueprints.messages import views  # noqa: E402,F401
from domain.message_text import linkify  # noqa: E402

bp.add_app_template_filter(linkify, "linkify")
