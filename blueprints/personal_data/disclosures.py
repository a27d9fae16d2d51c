"""The register of disclosures of personal data (PD-4, 000:5.5.4): read, searched, printed
(a certified printout) and exported by the director and the journal administrator, who also
enter the paper transfers by hand. Printing and exporting the register is itself recorded in it."""
from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import policy
from blueprints.admin.queries import current_year
from blueprints.personal_data import bp
from blueprints.personal_data import disclosures_operations as ops
from blueprints.personal_data.disclosures_labels import KIND_LABELS
from domain.messages import N_, Refusal
from extensions import db
from models.personal_data import CONSENT_CATEGORIES
from utils import disclosures, pd_access, refusals
from utils.paging import page_number, paginate
from utils.printouts import Signer, certified_pdf, director_signer, short_name
from utils.timeutil import school_today

PAGE_SIZE = 50
# The register names the students (1.1) whose data each row carried.
REGISTER_CATEGORIES = ("1.1",)


def _tz() -> str:
    return current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"]


def _keeper():
    user = current_user._get_current_object()
    if not policy.can_keep_disclosure_register(user):
        abort(403)
    return user


@bp.get("/disclosures")
@login_required
@pd_access.personal_data_view(*REGISTER_CATEGORIES)
def disclosures_register():
    user = _keeper()
    f = ops.filters_from(request.args)
    page = paginate(ops.register_query(user.school_id, f, _tz()), page_number(request.args.get("page")), PAGE_SIZE)
    students = {s.student_id for d in page.items for s in d.subjects}
    pd_access.require(user, REGISTER_CATEGORIES, students=students, action="view", what=_("Журнал передачи ПДн"))
    html = render_template(
        "personal_data/disclosures.html", page=page, f=f, kinds=KIND_LABELS, who=ops.who_choices(user.school_id),
        tz=_tz(), local_text=ops.local_text,
    )
    db.session.commit()  # the access log entry; after rendering, which reads the loaded rows
    return html


def _printed_rows(user):
    f = ops.filters_from(request.args)
    return f, ops.all_rows(user.school_id, f, _tz())


def _period_text(f: ops.Filters) -> str:
    if f.date_from or f.date_to:
        start = f.date_from.strftime("%d.%m.%Y") if f.date_from else "…"
        end = f.date_to.strftime("%d.%m.%Y") if f.date_to else "…"
        return f"{start} – {end}"
    return _("все записи")


@bp.get("/disclosures/print.pdf")
@login_required
@pd_access.personal_data_view(*REGISTER_CATEGORIES)
def disclosures_print():
    user = _keeper()
    try:
        f, rows = _printed_rows(user)
    except Refusal as refusal:
        return refusals.back_to(url_for("personal_data.disclosures_register", **request.args), refusal)
    students, categories = ops.subjects_and_categories(rows)
    pd_access.require(user, REGISTER_CATEGORIES, students=students, action="print", what=_("Журнал передачи ПДн (печать)"))
    headers, body = ops.table(rows, _tz())
    title = _("Журнал учёта передачи персональных данных")
    pdf, printout = certified_pdf(
        "pdf/disclosures.html", kind="disclosures", title=title, period=_period_text(f),
        signers=[Signer(_("Ответственный за обработку ПДн"), short_name(user.full_name)), director_signer(user.school)],
        user=user, of={"filters": request.args.to_dict()}, headers=headers, body=body,
    )
    disclosures.record(
        "print", document=title, categories=categories, students=students, recipient=_("для служебного пользования"),
        purpose=_("Печать журнала учёта передачи персональных данных"), ground=_("152-ФЗ ст. 18.1, 19"),
        user=user, printout_id=printout.id,
    )
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="disclosures.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/disclosures/export.<fmt>")
@login_required
@pd_access.personal_data_view(*REGISTER_CATEGORIES)
def disclosures_export(fmt: str):
    user = _keeper()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    try:
        _f, rows = _printed_rows(user)
    except Refusal as refusal:
        return refusals.back_to(url_for("personal_data.disclosures_register", **request.args), refusal)
    students, categories = ops.subjects_and_categories(rows)
    pd_access.require(user, REGISTER_CATEGORIES, students=students, action="export", what=_("Журнал передачи ПДн (выгрузка)"))
    headers, body = ops.table(rows, _tz())
    if fmt == "csv":
        data, mimetype = ops.export_csv(headers, body), "text/csv"
    else:
        data = ops.export_xlsx(headers, body)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disclosures.record(
        "export", document=_("Журнал учёта передачи персональных данных (%(fmt)s)", fmt=fmt), categories=categories,
        students=students, recipient=_("для служебного пользования"),
        purpose=_("Выгрузка журнала учёта передачи персональных данных"), ground=_("152-ФЗ ст. 18.1, 19"), user=user,
    )
    db.session.commit()
    response = make_response(data)
    response.mimetype = mimetype
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="disclosures.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _int_list(values) -> list[int]:
    out = []
    for raw in values:
        value = _int(raw)
        if value is None:
            abort(400)
        out.append(value)
    return out


@bp.route("/disclosures/new", methods=["GET", "POST"])
@login_required
@pd_access.personal_data_view(*REGISTER_CATEGORIES)
def disclosures_new():
    """A transfer on paper entered by hand: pick a class, then its students."""
    user = _keeper()
    today = school_today(_tz())
    source = request.form if request.method == "POST" else request.args
    class_id = _int(source.get("class_id"))
    year = current_year(user.school_id)
    classes = ops.school_classes(user.school_id, year.id if year else None)
    if class_id is not None and class_id not in {c.id for c in classes}:
        abort(404)
    students = ops.class_students(user.school_id, class_id)
    error, status = "", 200
    if request.method == "POST":
        on = ops._date(request.form.get("on"))
        try:
            if on is None:
                raise Refusal(N_("Укажите дату передачи."))
            ops.record_paper(
                user, on=on, document=request.form.get("document", "")[:300],
                categories=request.form.getlist("categories"), student_ids=_int_list(request.form.getlist("students")),
                recipient=request.form.get("recipient", "")[:300], purpose=request.form.get("purpose", "")[:2000],
                ground=request.form.get("ground", "")[:300], tz=_tz(), today=today,
            )
        except Refusal as refusal:
            if refusal.status == 404:
                db.session.rollback()
                abort(404)
            error, status = refusals.undo(refusal), refusal.status
        else:
            db.session.commit()
            return redirect(url_for("personal_data.disclosures_register"), 303)
    return (
        render_template(
            "personal_data/disclosure_new.html", classes=classes, class_id=class_id, students=students,
            categories=CONSENT_CATEGORIES, form=source, chosen=set(source.getlist("students")),
            chosen_categories=set(source.getlist("categories")), today=today, error=error,
        ),
        status,
    )
