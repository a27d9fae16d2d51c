"""The director's register pages: the order on the operators of personal data (PD-3, 000:5.3,
001:5.3) and the suspension of access on a violation (PD-5, 001:5.5.5).

These pages are not personal-data pages themselves (no `personal_data_view`): the director
reaches them with no order in force and under any suspension, so that nobody is locked out."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import policy
from blueprints.personal_data import bp
from blueprints.personal_data import orders_operations as ops
from blueprints.personal_data.orders_forms import (
    SCOPE_LABELS,
    LiftForm,
    OperatorForm,
    OrderForm,
    RevokeForm,
    SuspensionForm,
)
from domain.messages import Refusal
from extensions import db
from models.pd_register import ALL_CATEGORIES, OrderOperator, Suspension
from models.personal_data import CONSENT_CATEGORIES, CONSENT_CATEGORY_GROUPS
from utils import refusals
from utils.forms import options
from utils.timeutil import school_today


def _today():
    return school_today(current_user.school.timezone)


def _only(check) -> None:
    if not check(current_user):
        abort(403)


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if errors:
            field = getattr(form, name, None)
            label = field.label.text if field is not None and name != "csrf_token" else ""
            return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Проверьте поля формы.")


def _grouped_categories() -> list[tuple[str, object, list[tuple[str, object]]]]:
    """The consent sheet's categories grouped as on paper, for the multi-check."""
    return [
        (group, title, [(code, label) for code, label in CONSENT_CATEGORIES.items() if code.split(".")[0] == group])
        for group, title in CONSENT_CATEGORY_GROUPS.items()
    ]


# Orders ------------------------------------------------------------------------------------------


def _orders_page(form: OrderForm, status: int = 200):
    today = _today()
    orders = ops.orders_of(current_user.school_id)
    return render_template(
        "personal_data/orders.html",
        orders=orders,
        in_force=[o for o in orders if o.is_in_force(today)],
        form=form,
        today=today,
        may_manage=policy.can_manage_pd_register(current_user),
    ), status


@bp.route("/orders", methods=["GET", "POST"])
@login_required
def orders():
    """The orders on personal data, the one in force first; the director issues a new one."""
    _only(policy.can_view_pd_orders)
    form = OrderForm()
    if request.method == "GET":
        return _orders_page(form)
    _only(policy.can_manage_pd_register)
    try:
        if not form.validate_on_submit():
            raise ops.RegisterError(_first_error(form))
        order = ops.create_order(current_user.school_id, form.number.data, form.signed_on.data, form.valid_from.data,
                                 form.valid_until.data, form.note.data or "", current_user)
        db.session.commit()
    except Refusal as refusal:
        flash(refusals.undo(refusal), "error")
        return _orders_page(form, refusal.status)
    flash(_("Приказ записан. Назовите в нём работников, допущенных к персональным данным."), "success")
    return redirect(url_for("personal_data.order", order_id=order.id), 303)


def _load_order(order_id: int):
    return policy.checked(ops.load_order(order_id), lambda user, _o: policy.can_view_pd_orders(user), current_user)


def _order_page(order, form: OperatorForm | None = None, status: int = 200):
    form = form or OperatorForm()
    staff = ops.staff_of(order.school_id)
    form.user.choices = options((u.id, u.full_name) for u in staff)
    return render_template(
        "personal_data/order.html",
        order=order,
        form=form,
        revoke_form=RevokeForm(),
        groups=_grouped_categories(),
        all_code=ALL_CATEGORIES,
        in_force=order.is_in_force(_today()),
        may_manage=policy.can_manage_pd_register(current_user) and order.revoked_at is None,
    ), status


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    return _order_page(_load_order(order_id))


