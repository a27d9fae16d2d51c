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
    # Personal data (PD-2): after a withdrawal of consent the data are destroyed within this many
    # working days (the consent form of 003 Приложение 2), and never later than the law's
    # calendar days (152-ФЗ, art. 21 p. 5). Defaults come from config (CONFIG_DEFAULTS).
    "pd_destroy_working_days": 10,
    "pd_destroy_calendar_days_legal": 30,
    # The personal files (REP-6, 001:2.6.8): the year's results are written into them by this
    # day («ММ-ДД») of the calendar year the school year ends in; a daily job fills what is ready.
    "personal_file_fill_by": "06-25",
    # The weekly paper reports (DIA-4, 003:2.6-2.7): day and school time; the default is the
    # deployment's WEEKLY_REPORTS_CRON.
    "weekly_reports_day": "sat",
    "weekly_reports_time": "10:00",
    # Retention periods in years by kind of record (ARC-2; domain/retention.py SCHEDULE gives the
    # seeds' periods and grounds). The acts of destruction are kept for ever: no setting.
    "retention_years": {
        "journal": 5,
        "summary_sheet": 5,
        "personal_file": 3,
        "attestation_protocol": 3,
        "monitoring": 3,
        "state_exam_protocol": 5,
        "certificate_book": 50,
    },
    # The final mark for the certificate from the year mark and the exam mark (JRN-11, 001:2.8.3;
    # Порядок выдачи аттестатов): the mean of the two rounded by the rules of mathematics.
    # Other rules: "average_exam_decides", "exam_only" (domain/exams.py).
    "final_mark_rule": "average_round_half_up",
    # Messages (COM-1): students write to their teachers only; a school may let classmates
    # write to each other.
    "messages_students_to_students": False,
}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Keys whose default is the deployment's configuration (config.py), not a constant.
CONFIG_DEFAULTS = {
    "pd_destroy_working_days": "PD_DESTROY_WORKING_DAYS",
    "pd_destroy_calendar_days_legal": "PD_DESTROY_CALENDAR_DAYS_LEGAL",
}


def weekly_cron_parts(cron: str) -> tuple[str, str] | None:
    """("sat", "10:00") from a crontab line "0 10 * * sat"; None for anything more complex."""
    parts = str(cron or "").split()
    if len(parts) != 5 or parts[2:4] != ["*", "*"]:
        return None
    minute, hour, day = parts[0], parts[1], parts[4].lower()
    if not (minute.isdigit() and hour.isdigit() and int(minute) < 60 and int(hour) < 24):
        return None
    if day.isdigit() and int(day) <= 7:
        day = WEEKDAYS[(int(day) - 1) % 7]  # cron: 0 and 7 are Sunday
    if day not in WEEKDAYS:
        return None
    return day, f"{int(hour):02d}:{int(minute):02d}"


def weekly_cron(day: str, at: str) -> str:
    hours, minutes = at.split(":")
    return f"{int(minutes)} {int(hours)} * * {day}"


def defaults(config: Any = None) -> dict[str, Any]:
    """DEFAULTS with the deployment's own defaults (config.py) where it has them."""
    merged = deepcopy(DEFAULTS)
    if config is None:
        return merged
    for key, config_key in CONFIG_DEFAULTS.items():
        if config.get(config_key) is not None:
            merged[key] = int(config[config_key])
    parts = weekly_cron_parts(config.get("WEEKLY_REPORTS_CRON", ""))
    if parts:
        merged["weekly_reports_day"], merged["weekly_reports_time"] = parts
    return merged


def school_settings(stored: dict[str, Any] | None, config: Any = None) -> dict[str, Any]:
    """The school's settings: its stored deviations over the defaults (with `config`, the
    app's config, the deployment's defaults of CONFIG_DEFAULTS and the weekly reports)."""
    merged = defaults(config)
    for key, value in (stored or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged
