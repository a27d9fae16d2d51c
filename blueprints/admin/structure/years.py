"""Academic years, their periods and holidays (ADM-1, ADM-2). Views parse, load through
policy.load, call an operation, commit."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import bp
from blueprints.admin.common import admin_only, apply, edit_page
from blueprints.admin.structure import operations
from blueprints.admin.structure.forms import (
    SCHEME_LABELS,
    HolidayForm,
    PeriodEditForm,
    PeriodForm,
    YearForm,
)
from blueprints.admin.structure.helpers import (
    current_school,
    load_year,
    unbound,
)
from blueprints.main import labels
from extensions import db
from models import (
    AcademicYear,
    Holiday,
    StudyPeriod,
)

# Academic years --------------------------------------------------------------------------------


def _years_page(status: int = 200, form: FlaskForm | None = None):
    years = db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.school_id == current_user.school_id)
        .order_by(AcademicYear.start_date.desc())
    ).all()
    return render_template("admin/years.html", years=years, form=form or unbound(YearForm)), status


@bp.get("/years")
@admin_only
def years():
    return _years_page()


@bp.post("/years")
@admin_only
def year_open():
    form = YearForm()
    return apply(
        form,
        lambda: operations.open_year(current_school(), form.name.data, form.start_date.data, form.end_date.data),
        lambda status: _years_page(status, form),
        _("Учебный год открыт."),
        lambda year: url_for("admin.year", year_id=year.id),
    )


def _year_page(year: AcademicYear, status: int = 200, **forms: FlaskForm):
    year = db.session.scalar(
        select(AcademicYear)
        .where(AcademicYear.id == year.id)
        .options(selectinload(AcademicYear.periods), selectinload(AcademicYear.holidays))
    )
    by_scheme = {scheme: [p for p in year.periods if p.scheme == scheme] for scheme in SCHEME_LABELS}
    from blueprints.admin.structure.new_year_operations import next_year_name

    # What the page offers is what the operations allow: the year closes only after its end, and
    # a next year is opened from it once (afterwards the page leads to that year).
    next_year = db.session.scalar(
        select(AcademicYear).where(AcademicYear.school_id == year.school_id, AcademicYear.name == next_year_name(year))
    )
    context = {
        "closable": operations.year_closable(year),
        "next_year": next_year,
        "period_form": unbound(PeriodForm),
        "holiday_form": unbound(HolidayForm),
        "may_close": policy.can_close_year(current_user, year),
        **forms,
    }
    return render_template("admin/year.html", year=year, by_scheme=by_scheme, **context), status


@bp.get("/years/<int:year_id>")
@admin_only
def year(year_id: int):
    return _year_page(load_year(year_id))


@bp.post("/years/<int:year_id>/current")
@admin_only
def year_make_current(year_id: int):
    year = load_year(year_id)
    return apply(
        None,
        lambda: operations.make_current(year),
        lambda status: _year_page(year, status),
        _("Учебный год %(name)s стал текущим.", name=year.name),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/years/<int:year_id>/periods")
@admin_only
def period_add(year_id: int):
    year = load_year(year_id)
    form = PeriodForm()
    return apply(
        form,
        lambda: operations.add_period(
            year, form.scheme.data, form.number.data, form.name.data or "", form.start_date.data, form.end_date.data
        ),
        lambda status: _year_page(year, status, period_form=form),
        _("Период добавлен."),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/years/<int:year_id>/quarters")
@admin_only
def quarters_fill(year_id: int):
    year = load_year(year_id)
    return apply(
        None,
        lambda: operations.fill_standard_quarters(year),
        lambda status: _year_page(year, status),
        _("Четверти и каникулы заполнены; проверьте даты по приказу вашего региона."),
        url_for("admin.year", year_id=year_id),
    )


@bp.route("/periods/<int:period_id>/edit", methods=["GET", "POST"])
@admin_only
def period_edit(period_id: int):
    period = policy.load(StudyPeriod, period_id, policy.owns_period, current_user)
    form = PeriodEditForm(obj=period)
    return edit_page(
        form,
        lambda: operations.update_period(
            period, form.number.data, form.name.data or "", form.start_date.data, form.end_date.data
        ),
        title=_("Период: %(name)s", name=period.name),
        subtitle=f"{labels.label(period.scheme, 'period_scheme')}, {period.year.name}",
        back_url=url_for("admin.year", year_id=period.year_id),
        success=_("Период сохранён."),
    )


@bp.post("/years/<int:year_id>/holidays")
@admin_only
def holiday_add(year_id: int):
    year = load_year(year_id)
    form = HolidayForm()
    return apply(
        form,
        lambda: operations.add_holiday(year, form.name.data, form.start_date.data, form.end_date.data),
        lambda status: _year_page(year, status, holiday_form=form),
        _("Каникулы добавлены."),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/holidays/<int:holiday_id>/delete")
@admin_only
def holiday_delete(holiday_id: int):
    holiday = policy.load(Holiday, holiday_id, policy.owns_holiday, current_user)
    year = holiday.year
    return apply(
        None,
        lambda: operations.delete_holiday(holiday),
        lambda status: _year_page(year, status),
        _("Каникулы удалены."),
        url_for("admin.year", year_id=year.id),
    )