@bp.post("/orders/<int:order_id>/operators")
@login_required
def order_operator(order_id: int):
    """Name a member of staff in the order with the categories they may process, or change them."""
    found = _load_order(order_id)
    _only(policy.can_manage_pd_register)
    form = OperatorForm()
    try:
        if not form.validate_on_submit():
            raise ops.RegisterError(_first_error(form))
        ops.name_operator(found, form.user.data, form.chosen_categories(), form.duties.data or "", current_user)
        db.session.commit()
    except Refusal as refusal:
        flash(refusals.undo(refusal), "error")
        return _order_page(_load_order(order_id), form, refusal.status)
    flash(_("Работник назван в приказе."), "success")
    return redirect(url_for("personal_data.order", order_id=found.id), 303)


@bp.post("/operators/<int:operator_id>/delete")
@login_required
def operator_delete(operator_id: int):
    operator = db.session.get(OrderOperator, operator_id)
    order = policy.checked(operator.order if operator else None, lambda user, _o: policy.can_view_pd_orders(user),
                           current_user)
    _only(policy.can_manage_pd_register)
    try:
        ops.remove_operator(operator, current_user)
        db.session.commit()
    except Refusal as refusal:
        return refusals.back_to(url_for("personal_data.order", order_id=order.id), refusal)
    flash(_("Работник исключён из приказа."), "success")
    return redirect(url_for("personal_data.order", order_id=order.id), 303)


@bp.post("/orders/<int:order_id>/revoke")
@login_required
def order_revoke(order_id: int):
    found = _load_order(order_id)
    _only(policy.can_manage_pd_register)
    form = RevokeForm()
    back = url_for("personal_data.order", order_id=found.id)
    try:
        if not form.validate_on_submit():
            raise ops.RegisterError(_first_error(form))
        ops.revoke_order(found, current_user)
        db.session.commit()
    except Refusal as refusal:
        return refusals.back_to(back, refusal)
    flash(_("Приказ отменён."), "success")
    return redirect(back, 303)


# Suspensions -------------------------------------------------------------------------------------


def _suspensions_page(form: SuspensionForm, status: int = 200):
    rows = ops.suspensions_of(current_user.school_id)
    form.user.choices = options([("", "—")] + [(u.id, u.full_name) for u in ops.staff_of(current_user.school_id)])
    return render_template(
        "personal_data/suspensions.html",
        active=[s for s in rows if s.is_active],
        past=[s for s in rows if not s.is_active],
        form=form,
        lift_form=LiftForm(),
        scope_labels=SCOPE_LABELS,
        categories=CONSENT_CATEGORIES,
    ), status


@bp.route("/suspensions", methods=["GET", "POST"])
@login_required
def suspensions():
    """Suspend access to personal data (the school, a user, a category) with the reason."""
    _only(policy.can_manage_pd_register)
    form = SuspensionForm()
    if request.method == "GET":
        return _suspensions_page(form)
    try:
        if not form.validate_on_submit():
            raise ops.RegisterError(_first_error(form))
        ops.start_suspension(current_user.school_id, form.scope.data, form.user.data, form.category.data or None,
                             form.reason.data, current_user)
        db.session.commit()
    except Refusal as refusal:
        flash(refusals.undo(refusal), "error")
        return _suspensions_page(form, refusal.status)
    flash(_("Доступ к персональным данным приостановлен."), "success")
    return redirect(url_for("personal_data.suspensions"), 303)


@bp.post("/suspensions/<int:suspension_id>/lift")
@login_required
def suspension_lift(suspension_id: int):
    suspension = policy.checked(db.session.get(Suspension, suspension_id),
                                lambda user, _s: policy.can_manage_pd_register(user), current_user)
    form = LiftForm()
    back = url_for("personal_data.suspensions")
    try:
        if not form.validate_on_submit():
            raise ops.RegisterError(_first_error(form))
        ops.lift_suspension(suspension, form.note.data or "", current_user)
        db.session.commit()
    except Refusal as refusal:
        return refusals.back_to(back, refusal)
    flash(_("Приостановка снята: доступ к персональным данным возобновлён."), "success")
    return redirect(back, 303)
