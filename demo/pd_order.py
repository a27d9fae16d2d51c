"""The demo school's order on personal data (PD-3, 000:5.3, 001:5.3): every member of staff is
named, so that every demo page opens — the office and the administrator for all categories, the
class teachers for what the consent sheet and the class's records need, teachers for progress."""
from __future__ import annotations

from datetime import date

from models import User
from models.pd_register import ALL_CATEGORIES, OrderOperator, ProcessingOrder

ORDER_NUMBER = "01-08/ПД"
SIGNED_ON = date(2026, 8, 28)
# The class teacher keeps the students' records, the consent sheet and the family's contacts.
CLASS_TEACHER_CATEGORIES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2",
                            "4.3", "4.4"]
TEACHER_CATEGORIES = ["4.3"]
ALL_OF_IT = frozenset({"director", "deputy", "methodist", "journal_admin"})


def categories_for(roles: set[str]) -> tuple[list[str], str]:
    """The categories and duties of a member of staff by their roles; ([], "") for nobody."""
    if roles & ALL_OF_IT:
        return [ALL_CATEGORIES], "обработка персональных данных обучающихся и их родителей в полном объёме"
    if "class_teacher" in roles:
        return list(CLASS_TEACHER_CATEGORIES), "ведение личных дел, листов согласия и сведений о семьях класса"
    if roles & {"teacher", "extra_teacher"}:
        return list(TEACHER_CATEGORIES), "ведение электронного журнала: успеваемость и посещаемость"
    return [], ""


def demo_order(school, staff: list[User]) -> ProcessingOrder:
    order = ProcessingOrder(
        school_id=school.id, number=ORDER_NUMBER, signed_on=SIGNED_ON, valid_from=SIGNED_ON,
        note="О допуске работников к обработке персональных данных обучающихся и их родителей",
    )
    for user in staff:
        categories, duties = categories_for(set(user.roles))
        if categories:
            order.operators.append(OrderOperator(user=user, categories=categories, duties=duties))
    return order
