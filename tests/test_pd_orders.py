"""The director's order on the operators of personal data (PD-3, 000:5.3, 001:5.3): who is named
for which categories opens those pages; the director manages the orders and is never locked out."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from extensions import db
from models import AuditEntry
from models.pd_register import OrderOperator, ProcessingOrder

P = "/personal-data"


def _orders(school_id):
    return db.session.scalars(select(ProcessingOrder).where(ProcessingOrder.school_id == school_id)).all()


def _drop_standing_order(school):
    for order in _orders(school.id):
        db.session.delete(order)
    db.session.commit()


def test_director_issues_an_order_and_names_a_teacher_who_then_opens_the_page(client, auth, small_school):
    s = small_school()
    _drop_standing_order(s.school)  # nobody named: even the director is not locked out of the register
    auth.login(s.director)
    assert "Действующего приказа нет" in client.get(f"{P}/orders").get_data(as_text=True)
    today = date.today()
    response = client.post(f"{P}/orders", data={"number": "12-ПД", "signed_on": str(today - timedelta(days=3)),
                                                "valid_from": str(today - timedelta(days=1)), "note": "о допуске"})
    assert response.status_code == 303
    order = _orders(s.school.id)[0]
    assert order.number == "12-ПД"
    response = client.post(f"{P}/orders/{order.id}/operators",
                           data={"user": s.maths_teacher.id, "categories": ["1.1", "2.1"], "duties": "классный руководитель"})
    assert response.status_code == 303
    operator = db.session.scalars(select(OrderOperator).where(OrderOperator.order_id == order.id)).one()
    assert operator.categories == ["1.1", "2.1"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "processing_order")) == 2
    page = client.get(f"{P}/orders/{order.id}").get_data(as_text=True)
    assert s.maths_teacher.full_name in page and "1.1, 2.1" in page
    client.post("/auth/switch")
    auth.login(s.maths_teacher)
    assert client.get(f"{P}/students/{s.pupils_5a[0].id}/consent").status_code == 200


def test_all_categories_and_replacing_an_operators_categories(client, auth, small_school):
    s = small_school()
    order = _orders(s.school.id)[0]
    auth.login(s.director)
    client.post(f"{P}/orders/{order.id}/operators", data={"user": s.english_teacher.id, "all_categories": "y"})
    client.post(f"{P}/orders/{order.id}/operators", data={"user": s.english_teacher.id, "categories": ["4.3"]})
    db.session.expire_all()
    rows = db.session.scalars(select(OrderOperator).where(OrderOperator.user_id == s.english_teacher.id)).all()
    assert [r.categories for r in rows] == [["4.3"]]


def test_bad_input_is_refused_in_russian_and_changes_nothing(client, auth, small_school):
    s = small_school()
    order = _orders(s.school.id)[0]
    auth.login(s.director)
    before = db.session.scalar(select(func.count()).select_from(OrderOperator))
    for data in ({"user": s.parent_a.id, "categories": ["4.3"]},  # not staff
                 {"user": s.english_teacher.id},  # no category
                 {"user": s.english_teacher.id, "categories": ["9.9"]}):  # forged code
        response = client.post(f"{P}/orders/{order.id}/operators", data=data)
        assert response.status_code == 400
        assert "Traceback" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OrderOperator)) == before
    response = client.post(f"{P}/orders", data={"number": "1", "signed_on": "2026-09-01", "valid_from": "2026-09-10",
                                                "valid_until": "2026-09-01"})
    assert response.status_code == 400 and "раньше даты начала" in response.get_data(as_text=True)
    assert len(_orders(s.school.id)) == 1


def test_revoking_the_order_needs_confirmation_and_closes_the_pages(client, auth, small_school):
    s = small_school()
    order = _orders(s.school.id)[0]
    auth.login(s.director)
    response = client.post(f"{P}/orders/{order.id}/revoke", data={})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ProcessingOrder, order.id).revoked_at is None
    client.post(f"{P}/orders/{order.id}/revoke", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(ProcessingOrder, order.id).revoked_at is not None
    # the director still reaches the register, but not the personal-data pages
    assert client.get(f"{P}/orders").status_code == 200
    refused = client.get(f"{P}/students/{s.pupils_5a[0].id}/consent")
    assert refused.status_code == 403
    assert "не включены в действующий приказ" in refused.get_data(as_text=True)


def test_journal_admin_reads_the_orders_but_may_not_change_them(client, auth, small_school):
    s = small_school()
    order = _orders(s.school.id)[0]
    auth.login(s.admin)
    assert client.get(f"{P}/orders/{order.id}").status_code == 200
    assert "Назвать работника" not in client.get(f"{P}/orders/{order.id}").get_data(as_text=True)
    assert client.post(f"{P}/orders/{order.id}/revoke", data={"confirm": "y"}).status_code == 403


def test_a_member_named_for_one_category_sees_only_it(client, auth, small_school, create_user):
    """The admin student page: the record (1.1) without the parents (2.1)."""
    s = small_school()
    only_records = create_user(s.school, "journal_admin", pd_categories=("1.1",), login="records")
    db.session.commit()
    auth.login(only_records)
    student = s.pupils_5a[0]
    page = client.get(f"/admin/people/students/{student.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert student.full_name in text
    assert s.parent_a.full_name not in text and "Сведения о родителях скрыты" in text
    assert client.get(f"/admin/people/parents/{s.parent_a.id}/edit").status_code == 403
    client.post("/auth/switch")
    auth.login(s.admin)
    assert s.parent_a.full_name in client.get(f"/admin/people/students/{student.id}").get_data(as_text=True)


def test_summary_sheet_needs_progress_in_the_order(client, auth, small_school, create_user):
    s = small_school()
    deputy = create_user(s.school, "deputy", pd_categories=("1.1",), login="deputy2")
    db.session.commit()
    auth.login(deputy)
    response = client.get(f"/reports/classes/{s.class_5a.id}/summary?period={s.quarters[1].id}")
    assert response.status_code == 403
    assert "не допускает вас к этим категориям" in response.get_data(as_text=True)


def test_people_export_needs_every_category_of_the_list(client, auth, small_school, create_user):
    s = small_school()
    records_only = create_user(s.school, "journal_admin", pd_categories=("1.1",), login="records")
    db.session.commit()
    auth.login(records_only)
    response = client.post("/admin/people/export", data={"kind": "students", "fmt": "csv", "purpose": "проверка", "recipient": "Управление образования"})
    assert response.status_code == 403
    response = client.post("/admin/people/export", data={"kind": "parents", "fmt": "csv", "purpose": "проверка", "recipient": "Управление образования"})
    assert response.status_code == 403


def test_the_orders_and_suspensions_lists_run_a_bounded_number_of_queries(client, auth, small_school, count_queries):
    s = small_school()
    auth.login(s.director)

    def counts():
        client.get(f"{P}/orders")  # warm-up (the session's user, the school)
        with count_queries() as orders:
            assert client.get(f"{P}/orders").status_code == 200
        with count_queries() as suspensions:
            assert client.get(f"{P}/suspensions").status_code == 200
        return orders.count, suspensions.count

    from models.pd_register import Suspension

    def add(n):
        order = ProcessingOrder(school_id=s.school.id, number=f"{n}-ПД", signed_on=date(2020, 1, 1), valid_from=date(2020, 1, 1))
        order.operators = [OrderOperator(user_id=s.maths_teacher.id, categories=["4.3"]),
                           OrderOperator(user_id=s.deputy.id, categories=["*"])]
        db.session.add(order)
        db.session.add(Suspension(school_id=s.school.id, scope="user", user_id=s.english_teacher.id, reason=f"№ {n}",
                                  started_by_id=s.director.id))
        db.session.commit()

    add(0)
    few = counts()
    for n in range(1, 6):
        add(n)
    assert counts() == few
