"""Closing a school year (ARC-1): the director's checklist page and the closing itself. The
operation lives in year_closing_operations; the view parses, checks, calls it and commits."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

import policy
from blueprints.admin import bp
from blueprints.admin.common import admin_only
from blueprints.admin.structure import year_closing_operations as closing
from blueprints.admin.structure.forms import CloseYearForm
from blueprints.admin.structure.helpers import load_year
from blueprints.admin.structure.operations import year_closable
from domain.messages import Refusal
from extensions import db
from models import AcademicYear


def _page(year: AcademicYear, form: CloseYearForm, status: int = 200, items=None):
    items = items if items is not None else ([] if year.is_closed else closing.checklist(year))
    return render_template(
        "admin/year_close.html", year=year, form=form, items=items,
        all_ok=all(i.ok for i in items), closable=year_closable(year), history=closing.closings(year),
    ), status


def _load(year_id: int) -> AcademicYear:
    year = load_year(year_id)
    if not policy.can_close_year(current_user, year):
        abort(403)
    return year


@bp.get("/years/<int:year_id>/close")
@admin_only
def year_close_checklist(year_id: int):
    return _page(_load(year_id), CloseYearForm(formdata=None))


@bp.post("/years/<int:year_id>/close")
@admin_only
def year_close(year_id: int):
    year = _load(year_id)
    form = CloseYearForm()
    if not form.validate_on_submit():
        flash(_("Отметьте подтверждение закрытия года."), "error")
        return _page(year, form, 400)
    try:
        closing.close_year(year, current_user)
        db.session.commit()
    except closing.ChecklistUnmet as error:
        db.session.rollback()
        flash(_(error.message, **error.params), "error")
        return _page(year, form, error.status, error.items)
    except Refusal as error:
        db.session.rollback()
        flash(_(error.message, **error.params), "error")
        return _page(year, form, error.status)
    flash(_("Учебный год %(name)s закрыт.", name=year.name), "success")
    return redirect(url_for("admin.year", year_id=year.id))
