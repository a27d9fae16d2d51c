"""Access rules for period marks, deadlines and control, the class pages and the printed
journal page (JRN-6, JRN-7, ADM-6, REP-4)."""
from tests.access import OFFICE, TEACHERS, Rule
from tests.clock import school_date

CLASS_5A = frozenset({"maths_teacher"}) | OFFICE  # its class teacher and the academic office

RULES = [
    Rule(
        "PUT",
        "/journal/assignments/<int:assignment_id>/periods/<int:period_id>/students/<int:student_id>",
        frozenset({"maths_teacher"}),
        lambda s: f"/journal/assignments/{s.maths_5a.id}/periods/{s.quarters[1].id}/students/{s.pupils_5a[1].id}",
        lambda s: {"value": "5", "reason": "проверка доступа"},
        note="only the subject's teacher; the class teacher of another subject is refused",
    ),
    Rule("GET", "/journal/overdue", TEACHERS, lambda s: "/journal/overdue"),
    Rule("GET", "/journal/control", OFFICE, lambda s: "/journal/control"),
    Rule("GET", "/journal/classes/<int:class_id>", CLASS_5A, lambda s: f"/journal/classes/{s.class_5a.id}"),
    Rule(
        "GET",
        "/journal/classes/<int:class_id>/attendance",
        CLASS_5A,
        lambda s: f"/journal/classes/{s.class_5a.id}/attendance?date={school_date(2026, 11, 20)}",
    ),
    Rule(
        "POST",
        "/journal/classes/<int:class_id>/attendance",
        frozenset({"maths_teacher"}),
        lambda s: f"/journal/classes/{s.class_5a.id}/attendance?date={school_date(2026, 11, 20)}",
        lambda s: {f"code-{s.pupils_5a[1].id}": "absent"},
        note="the academic office reads the day but does not record it",
    ),
    Rule(
        "POST",
        "/journal/classes/<int:class_id>/attendance/planned",
        frozenset({"maths_teacher"}),
        lambda s: f"/journal/classes/{s.class_5a.id}/attendance/planned?date={school_date(2026, 11, 20)}",
        lambda s: {"student_id": s.pupils_5a[1].id, "date_from": school_date(2026, 11, 20).isoformat(),
                   "date_to": school_date(2026, 11, 21).isoformat(), "code": "ill"},
        note="only the class teacher marks days in advance",
    ),
    Rule(
        "GET",
        "/journal/assignments/<int:assignment_id>/print",
        frozenset({"maths_teacher"}) | OFFICE,
        lambda s: f"/journal/assignments/{s.maths_5a.id}/print",
    ),
]
