"""The personal-data register (152-ФЗ): consents, disclosures, destruction acts (PD-*).
Routes arrive with the personal-data issue."""
from flask import Blueprint

bp = Blueprint("personal_data", __name__, url_prefix="/personal-data")

from blueprints.personal_data import (  # noqa: E402,F401
    card_views,
    destruction,
    disclosures,
    files,
    orders,
    protection,
    requests,
    views,
)
