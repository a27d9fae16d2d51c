"""Inspections of journal keeping (REP-3, 002:5.2-5.4): the deputy records an inspection of a
journal with remarks per item, the teacher sees them above the grid and marks one corrected, the
deputy confirms it; the overdue page lists the journals nobody inspected in this window; every
change is audited; the grid's statements do not grow with the remarks."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain import inspections as rules
from domain.messages import Refusal
from extensions import db
from models import AuditEntry, Inspection, InspectionRemark
from tests.clock import TODAY


def _record(client, s, remarks, kind="deputy", day=None, correct_by=None):
    data = {
        "assignment_id": s.maths_5a.id, "kind": kind, "date": (day or TODAY).isoformat(),
        "scope": "Заполнение тем уроков и домашних заданий за ноябрь",
        "correct_by": (correct_by or TODAY + timedelta(days=7)).isoformat(),
    }
    for n, (item, remark) in enumerate(remarks):
        data[f"remarks-{n}-item"] = item
        data[f"remarks-{n}-remark"] = remark
    return client.post("/reports/inspections/new", data=data)


def test_deputy_records_teacher_corrects_deputy_confirms(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    response = _record(client, s, [("Темы уроков", "Не записана тема урока 20.11"),
                                   ("Домашние задания", "Нет домашнего задания к урокам 17.11 и 18.11")])
    assert response.status_code == 303, response.get_data(as_text=True)
    inspection = db.session.scalars(select(Inspection)).one()
    assert (inspection.kind, inspection.inspector_id, inspection.status) == ("deputy", s.deputy.id, "open")
    first, second = inspection.remarks
    auth.logout()

    # the teacher sees both remarks on the journal page and marks one corrected
    auth.login(s.maths_teacher)
    page = client.get(f"/journal/assignments/{s.maths_5a.id}").get_data(as_text=True)
    assert "Не записана тема урока 20.11" in page and "Нет домашнего задания к урокам 17.11 и 18.11" in page
    assert f"/reports/remarks/{first.id}/correct" in page
    response = client.post(f"/reports/remarks/{first.id}/correct")
    assert response.status_code == 303 and response.location.endswith(f"/journal/assignments/{s.maths_5a.id}")
    db.session.expire_all()
    assert db.session.get(InspectionRemark, first.id).status == "corrected"
    assert db.session.get(InspectionRemark, first.id).corrected_by_id == s.maths_teacher.id
    page = client.get(f"/journal/assignments/{s.maths_5a.id}").get_data(as_text=True)
    assert "исправлено, ждёт подтверждения" in page
    # a second click is refused, nothing changes
    assert client.post(f"/reports/remarks/{first.id}/correct").status_code == 303
    assert client.post(f"/reports/remarks/{first.id}/confirm").status_code == 403  # not the inspector
    auth.logout()

    # the deputy confirms
    auth.login(s.deputy)
    assert f"/reports/remarks/{first.id}/confirm" in client.get(f"/reports/inspections/{inspection.id}").get_data(as_text=True)
    assert client.post(f"/reports/remarks/{first.id}/confirm").status_code == 303
    db.session.expire_all()
    remark = db.session.get(InspectionRemark, first.id)
    assert (remark.status, remark.confirmed_by_id) == ("confirmed", s.deputy.id)
    assert db.session.get(InspectionRemark, second.id).status == "open"
    assert db.session.get(Inspection, inspection.id).status == "open"  # one remark still open
    auth.logout()

    # the confirmed remark is gone from the grid, the open one stays
    auth.login(s.maths_teacher)
    page = client.get(f"/journal/assignments/{s.maths_5a.id}").get_data(as_text=True)
    assert "Не записана тема урока 20.11" not in page and "Нет домашнего задания к урокам 17.11" in page

    actions = [(e.entity, e.action) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
               if e.entity.startswith("inspection")]
    assert actions == [("inspection", "create"), ("inspection_remark", "correct"), ("inspection_remark", "confirm")]


def test_returned_remark_goes_back_to_the_teacher(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    _record(client, s, [("Посещаемость", "Не отмечены отсутствующие 16.11")])
    remark = db.session.scalars(select(InspectionRemark)).one()
    auth.logout()
    auth.login(s.maths_teacher)
    client.post(f"/reports/remarks/{remark.id}/correct")
    auth.logout()
    auth.login(s.deputy)
    assert client.post(f"/reports/remarks/{remark.id}/return").status_code == 303
    db.session.expire_all()
    remark = db.session.get(InspectionRemark, remark.id)
    assert (remark.status, remark.corrected_by_id) == ("open", None)


def test_inspection_without_remarks_is_closed_and_a_future_date_is_refused(client, auth, small_school):
    s = small_school()
    auth.login(s.methodist)
    assert _record(client, s, [], kind="methodist").status_code == 303
    assert db.session.scalars(select(Inspection)).one().status == "closed"
    assert _record(client, s, [], kind="methodist", day=TODAY + timedelta(days=3)).status_code == 400
    # the methodist cannot record the deputy's monthly inspection: not among the choices
    assert _record(client, s, [], kind="deputy").status_code == 400
    assert len(db.session.scalars(select(Inspection)).all()) == 1


def test_overdue_page_lists_a_journal_nobody_inspected_this_month(client, auth, small_school):
    s = small_school()
    start, _end = rules.window("deputy", TODAY)
    db.session.add_all([
        # maths 5А: inspected by the deputy this month; Russian 5А last month only
        Inspection(school_id=s.school.id, assignment_id=s.maths_5a.id, inspector_id=s.deputy.id, kind="deputy",
                   date=start, scope="Проверка", status="closed"),
        Inspection(school_id=s.school.id, assignment_id=s.russian_5a.id, inspector_id=s.deputy.id, kind="deputy",
                   date=start - timedelta(days=1), scope="Проверка", status="closed"),
    ])
    db.session.commit()
    auth.login(s.director)
    page = client.get("/reports/inspections/overdue").get_data(as_text=True)
    russian_row = page.split(f'id="journal-{s.russian_5a.id}"')[1].split("</tr>")[0]
    assert (start - timedelta(days=1)).strftime("%d.%m.%Y") in russian_row and "просрочена" in russian_row
    maths_row = page.split(f'id="journal-{s.maths_5a.id}"')[1].split("</tr>")[0]
    deputy_cell = maths_row.split("<td")[3]  # teacher, methodist, deputy
    assert start.strftime("%d.%m.%Y") in deputy_cell and "просрочена" not in deputy_cell
    # the deputy's schedule only: maths 5А is inspected this month, Russian 5А is not
    page = client.get("/reports/inspections/overdue?kind=deputy").get_data(as_text=True)
    assert f'id="journal-{s.russian_5a.id}"' in page and f'id="journal-{s.maths_5a.id}"' not in page


def test_other_school_remark_is_not_found(client, auth, small_school, create_user):
    from models import School

    s = small_school()
    other_school = School(name="Другая школа", short_name="Другая")
    db.session.add(other_school)
    outsider = create_user(other_school, "director", "deputy", login="outsider")
    db.session.commit()
    auth.login(s.deputy)
    _record(client, s, [("Темы", "Нет темы")])
    remark = db.session.scalars(select(InspectionRemark)).one()
    auth.logout()
    auth.login(outsider)
    assert client.post(f"/reports/remarks/{remark.id}/confirm").status_code == 404
    assert client.get(f"/reports/inspections/{remark.inspection_id}").status_code == 404


def test_grid_statements_do_not_grow_with_the_remarks(client, auth, small_school, count_queries):
    s = small_school()
    auth.login(s.maths_teacher)

    def grid() -> int:
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/journal/assignments/{s.maths_5a.id}").status_code == 200
        return counter.count

    grid()
    db.session.add(Inspection(school_id=s.school.id, assignment_id=s.maths_5a.id, inspector_id=s.deputy.id,
                              kind="deputy", date=TODAY, scope="x",
                              remarks=[InspectionRemark(position=1, item="a", remark="b")]))
    db.session.commit()
    one = grid()
    for _n in range(3):
        db.session.add(Inspection(school_id=s.school.id, assignment_id=s.maths_5a.id, inspector_id=s.methodist.id,
                                  kind="methodist", date=TODAY, scope="x",
                                  remarks=[InspectionRemark(position=k, item=f"п{k}", remark="r") for k in range(1, 5)]))
    db.session.commit()
    assert grid() == one


@pytest.mark.parametrize("kind,today,window", [
    ("methodist", date(2026, 11, 26), (date(2026, 11, 23), date(2026, 11, 29))),
    ("deputy", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
    ("deputy", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ("director", date(2026, 11, 26), (date(2026, 10, 1), date(2026, 12, 31))),
    ("director", date(2027, 1, 1), (date(2027, 1, 1), date(2027, 3, 31))),
])
def test_schedule_windows_of_002(kind, today, window):
    assert rules.window(kind, today) == window
    assert rules.is_overdue(kind, None, today)
    assert rules.is_overdue(kind, window[0] - timedelta(days=1), today)
    assert not rules.is_overdue(kind, window[0], today)


def test_remark_transitions():
    assert rules.check_transition("open", "correct") == "corrected"
    assert rules.check_transition("corrected", "confirm") == "confirmed"
    assert rules.check_transition("corrected", "return") == "open"
    with pytest.raises(Refusal):
        rules.check_transition("open", "confirm")
    assert rules.inspector_kinds({"director", "teacher"}) == ["director"]
    assert rules.inspection_status(["confirmed", "open"]) == "open"


def test_inspection_pages_statements_do_not_grow(client, auth, small_school, create_student, count_queries):
    """The list, one inspection and the overdue journals: the same statements for one
    inspection of one journal as for many inspections, remarks and journals."""
    s = small_school()
    auth.login(s.deputy)

    def add_inspections(n: int, remarks: int) -> Inspection:
        last = None
        for k in range(n):
            assignment = [s.maths_5a, s.russian_5a, s.maths_5b, s.english_5a_g1][k % 4]
            last = Inspection(school_id=s.school.id, assignment_id=assignment.id, inspector_id=s.deputy.id,
                              kind="deputy", date=TODAY - timedelta(days=k), scope="Проверка",
                              remarks=[InspectionRemark(position=r, item=f"Пункт {r}", remark="Исправить",
                                                        status=("open", "corrected", "confirmed")[r % 3],
                                                        corrected_by_id=s.maths_teacher.id if r % 3 else None,
                                                        confirmed_by_id=s.deputy.id if r % 3 == 2 else None)
                                       for r in range(1, remarks + 1)])
            db.session.add(last)
        db.session.commit()
        return last

    def count(path: str) -> int:
        db.session.commit()
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    first = add_inspections(1, 1)
    pages = ["/reports/inspections", "/reports/inspections/overdue", f"/reports/inspections/{first.id}"]
    for path in pages:
        count(path)  # warm-up
    small = [count(path) for path in pages]
    add_inspections(12, 6)
    for i in range(6):
        create_student(s.school, s.class_5a, f"Новиков{i}", "Никита")
    big = [count(path) for path in pages[:2]] + [count(f"/reports/inspections/{add_inspections(1, 8).id}")]
    assert big == small, f"{small} statements, then {big}"
