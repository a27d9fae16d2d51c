"""Administration of the school: year, periods, classes, subjects, assignments, people,
imports and credentials (ADM-1, ADM-3, ADM-4)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from blueprints.admin import (  # noqa: E402,F401
    backups,
    bells,
    clubs,
    jobs,
    new_year,
    people,
    people_editing,
    settings,
    subjects_io,
    timetable,
    timetable_import,
    views,
)
