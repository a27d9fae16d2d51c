"""Access rules for closing periods and the academic office's reasoned corrections (JRN-8):
the deputy, the director and the journal administrator close; only the director reopens;
the deputy and the director correct a closed period; teachers, parents and students never."""
from tests.access import Rule

CLOSERS = frozenset({"admin", "director", "deputy"})  # admin holds journal_admin
CORRECTORS = frozenset({"director", "deputy"})


def _closure(s):
    """A closure of the first quarter (already over) for 5Б, to reopen."""
    from datetime import timezone

    from sqlalchemy import select

    from extensions import db
    from models import PeriodClosure
    from tests.clock import school_moment

    closure = db.session.scalar(select(PeriodClosure).where(PeriodClosure.class_id == s.class_5b.id))
    if closure is None:
        closure = PeriodClosure(school_id=s.school.id, period_id=s.quarters[0].id, class_id=s.class_5b.id,
                                closed_at=school_moment(2026, 11, 2, 9).astimezone(timezone.utc),
                                closed_by_id=s.deputy.id, notes="")
        db.session.add(closure)
        db.session.commit()
    return closure


def _lesson(s):
    from tests.access_rules_journal_grid import _lesson as grid_lesson

    return grid_lesson(s)


def _pm_url(s):
    return f"/journal/assignments/{s.maths_5a.id}/periods/{s.quarters[0].id}/students/{s.pupils_5a[0].id}/correction"


RULES = [
    Rule("GET", "/journal/closing", CLOSERS, lambda s: "/journal/closing"),
    Rule("POST", "/journal/closing/periods/<int:period_id>/close", CLOSERS,
         lambda s: f"/journal/closing/periods/{s.quarters[0].id}/close", lambda s: {"class_id": str(s.class_5a.id)}),
    Rule("POST", "/journal/closing/closures/<int:closure_id>/reopen", frozenset({"director"}),
         lambda s: f"/journal/closing/closures/{_closure(s).id}/reopen", lambda s: {"reason": "проверка доступа"}),
    Rule("POST", "/journal/lessons/<int:lesson_id>/cells/<int:student_id>/correction", CORRECTORS,
         lambda s: f"/journal/lessons/{_lesson(s).id}/cells/{s.pupils_5a[0].id}/correction",
         lambda s: {"value": "5", "reason": "проверка доступа"}),
    Rule("GET", "/journal/assignments/<int:assignment_id>/periods/<int:period_id>/students/<int:student_id>/correction",
         CORRECTORS, _pm_url),
    Rule("POST", "/journal/assignments/<int:assignment_id>/periods/<int:period_id>/students/<int:student_id>/correction",
         CORRECTORS, _pm_url, lambda s: {"value": "5", "reason": "проверка доступа"}),
]
