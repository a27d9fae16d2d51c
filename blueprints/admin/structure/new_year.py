"""«Открыть новый учебный год на основе текущего» (ADM-1, issue 10 item 5): a preview that
stores nothing, then one commit. The use case is in new_year_operations.py."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only
from blueprints.admin.structure.new_year_operations import REPEAT, NewYearRefused, open_new_year, plan_new_year
from domain.messages import N_, Refusal
from extensions import db
from models import AcademicYear


def _load_year(year_id: int) -> AcademicYear:
    return policy.load(AcademicYear, year_id, policy.owns_year, current_user)


def _date(name: str, what: str) -> date | None:
    value = (request.values.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise NewYearRefused(N_("%(what)s: укажите дату в формате ДД.ММ.ГГГГ."), what=what) from error


def _ids(name: str) -> list[int]:
    try:
        return [int(v) for v in request.form.getlist(name) if v.strip()]
    except ValueError as error:
        raise NewYearRefused(N_("Неверные данные формы; обновите страницу.")) from error


def _preview(year: AcademicYear, status: int = 200, chosen: dict | None = None, error: str | None = None):
    plan = None
    try:
        plan = plan_new_year(year, _date("start_date", _("Начало года")), _date("end_date", _("Окончание года")))
    except NewYearRefused as refusal:
        if error is None:
            error = _(refusal.message, **refusal.params)
            status = refusal.status if status == 200 else status
        if refusal.status != 409:
            try:  # the preview with the usual dates, the refusal above it
                plan = plan_new_year(year)
            except NewYearRefused:
                plan = None
    if error:
        flash(error, "error")
    if chosen is None:
        chosen = {
            "teachers": {s.source.id: s.teacher_id for s in plan.steps} if plan else {},
            "assignments": {a.id for a in plan.assignments} if plan else set(),
            "repeat": set(),
            "order_number": "",
        }
    return render_template(
        "admin/new_year.html",
        year=year,
        plan=plan,
        chosen=chosen,
        teachers=queries.teachers(year.school_id) if plan else [],
    ), status


@bp.get("/years/<int:year_id>/next")
@admin_only
def new_year_preview(year_id: int):
    return _preview(_load_year(year_id))


@bp.post("/years/<int:year_id>/next")
@admin_only
def new_year_open(year_id: int):
    year = _load_year(year_id)
    chosen = {"teachers": {}, "assignments": set(), "repeat": set(), "order_number": request.form.get("order_number", "")}
    try:
        for key, value in request.form.items():
            if key.startswith("teacher_"):
                chosen["teachers"][int(key.removeprefix("teacher_"))] = int(value) if value.strip() else None
        chosen["assignments"] = set(_ids("assignment"))
        chosen["repeat"] = set(_ids("repeat"))
    except (ValueError, Refusal):
        return _preview(year, 400, error=_("Неверные данные формы; обновите страницу."))
    if request.form.get("confirm") != "y":
        return _preview(year, 400, chosen, _("Отметьте подтверждение: классы будут переведены, 11 классы выпущены."))
    try:
        start, end = _date("start_date", _("Начало года")), _date("end_date", _("Окончание года"))
        if start is None or end is None:
            raise NewYearRefused(N_("Укажите даты начала и окончания нового учебного года."))
        new = open_new_year(
            year,
            start=start,
            end=end,
            order_number=chosen["order_number"],
            teachers=chosen["teachers"],
            assignment_ids=chosen["assignments"],
            decisions={sid: REPEAT for sid in chosen["repeat"]},
            user=current_user._get_current_object(),
        )
        db.session.commit()
    except Refusal as refusal:  # NewYearRefused, StructureError
        db.session.rollback()
        return _preview(year, refusal.status, chosen, _(refusal.message, **refusal.params))
    except IntegrityError:  # a concurrent run won the race for the year's name
        db.session.rollback()
        return _preview(year, 409, chosen, _("Такая запись уже есть. Обновите страницу и проверьте данные."))
    flash(_("Учебный год %(name)s открыт на основе %(source)s. Сделайте его текущим, когда он начнётся.",
            name=new.name, source=year.name), "success")
    return redirect(url_for("admin.year", year_id=new.id))
