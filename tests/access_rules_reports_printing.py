"""Access rules for the certified printouts of the results of study (REP-2, REP-4, issue 12
part C2): the statistics' PDF is open exactly as the statistics page — the deputy, the
methodist and the director every class, a class teacher their own class only (the primary
teacher, class teacher of 1А, is refused 5А); nobody else."""
from tests.access import Rule
from tests.access_rules_reports_statistics import CLASS_5A

RULES = [
    Rule("GET", "/reports/statistics.pdf", CLASS_5A, lambda s: f"/reports/statistics.pdf?class={s.class_5a.id}",
         note="as /reports/statistics: a class teacher of another class (primary_teacher) gets 403"),
]
