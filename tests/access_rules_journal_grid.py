"""Access rules of the grid: the teacher of an assignment writes it; the class teacher and the
academic office read it; nobody else (ADM-6)."""
from tests.access import OFFICE, Rule
from tests.clock import school_date

MATHS_5A_READERS = OFFICE | {"maths_teacher"}  # maths_teacher teaches it and is 5А's class teacher


def _lesson(s):
    from sqlalchemy import select

    from blueprints.journal import operations
    from extensions import db
    from models import Lesson

    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == s.maths_5a.id))
    if lesson is None:

        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 20), 2, "Дроби")
        db.session.commit()
    return lesson


RULES = [
    Rule("GET", "/journal/assignments/<int:assignment_id>", MATHS_5A_READERS, lambda s: f"/journal/assignments/{s.maths_5a.id}"),
    Rule("POST", "/journal/assignments/<int:assignment_id>/lessons", frozenset({"maths_teacher"}),
         lambda s: f"/journal/assignments/{s.maths_5a.id}/lessons", lambda s: {"lesson-date": str(school_date(2026, 11, 21))}),
    Rule("PUT", "/journal/lessons/<int:lesson_id>/cells/<int:student_id>", frozenset({"maths_teacher"}),
         lambda s: f"/journal/lessons/{_lesson(s).id}/cells/{s.pupils_5a[0].id}", lambda s: {"value": "5"}),
    Rule("POST", "/journal/lessons/<int:lesson_id>/fill", frozenset({"maths_teacher"}),
         lambda s: f"/journal/lessons/{_lesson(s).id}/fill", lambda s: {"value": "5"}),
    Rule("GET", "/journal/lessons/<int:lesson_id>/cells/<int:student_id>/history", MATHS_5A_READERS,
         lambda s: f"/journal/lessons/{_lesson(s).id}/cells/{s.pupils_5a[0].id}/history"),
]
