"""Access rules for the director's register of personal-data processing (PD-3, PD-5): the
orders on the operators are issued by the director and read by the journal administrator; the
suspensions are the director's alone. Neither is a personal-data page (no lock-out)."""
from __future__ import annotations

from sqlalchemy import select

from tests.access import Rule

P = "/personal-data"
DIRECTOR = frozenset({"director"})
ORDER_READERS = frozenset({"director", "admin"})  # admin: journal_admin + tech_admin


def _order(s):
    from extensions import db
    from models.pd_register import ProcessingOrder

    return db.session.scalars(select(ProcessingOrder).where(ProcessingOrder.school_id == s.school.id)).first()


def _operator(s):
    from extensions import db
    from models.pd_register import OrderOperator

    return db.session.scalars(
        select(OrderOperator).where(OrderOperator.order_id == _order(s).id, OrderOperator.user_id == s.maths_teacher.id)
    ).one()


def _suspension(s):
    from extensions import db
    from models.pd_register import Suspension

    found = Suspension(school_id=s.school.id, scope="category", category="3.6", reason="проверка")
    db.session.add(found)
    db.session.commit()
    return found


RULES = [
    Rule("GET", f"{P}/orders", ORDER_READERS, lambda s: f"{P}/orders"),
    Rule("POST", f"{P}/orders", DIRECTOR, lambda s: f"{P}/orders",
         lambda s: {"number": "7-ПД", "signed_on": "2026-09-01", "valid_from": "2026-09-01"}),
    Rule("GET", f"{P}/orders/<int:order_id>", ORDER_READERS, lambda s: f"{P}/orders/{_order(s).id}"),
    Rule("POST", f"{P}/orders/<int:order_id>/operators", DIRECTOR, lambda s: f"{P}/orders/{_order(s).id}/operators",
         lambda s: {"user": s.english_teacher.id, "categories": ["4.3"]}),
    Rule("POST", f"{P}/operators/<int:operator_id>/delete", DIRECTOR, lambda s: f"{P}/operators/{_operator(s).id}/delete"),
    Rule("POST", f"{P}/orders/<int:order_id>/revoke", DIRECTOR, lambda s: f"{P}/orders/{_order(s).id}/revoke",
         lambda s: {"confirm": "y"}),
    Rule("GET", f"{P}/suspensions", DIRECTOR, lambda s: f"{P}/suspensions"),
    Rule("POST", f"{P}/suspensions", DIRECTOR, lambda s: f"{P}/suspensions",
         lambda s: {"scope": "category", "category": "3.6", "reason": "проверка"}),
    Rule("POST", f"{P}/suspensions/<int:suspension_id>/lift", DIRECTOR,
         lambda s: f"{P}/suspensions/{_suspension(s).id}/lift", lambda s: {"confirm": "y"}),
]
