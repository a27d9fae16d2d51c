"""Access rules for the summary sheet (REP-1): the class teacher of 5А (maths_teacher) for their
own class, the academic office and the director for every class; nobody else — not the journal
or technical administrator, not a teacher of the class's subjects, not a family."""
from tests.access import Rule

RESULTS_OFFICE = frozenset({"director", "deputy", "methodist"})
CLASS_5A = frozenset({"maths_teacher"}) | RESULTS_OFFICE

RULES = [
    Rule("GET", "/reports/summary", CLASS_5A | {"primary_teacher"}, lambda s: "/reports/summary",
         note="class teachers see their own classes in the list"),
    Rule("GET", "/reports/classes/<int:class_id>/summary", CLASS_5A,
         lambda s: f"/reports/classes/{s.class_5a.id}/summary?period={s.quarters[1].id}"),
    Rule("GET", "/reports/classes/<int:class_id>/summary.pdf", CLASS_5A,
         lambda s: f"/reports/classes/{s.class_5a.id}/summary.pdf?period={s.quarters[1].id}"),
    Rule("GET", "/reports/classes/<int:class_id>/summary.xlsx", CLASS_5A,
         lambda s: f"/reports/classes/{s.class_5a.id}/summary.xlsx?period=year"),
]
