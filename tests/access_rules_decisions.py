"""Access rules of the year's end (REP-5, REP-6): the director and the deputy enter the council's
decisions and record retakes of academic debts; the class teacher of 5А (maths_teacher) reads
their class's decisions and their students' debts; nobody else — not the methodist, not the
journal or technical administrator, not a teacher of the class's subjects, not a family."""
from tests.access import Rule

DECIDERS = frozenset({"director", "deputy"})
CLASS_5A = DECIDERS | {"maths_teacher"}


def debt_of_5a(s):
    """A conditional promotion of the first 5А student with a maths debt, for the rule's URL."""
    from sqlalchemy import select

    from extensions import db
    from models.archive import CouncilDecision
    from models.debts import AcademicDebt

    found = db.session.scalar(select(AcademicDebt).where(AcademicDebt.student_id == s.pupils_5a[0].id))
    if found is not None:  # the URL is built once per user
        return found
    decision = db.session.scalar(select(CouncilDecision).where(
        CouncilDecision.year_id == s.year.id, CouncilDecision.student_id == s.pupils_5a[0].id))
    if decision is None:  # a walk that prepared the year's decisions already has one
        decision = CouncilDecision(school_id=s.school.id, year_id=s.year.id, student_id=s.pupils_5a[0].id,
                                   class_id=s.class_5a.id, decision="promoted_conditionally", protocol_number="7")
        db.session.add(decision)
    decision.decision = "promoted_conditionally"
    db.session.flush()
    debt = AcademicDebt(school_id=s.school.id, year_id=s.year.id, student_id=s.pupils_5a[0].id,
                        subject_id=s.maths.id, decision_id=decision.id, original_mark="2", status="open")
    db.session.add(debt)
    db.session.commit()
    return debt


RULES = [
    Rule("GET", "/reports/classes/<int:class_id>/decisions", CLASS_5A,
         lambda s: f"/reports/classes/{s.class_5a.id}/decisions"),
    Rule("POST", "/reports/classes/<int:class_id>/decisions", DECIDERS,
         lambda s: f"/reports/classes/{s.class_5a.id}/decisions", lambda s: {"protocol_number": ""},
         note="an empty submission answers 400 to those who may"),
    Rule("GET", "/reports/debts", DECIDERS, lambda s: "/reports/debts"),
    Rule("GET", "/reports/students/<int:student_id>/debts", CLASS_5A,
         lambda s: f"/reports/students/{s.pupils_5a[0].id}/debts"),
    Rule("POST", "/reports/debts/<int:debt_id>/retakes", DECIDERS,
         lambda s: f"/reports/debts/{debt_of_5a(s).id}/retakes", lambda s: {"result": ""},
         note="an incomplete retake answers 400 to those who may"),
]
