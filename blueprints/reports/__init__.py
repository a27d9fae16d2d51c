"""Results of study for the academic office (REP-1 … REP-4): the summary sheet (summary_sheet.py
with summary_sheet_queries.py), the statistics and dynamics (statistics.py with
statistics_queries.py and charts.py), the inspections of journal keeping (inspections.py with
inspections_operations.py). Views are thin; how a mark counts is domain/results.py."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

# The view modules register their routes on import; each arrives with its part of issue 12.

# REP-1: the summary sheet; REP-2: statistics and dynamics; REP-3: inspections of journal keeping.
from blueprints.reports import (  # noqa: E402,F401
    decisions,
    exams,
    inspections,
    statistics,
    statistics_printing,
    summary_sheet,
)
