"""Access rules for withdrawal and destruction (blueprints/personal_data/destruction.py, PD-2):
a parent withdraws the consent for their own child; the director and the journal's
administrator see and execute destruction tasks, download the acts and keep the school's
corrections of the production calendar."""

from __future__ import annotations

from datetime import date

from tests.access import Rule

P = "/personal-data"
MANAGERS = frozenset({"admin", "director"})  # director, journal_admin (not the technical administrator alone)


def _consent(s):
    """Петров Пётр's consent sheet signed by parent_a (made once per school)."""
    from blueprints.personal_data import operations as ops
    from extensions import db

    if not hasattr(s, "_pd_consent"):
        consent = ops.record_consent(s.pupils_5a[0], s.parent_a.id, {"1.3", "5.1", "6.1", "6.4"}, date(2026, 2, 1),
                                     None, "1", s.admin, date(2026, 2, 1))
        db.session.commit()
        s._pd_consent = consent.id
    return s._pd_consent


def _task(s, executed: bool = False):
    """A destruction task of Сидоров Семён (5Б), executed with its act when asked."""
    from datetime import datetime, timezone

    from blueprints.personal_data import destruction_operations as dops
    from blueprints.personal_data import operations as ops
    from extensions import db

    key = "_pd_task_done" if executed else "_pd_task"
    if not hasattr(s, key):
        student = s.pupils_5b[0]
        consent = ops.record_consent(student, s.parent_b.id, {"1.3", "6.1"}, date(2026, 2, 1), None, key, s.admin,
                                     date(2026, 2, 1))
        task = ops.withdraw_consent(consent, s.parent_b, "заявление", at=datetime(2026, 2, 20, 9, tzinfo=timezone.utc))
        if executed:
            from flask import current_app

            with current_app.test_request_context():  # the act's PDF renders templates
                dops.execute(task, s.director, True)
        db.session.commit()
        setattr(s, key, task.id)
    return getattr(s, key)


def _correction(s):
    from extensions import db
    from models.pd_destruction import CalendarCorrection

    if not hasattr(s, "_pd_correction"):
        correction = CalendarCorrection(school_id=s.school.id, day=date(2026, 2, 28), is_working=True, note="перенос")
        db.session.add(correction)
        db.session.commit()
        s._pd_correction = correction.id
    return s._pd_correction


RULES = [
    Rule("POST", f"{P}/my/consents/<int:consent_id>/withdraw", frozenset({"parent_a"}),
         lambda s: f"{P}/my/consents/{_consent(s)}/withdraw", lambda s: {"reason": "проверка"},
         note="without the confirmation: 400 for the parent, nothing withdrawn"),
    Rule("GET", f"{P}/destruction", MANAGERS, lambda s: f"{P}/destruction"),
    Rule("GET", f"{P}/destruction/<int:task_id>", MANAGERS, lambda s: f"{P}/destruction/{_task(s)}"),
    Rule("POST", f"{P}/destruction/<int:task_id>", MANAGERS, lambda s: f"{P}/destruction/{_task(s)}", lambda s: {},
         note="without the confirmation: nothing destroyed"),
    Rule("GET", f"{P}/destruction/<int:task_id>/act", MANAGERS, lambda s: f"{P}/destruction/{_task(s, executed=True)}/act"),
    Rule("GET", f"{P}/calendar", MANAGERS, lambda s: f"{P}/calendar"),
    Rule("POST", f"{P}/calendar", MANAGERS, lambda s: f"{P}/calendar", lambda s: {"day": "2026-02-24", "is_working": "1"},
         note="a working day made working: refused with 400, nothing recorded"),
    Rule("POST", f"{P}/calendar/<int:correction_id>/delete", MANAGERS,
         lambda s: f"{P}/calendar/{_correction(s)}/delete", lambda s: {}, note="without the confirmation: 400"),
]
