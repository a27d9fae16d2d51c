"""The statistics of a period as a certified printout (REP-2, REP-4): the tables of the page
(statistics.py, the same filters and figures) on A4 landscape, signed by whoever prints them.
The SVG charts are not printed (xhtml2pdf draws no SVG); their numbers are the tables."""
from __future__ import annotations

from flask import make_response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.auth.access import roles_required
from blueprints.reports import bp
from blueprints.reports.statistics import STATISTICS_READERS, period_statistics
from domain import statistics as rules
from extensions import db
from utils import audit
from utils.printouts import Signer, certified_pdf, short_name

SIGNER_ROLES = (  # the printing user's role on the signature line, the highest first
    ("director", _l("Директор")),
    ("deputy", _l("Заместитель директора")),
    ("methodist", _l("Методист")),
)


def _risk_summary(risks: list[rules.Risk], subject, expected_marks: int) -> str:
    """One student's reasons, grouped by kind so a long list stays a few lines on paper:
    «мало отметок (нужно не меньше 3): Математика — 1, Русский язык — 0; средний балл ниже
    порога: Физика — 2,40; без уважительной причины пропущено уроков: 9»."""
    few = [f"{subject(r.assignment_id)} — {r.detail}" for r in risks if r.kind == rules.RISK_FEW_MARKS]
    low = [f"{subject(r.assignment_id)} — {r.detail.replace('.', ',')}" for r in risks if r.kind == rules.RISK_LOW_AVERAGE]
    unexcused = [r.detail for r in risks if r.kind == rules.RISK_UNEXCUSED]
    parts = []
    if few:
        parts.append(_("мало отметок (к этому дню нужно не меньше %(n)s): %(list)s", n=expected_marks, list=", ".join(few)))
    if low:
        parts.append(_("средний балл ниже порога отметки «3»: %(list)s", list=", ".join(low)))
    if unexcused:
        parts.append(_("без уважительной причины пропущено уроков: %(n)s", n=", ".join(unexcused)))
    return "; ".join(parts)


def _signer() -> Signer:
    role = next((str(label) for code, label in SIGNER_ROLES if current_user.has_role(code)), None)
    return Signer(role or _("Классный руководитель"), short_name(current_user.full_name))


@bp.get("/statistics.pdf")
@roles_required(*STATISTICS_READERS)
def statistics_pdf():
    """The page's tables (by class, parallel, subject, teacher; the students at risk) as a PDF."""
    _year, period, whole_school, stats = period_statistics()
    scope = _("вся школа") if whole_school and len(stats.classes) != 1 else ", ".join(c.name for c in stats.classes)
    dates = f"{period.start_date.strftime('%d.%m.%Y')} – {stats.until.strftime('%d.%m.%Y')}"
    class_names = {c.id: c.name for c in stats.classes}
    assignments = {a.id: a for a in stats.assignments}

    def subject(assignment_id):
        a = assignments.get(assignment_id)
        return f"{a.subject.name}{f' ({a.subgroup.name})' if a.subgroup else ''}" if a else ""

    risks = [
        (item.student.full_name, class_names.get(item.student.current_class_id, ""),
         _risk_summary(item.risks, subject, stats.expected_marks))
        for item in stats.at_risk
    ]
    pdf, printout = certified_pdf(
        "pdf/statistics.html", kind="statistics",
        title=_("Статистика успеваемости и посещаемости: %(scope)s", scope=scope),
        period=f"{period.name} ({dates})", signers=[_signer()], user=current_user,
        of={"period_id": period.id, "class_ids": sorted(c.id for c in stats.classes)},
        stats=stats, period_obj=period, official=stats.has_period_marks, risks=risks,
    )
    # Every printed copy of personal data (the students at risk) is registered (PD-4, 000:5.5.4).
    audit.record("statistics", period.id, "print", after={"document": "statistics_pdf", "printout": printout.code},
                 school_id=current_user.school_id)
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="statistics-{period.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
