"""Access rules for the register of disclosures (PD-4) and the subjects' requests (PD-7):
the register is kept by the director and the journal administrator; a parent sees and asks
about their own child only; correction requests are decided by the class teacher of the
child's class and the administrators (blueprints/personal_data/disclosures.py, requests.py)."""

from __future__ import annotations

from tests.access import ADMINS, Rule
from tests.clock import school_date

P = "/personal-data"
REGISTER = frozenset({"admin", "director"})  # journal_admin and director
# Петров Пётр is in 5А, whose class teacher is maths_teacher.
FAMILY_RECORDS_5A = ADMINS | {"maths_teacher"}
CORRECTION_HANDLERS = ADMINS | {"maths_teacher", "primary_teacher"}


def _pupil(s) -> int:
    return s.pupils_5a[0].id


def _extract_id(s) -> int:
    """An answered extract request of parent_a about Петров Пётр."""
    from extensions import db
    from models.pd_requests import SubjectRequest

    if not hasattr(s, "_pd_extract_id"):
        row = SubjectRequest(school_id=s.school.id, student_id=_pupil(s), requested_by_id=s.parent_a.id,
                             kind="extract", due_on=school_date(2026, 12, 11))
        db.session.add(row)
        db.session.commit()
        s._pd_extract_id = row.id
    return s._pd_extract_id


def _correction_id(s) -> int:
    """A pending correction request of parent_a about Петров Пётр (a fresh one each time)."""
    from extensions import db
    from models.pd_requests import CorrectionRequest

    row = CorrectionRequest(school_id=s.school.id, student_id=_pupil(s), requested_by_id=s.parent_a.id,
                            field="middle_name", value="Петрович", due_on=school_date(2026, 12, 29))
    db.session.add(row)
    db.session.commit()
    return row.id


RULES = [
    Rule("GET", f"{P}/disclosures", REGISTER, lambda s: f"{P}/disclosures"),
    Rule("GET", f"{P}/disclosures/print.pdf", REGISTER, lambda s: f"{P}/disclosures/print.pdf"),
    Rule("GET", f"{P}/disclosures/export.<fmt>", REGISTER, lambda s: f"{P}/disclosures/export.csv"),
    Rule("GET", f"{P}/disclosures/new", REGISTER, lambda s: f"{P}/disclosures/new"),
    Rule(
        "POST", f"{P}/disclosures/new", REGISTER, lambda s: f"{P}/disclosures/new",
        lambda s: {"on": str(school_date(2026, 11, 20)), "document": "Список класса", "categories": ["1.1"],
                   "students": [_pupil(s)], "recipient": "Поликлиника № 1", "purpose": "Медосмотр"},
    ),
    Rule("GET", f"{P}/my/students/<int:student_id>", frozenset({"parent_a"}), lambda s: f"{P}/my/students/{_pupil(s)}"),
    Rule(
        "POST", f"{P}/my/students/<int:student_id>/corrections", frozenset({"parent_a"}),
        lambda s: f"{P}/my/students/{_pupil(s)}/corrections",
        lambda s: {"field": "middle_name", "value": "Петрович", "comment": ""},
    ),
    Rule("POST", f"{P}/my/students/<int:student_id>/extract", frozenset({"parent_a"}),
         lambda s: f"{P}/my/students/{_pupil(s)}/extract"),
    Rule("GET", f"{P}/my/requests/<int:request_id>/extract.<fmt>", frozenset({"parent_a"}),
         lambda s: f"{P}/my/requests/{_extract_id(s)}/extract.json"),
    Rule("GET", f"{P}/corrections", CORRECTION_HANDLERS, lambda s: f"{P}/corrections"),
    Rule("POST", f"{P}/corrections/<int:correction_id>/apply", FAMILY_RECORDS_5A,
         lambda s: f"{P}/corrections/{_correction_id(s)}/apply"),
    Rule("POST", f"{P}/corrections/<int:correction_id>/reject", FAMILY_RECORDS_5A,
         lambda s: f"{P}/corrections/{_correction_id(s)}/reject", lambda s: {"reason": "Не подтверждено документом"}),
]
