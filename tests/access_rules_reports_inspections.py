"""Access rules of the inspections of journal keeping (REP-3, 002:5.2): the methodist, the
deputy and the director record; the teacher of the journal corrects a remark; the inspector (or
the director) confirms or returns it; the academic office reads the lists."""
from tests.access import OFFICE, Rule

INSPECTORS = frozenset({"director", "deputy", "methodist"})


def inspection_of_maths_5a(s, status="open"):
    """An inspection of the maths journal of 5А by the deputy with one remark in `status`,
    created for the rule's URL (the matrix counts rows after the URL is built)."""
    from extensions import db
    from models import Inspection, InspectionRemark
    from tests.clock import TODAY

    inspection = Inspection(school_id=s.school.id, assignment_id=s.maths_5a.id, inspector_id=s.deputy.id,
                            kind="deputy", date=TODAY, scope="Темы уроков, домашние задания", correct_by=TODAY)
    inspection.remarks = [InspectionRemark(position=1, item="Темы уроков", remark="Нет темы 20.11", status=status)]
    db.session.add(inspection)
    db.session.commit()
    return inspection


RULES = [
    Rule("GET", "/reports/inspections", OFFICE, lambda s: "/reports/inspections"),
    Rule("GET", "/reports/inspections/overdue", OFFICE, lambda s: "/reports/inspections/overdue"),
    Rule("GET", "/reports/inspections/new", INSPECTORS, lambda s: f"/reports/inspections/new?assignment_id={s.maths_5a.id}"),
    Rule(
        "POST",
        "/reports/inspections/new",
        INSPECTORS,
        lambda s: "/reports/inspections/new",
        lambda s: {"assignment_id": s.maths_5a.id, "kind": "methodist", "date": "2000-01-01", "scope": "Проверка"},
        note="the journal administrator reads every journal but does not inspect (002:5.2)",
    ),
    Rule(
        "GET",
        "/reports/inspections/<int:inspection_id>",
        OFFICE | {"maths_teacher"},
        lambda s: f"/reports/inspections/{inspection_of_maths_5a(s).id}",
        note="the academic office and the teacher of the inspected journal",
    ),
    Rule(
        "POST",
        "/reports/remarks/<int:remark_id>/correct",
        frozenset({"maths_teacher"}),
        lambda s: f"/reports/remarks/{inspection_of_maths_5a(s).remarks[0].id}/correct",
        note="only the teacher of the journal",
    ),
    Rule(
        "POST",
        "/reports/remarks/<int:remark_id>/confirm",
        frozenset({"deputy", "director"}),
        lambda s: f"/reports/remarks/{inspection_of_maths_5a(s, 'corrected').remarks[0].id}/confirm",
        note="the inspector who made the remark, or the director",
    ),
    Rule(
        "POST",
        "/reports/remarks/<int:remark_id>/return",
        frozenset({"deputy", "director"}),
        lambda s: f"/reports/remarks/{inspection_of_maths_5a(s, 'corrected').remarks[0].id}/return",
    ),
]
