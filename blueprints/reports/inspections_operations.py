"""Use cases of the inspections (REP-3): record an inspection with its remarks, mark a remark
corrected (the teacher), confirm or return it (the inspector). Each writes its audit row in the
same transaction (utils/audit.py) and only flushes; the view commits. Rules are domain/
inspections.py; a broken rule is a `Refusal`."""
from __future__ import annotations

from datetime import date

from domain import inspections as rules
from extensions import db
from models import Inspection, InspectionRemark, TeachingAssignment, User
from models.base import utcnow
from utils import audit


def _remark_state(remark: InspectionRemark) -> dict:
    return {"status": remark.status, "item": remark.item}


def record_inspection(assignment: TeachingAssignment, inspector: User, *, kind: str, day: date, today: date,
                      scope: str, correct_by: date | None, remarks: list[tuple[str, str]]) -> Inspection:
    rules.check_new_inspection(kind, rules.inspector_kinds(inspector.roles), day, today, correct_by, remarks)
    inspection = Inspection(
        school_id=assignment.school_id, assignment_id=assignment.id, inspector_id=inspector.id, kind=kind,
        date=day, scope=scope.strip(), correct_by=correct_by, status=rules.inspection_status(["open"] * len(remarks)),
    )
    inspection.remarks = [
        InspectionRemark(position=n, item=item[:200], remark=text, status="open")
        for n, (item, text) in enumerate(remarks, start=1)
    ]
    db.session.add(inspection)
    db.session.flush()
    audit.record(
        "inspection", inspection.id, "create", school_id=assignment.school_id, user_id=inspector.id,
        after={"assignment_id": assignment.id, "kind": kind, "date": day.isoformat(), "scope": inspection.scope,
               "correct_by": correct_by.isoformat() if correct_by else None,
               "remarks": [{"item": r.item, "remark": r.remark} for r in inspection.remarks]},
    )
    return inspection


def change_remark(remark: InspectionRemark, user: User, action: str) -> InspectionRemark:
    """`action`: correct (the teacher), confirm or return (the inspector)."""
    before = _remark_state(remark)
    remark.status = rules.check_transition(remark.status, action)
    now = utcnow()
    if action == "correct":
        remark.corrected_at, remark.corrected_by_id = now, user.id
    elif action == "confirm":
        remark.confirmed_at, remark.confirmed_by_id = now, user.id
    else:  # returned: the correction is not accepted, the teacher corrects again
        remark.corrected_at = remark.corrected_by_id = None
    inspection = remark.inspection
    db.session.flush()
    inspection.status = rules.inspection_status(r.status for r in inspection.remarks)
    audit.record(
        "inspection_remark", remark.id, action, school_id=inspection.school_id, user_id=user.id,
        before=before, after=_remark_state(remark) | {"inspection_id": inspection.id},
    )
    db.session.flush()
    return remark
