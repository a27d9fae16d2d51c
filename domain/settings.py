"""The school's conventions with their usual defaults; a school stores only what differs
(School.settings). REQUIREMENTS, "Conventions of Russian school journals"."""
from __future__ import annotations

from copy import deepcopy
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Period mark from the weighted average: 5 from 4.65, 4 from 3.65, 3 from 2.65, else 2.
    "rounding_thresholds": {"5": 4.65, "4": 3.65, "3": 2.65},
    # The 10- and 100-point scales: the average rounds up to the next mark from this fractional
    # part on (8.50 -> 9 with 0.5); domain/grading.thresholds_for() turns it into thresholds.
    "rounding_round_up_from": {"ten": 0.5, "hundred": 0.5},
    "min_marks_per_period": {"quarter": 3, "trimester": 3, "half_year": 5, "year": 5},
    "use_weights": True,
    "notations": {
        "absent": "Н",
        "ill": "Б",
        "excused": "УП",
        "unexcused": "НП",
        "late": "ОП",
        "not_assessed": "н/а",
        "pass": "зач",
        "fail": "незач",
        "exempt": "осв",
    },
    # Deadlines of 003:2.3-2.5 (hours and days are the school's to change).
    "homework_deadline_hours": 2,
    # Marks of written works checked after the lesson: within a week of the work (003:2.5).
    "marks_deadline_days": 7,
    "works_checked_later": ["test", "independent", "practical", "lab", "dictation", "quiz"],
    # Every other current mark of a lesson by 18:00 of its day (003 Положение 2.4); a later
    # entry is kept and flagged as late, not refused.
    "current_marks_by": "18:00",
    # Period and year marks only in the last week of the period (001:2.5.6): refused before.
    "period_marks_window_days": 7,
}


def school_settings(stored: dict[str, Any] | None) -> dict[str, Any]:
    merged = deepcopy(DEFAULTS)
    for key, value in (stored or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged
