"""Access rules for the statistics of study (REP-2, issue 12 item 2): the deputy, the methodist
and the director see every class; a class teacher only their own class (the primary teacher,
class teacher of 1А, is refused 5А); nobody else — not the journal administrator, not the
subject teachers. The family's chart is a diary page, open exactly as the diary's others."""
from tests.access import Rule
from tests.access_rules_diary import VIEW_PUPIL_5A

STATISTICS_OFFICE = frozenset({"director", "deputy", "methodist"})
CLASS_5A = STATISTICS_OFFICE | {"maths_teacher"}

RULES = [
    Rule("GET", "/reports/statistics", CLASS_5A, lambda s: f"/reports/statistics?class={s.class_5a.id}",
         note="a class teacher of another class (primary_teacher) gets 403"),
    Rule("GET", "/reports/statistics/dynamics", CLASS_5A,
         lambda s: f"/reports/statistics/dynamics?student={s.pupils_5a[0].id}"),
    Rule("GET", "/diary/students/<int:student_id>/dynamics", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{s.pupils_5a[0].id}/dynamics"),
]
