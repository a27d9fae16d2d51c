"""The summary sheet (сводная ведомость, REP-1) of a class for a period or the year: a page, an
A4 landscape PDF to sign and an XLSX file, all three from one `summary_sheet_queries.Sheet`
built live from the journal. The class teacher sees their own class; the academic office and
the director every class of the school (policy.can_view_class_results)."""
from __future__ import annotations

from flask import abort, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

import policy
from blueprints.reports import bp
from blueprints.reports import summary_sheet_queries as queries
from blueprints.reports import summary_sheet_xlsx as xlsx
from domain.periods import current_period
from domain.personal_data import MARKS_CATEGORIES
from extensions import db
from models import ClassGroup
from utils import audit, pd_access
from utils.pd_access import personal_data_view
from utils.printouts import Signer, certified_pdf, director_signer, short_name
from utils.timeutil import school_today

MARKS_PER_TABLE = 30  # an A4 landscape page holds about thirty columns of marks


def _class_group(class_id: int) -> ClassGroup:
    found = queries.load_class(class_id)
    return policy.checked(found, policy.can_view_class_results, current_user)


def _sheet(class_group: ClassGroup) -> queries.Sheet:
    wanted = request.args.get("period", "")
    if not wanted:  # the period under way (or the last one over), as the journal's pages open
        periods, _year = queries.sheet_periods(class_group)
        current = current_period(periods, school_today(class_group.school.timezone))
        wanted = str(current.id) if current else queries.YEAR
    sheet = queries.build_sheet(class_group, wanted)
    if sheet is None:
        abort(404)
    return sheet


def _require(sheet: queries.Sheet, what: str) -> None:
    # Summary forms with personal data go only to the staff named for progress (002:1.8, PD-3).
    pd_access.require(current_user, MARKS_CATEGORIES, students=[r.student_id for r in sheet.rows],
                      action="view" if what == "summary_sheet" else "print", what=what)


def _filename(sheet: queries.Sheet, ext: str) -> str:
    return f"summary-{sheet.class_id}-{sheet.period_key}.{ext}"


def _record_print(sheet: queries.Sheet, class_group: ClassGroup, document: str, code: str = "") -> None:
    # Every printed copy of personal data is registered (PD-4, 000:5.5.4).
    after = {"document": document, "period": sheet.period_key}
    if code:
        after["printout"] = code
    audit.record("summary_sheet", class_group.id, "print", after=after, school_id=class_group.school_id)
    db.session.commit()


@bp.get("/summary")
@login_required
def summary_index():
    """Pick a class and a period: the classes of the current year the user may see."""
    if not policy.can_view_results_list(current_user):
        abort(403)
    rows = queries.current_classes(current_user.school_id)
    classes = [c for c in rows if policy.can_view_class_results(current_user, c)]
    if not classes:
        abort(403)
    periods = queries.school_periods([c.year_id for c in classes])
    choices = [
        {"class": c, "periods": [p for p in periods if p.year_id == c.year_id and p.scheme == c.period_scheme]}
        for c in classes
    ]
    return render_template("reports/summary_index.html", choices=choices)


@bp.get("/classes/<int:class_id>/summary")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def summary_sheet(class_id: int):
    class_group = _class_group(class_id)
    sheet = _sheet(class_group)
    _require(sheet, "summary_sheet")
    periods, _year = queries.sheet_periods(class_group)
    return render_template(
        "reports/summary_sheet.html", sheet=sheet, periods=periods, title=xlsx.title(sheet),
        count_columns=xlsx.count_columns(sheet),
        may={"decisions": policy.can_view_decisions(current_user, class_group)},
    )


@bp.get("/classes/<int:class_id>/summary.pdf")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def summary_sheet_pdf(class_id: int):
    class_group = _class_group(class_id)
    sheet = _sheet(class_group)
    _require(sheet, "summary_sheet_pdf")
    # at most MARKS_PER_TABLE mark columns in one table: the year sheet prints in parts
    step = max(1, MARKS_PER_TABLE // max(len(sheet.mark_headers), 1))
    chunks = [sheet.columns[i:i + step] for i in range(0, len(sheet.columns), step)] or [[]]
    dates = f"{sheet.start.strftime('%d.%m.%Y')} – {sheet.end.strftime('%d.%m.%Y')}"
    # A certified printout (REP-4): recorded with its code, hash and the kept PDF.
    pdf, printout = certified_pdf(
        "pdf/summary_sheet.html", kind="summary_sheet", title=xlsx.title(sheet),
        period=(f"{sheet.title_period} ({dates})" if sheet.period_key != queries.YEAR
                else _("%(y)s учебный год (%(d)s)", y=sheet.year_name, d=dates)),
        signers=[Signer(_("Классный руководитель"), short_name(sheet.class_teacher_name)),
                 director_signer(class_group.school)],
        user=current_user, of={"class_id": class_group.id, "period_id": sheet.period_key},
        sheet=sheet, chunks=chunks, count_columns=xlsx.count_columns(sheet),
    )
    _record_print(sheet, class_group, "summary_sheet_pdf", printout.code)
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{_filename(sheet, "pdf")}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/classes/<int:class_id>/summary.xlsx")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def summary_sheet_xlsx(class_id: int):
    class_group = _class_group(class_id)
    sheet = _sheet(class_group)
    _require(sheet, "summary_sheet_xlsx")
    data = xlsx.workbook_bytes(sheet)
    _record_print(sheet, class_group, "summary_sheet_xlsx")
    response = make_response(data)
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(sheet, "xlsx")}"'
    response.headers["Cache-Control"] = "no-store"
    return response

