"""What the admin sub-areas' views share: one way to run an operation from a posted form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

import policy
from blueprints.auth.access import roles_required
from domain.messages import Refusal
from extensions import db

# The administrators of the school (ADM-1, ADM-3): the guard of most admin pages; the timetable,
# the bells and the settings have their own wider or narrower sets (policy.py).
admin_only = roles_required(*policy.ADMIN_ROLES)


def apply(
    form: FlaskForm | None,
    action: Callable[[], Any],
    page: Callable[[int], Any],
    success: str | Callable[[Any], tuple[str, str]],
    to: str | Callable[[Any], str],
    *,
    invalid: str | None = None,
    conflict: str | None = None,
):
    """Validate the form (if any), run the operation, commit, flash and redirect. A refused
    operation re-renders the page with its message and status (a StructureError 400, a timetable
    clash 409); a concurrent change that won a unique value 409. The session is rolled back:
    nothing changes. `success` may depend on the operation's result: (message, category)."""
    if form is not None and not form.validate_on_submit():
        flash(invalid or _("Проверьте поля формы."), "error")
        return page(400)
    try:
        result = action()
        db.session.commit()
    except Refusal as error:
        db.session.rollback()
        flash(_(error.message, **error.params), "error")
        return page(error.status)
    except IntegrityError:  # a concurrent change won the race for a unique value
        db.session.rollback()
        flash(conflict or _("Такая запись уже есть. Обновите страницу и проверьте данные."), "error")
        return page(409)
    flash(*(success(result) if callable(success) else (success, "success")))
    return redirect(to(result) if callable(to) else to)


def edit_page(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    title: str,
    back_url: str,
    success: str,
    subtitle: str | None = None,
    submit_label: str | None = None,
    to: str | Callable[[Any], str] | None = None,
):
    """A page of one form (admin/edit.html): GET shows it, POST runs `action` through `apply`
    and goes to `to` (by default back to `back_url`)."""

    def page(status: int):
        return render_template(
            "admin/edit.html",
            form=form,
            title=title,
            subtitle=subtitle,
            back_url=back_url,
            submit_label=submit_label or _("Сохранить"),
        ), status

    if request.method == "GET":
        return page(200)
    return apply(form, action, page, success, to or back_url)
