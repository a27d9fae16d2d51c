"""Use cases of the director's register: the order naming the operators of personal data
(PD-3, 000:5.3, 001:5.3) and the suspension of access on a violation (PD-5, 001:5.5.5).
Operations flush; the view commits. Every change is written to the history (utils.audit) and
the request's cache of who may open what is forgotten (utils.pd_access.forget_cache)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from domain.messages import N_, Refusal
from extensions import db
from models import User
from models.base import utcnow
from models.pd_register import ALL_CATEGORIES, OrderOperator, ProcessingOrder, Suspension
from models.personal_data import CONSENT_CATEGORIES
from utils import audit, pd_access

STAFF_EXCLUDED = frozenset({"parent", "student"})


class RegisterError(Refusal):
    """An order, an operator or a suspension that cannot be recorded (400)."""


def orders_of(school_id: int) -> list[ProcessingOrder]:
    return list(
        db.session.scalars(
            select(ProcessingOrder)
            .where(ProcessingOrder.school_id == school_id)
            .options(selectinload(ProcessingOrder.operators))
            .order_by(ProcessingOrder.valid_from.desc(), ProcessingOrder.id.desc())
        )
    )


def load_order(order_id: int) -> ProcessingOrder | None:
    return db.session.get(
        ProcessingOrder,
        order_id,
        options=[selectinload(ProcessingOrder.operators).selectinload(OrderOperator.user)],
    )


def staff_of(school_id: int) -> list[User]:
    """The school's active staff, who may be named in an order (by name)."""
    users = db.session.scalars(
        select(User)
        .where(User.school_id == school_id, User.is_active_account.is_(True))
        .options(selectinload(User.role_rows))
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    return [u for u in users if u.roles - STAFF_EXCLUDED]


def _order_state(order: ProcessingOrder) -> dict:
    return {
        "number": order.number,
        "signed_on": order.signed_on.isoformat(),
        "valid_from": order.valid_from.isoformat(),
        "valid_until": order.valid_until.isoformat() if order.valid_until else None,
    }


def create_order(school_id: int, number: str, signed_on: date, valid_from: date, valid_until: date | None,
                 note: str, actor: User) -> ProcessingOrder:
    number = (number or "").strip()
    if not number:
        raise RegisterError(N_("Укажите номер приказа."))
    if valid_until is not None and valid_until < valid_from:
        raise RegisterError(N_("Дата окончания действия приказа раньше даты начала."))
    if signed_on > valid_from:
        raise RegisterError(N_("Приказ не может действовать раньше, чем подписан."))
    order = ProcessingOrder(school_id=school_id, number=number, signed_on=signed_on, valid_from=valid_from,
                            valid_until=valid_until, note=(note or "").strip(), created_by_id=actor.id)
    db.session.add(order)
    db.session.flush()
    audit.record("processing_order", order.id, "create", after=_order_state(order), school_id=school_id)
    pd_access.forget_cache()
    return order


def _check_open(order: ProcessingOrder) -> None:
    if order.revoked_at is not None:
        raise RegisterError(N_("Приказ отменён: изменить его нельзя. Издайте новый приказ."))


def _clean_categories(categories: Iterable[str]) -> list[str]:
    chosen = set(categories)
    if ALL_CATEGORIES in chosen:
        return [ALL_CATEGORIES]
    unknown = chosen - set(CONSENT_CATEGORIES)
    if unknown:
        raise RegisterError(N_("Неизвестная категория персональных данных: %(c)s."), c=", ".join(sorted(unknown)))
    if not chosen:
        raise RegisterError(N_("Отметьте категории персональных данных или «все категории»."))
    return sorted(chosen)


def name_operator(order: ProcessingOrder, user_id: int | None, categories: Iterable[str], duties: str,
                  actor: User) -> OrderOperator:
    """Name a member of staff in the order, or change what they are named for."""
    _check_open(order)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.school_id != order.school_id or not (user.roles - STAFF_EXCLUDED):
        raise RegisterError(N_("Выберите сотрудника школы."))
    cleaned = _clean_categories(categories)
    operator = next((o for o in order.operators if o.user_id == user.id), None)
    before = {"categories": list(operator.categories), "duties": operator.duties} if operator else None
    if operator is None:
        operator = OrderOperator(user_id=user.id, categories=cleaned, duties=(duties or "").strip())
        order.operators.append(operator)
    else:
        operator.categories = cleaned
        operator.duties = (duties or "").strip()
    db.session.flush()
    audit.record("processing_order", order.id, "operator_set", before=before,
                 after={"user_id": user.id, "categories": cleaned, "duties": operator.duties},
                 school_id=order.school_id)
    pd_access.forget_cache()
    return operator


def remove_operator(operator: OrderOperator, actor: User) -> None:
    order = operator.order
    _check_open(order)
    audit.record("processing_order", order.id, "operator_removed",
                 before={"user_id": operator.user_id, "categories": list(operator.categories)},
                 school_id=order.school_id)
    order.operators.remove(operator)
    db.session.flush()
    pd_access.forget_cache()


def revoke_order(order: ProcessingOrder, actor: User) -> None:
    _check_open(order)
    order.revoked_at = utcnow()
    order.revoked_by_id = actor.id
    db.session.flush()
    audit.record("processing_order", order.id, "revoke", before=_order_state(order), school_id=order.school_id)
    pd_access.forget_cache()


# Suspensions -------------------------------------------------------------------------------------


def suspensions_of(school_id: int) -> list[Suspension]:
    return list(
        db.session.scalars(
            select(Suspension)
            .where(Suspension.school_id == school_id)
            .options(selectinload(Suspension.user), selectinload(Suspension.started_by),
                     selectinload(Suspension.lifted_by))
            .order_by(Suspension.lifted_at.is_not(None), Suspension.id.desc())
        )
    )


def start_suspension(school_id: int, scope: str, user_id: int | None, category: str | None, reason: str,
                     actor: User) -> Suspension:
    reason = (reason or "").strip()
    if not reason:
        raise RegisterError(N_("Укажите причину приостановки."))
    target_user = None
    if scope == "school":
        user_id, category = None, None
    elif scope == "user":
        target_user = db.session.get(User, user_id) if user_id else None
        if target_user is None or target_user.school_id != school_id:
            raise RegisterError(N_("Выберите пользователя школы."))
        if target_user.id == actor.id:
            raise RegisterError(N_("Нельзя приостановить доступ самому себе."))
        category = None
    elif scope == "category":
        if category not in CONSENT_CATEGORIES:
            raise RegisterError(N_("Выберите категорию персональных данных."))
        user_id = None
    else:
        raise RegisterError(N_("Выберите, что приостановить."))
    suspension = Suspension(school_id=school_id, scope=scope, user_id=target_user.id if target_user else None,
                            category=category, reason=reason, started_by_id=actor.id)
    db.session.add(suspension)
    db.session.flush()
    audit.record("pd_suspension", suspension.id, "start",
                 after={"scope": scope, "user_id": suspension.user_id, "category": category, "reason": reason},
                 school_id=school_id)
    pd_access.forget_cache()
    return suspension


def lift_suspension(suspension: Suspension, note: str, actor: User) -> None:
    if suspension.lifted_at is not None:
        raise RegisterError(N_("Приостановка уже снята."))
    suspension.lifted_at = utcnow()
    suspension.lifted_by_id = actor.id
    suspension.lift_note = (note or "").strip()
    db.session.flush()
    audit.record("pd_suspension", suspension.id, "lift", after={"note": suspension.lift_note},
                 school_id=suspension.school_id)
    pd_access.forget_cache()
