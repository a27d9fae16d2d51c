"""Academic debts (REP-5, issue 14 item 2): the rules of retakes (two attempts, the second
before a named commission), a debt per subject of a conditional promotion with the original
year mark, the retake's result clearing it, the decision becoming «переведён» with history when
the last debt is cleared, the school's list (by class, overdue retakes), a student's page, and
the summary sheet showing both marks in HTML, XLSX and PDF."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from domain import year_end as rules
from domain.messages import Refusal
from extensions import db
from models import AuditEntry
from models.archive import CouncilDecision
from models.debts import AcademicDebt, DebtAttempt
from tests.clock import TODAY, school_date, school_moment
from tests.year_end_fixtures import year_marks_5a

D1, D2 = date(2027, 6, 10), date(2027, 8, 25)
COMMISSION = ["Иванова И. И.", "Петрова П. П.", "Сидорова С. С."]


# --- Pure rules -----------------------------------------------------------------------------------


def test_debt_state_and_attempts():
    assert rules.debt_state([]) == rules.OPEN
    assert rules.next_attempt([]) == 1
    one = [rules.Attempt(1, D1, "2")]
    assert rules.debt_state(one) == rules.OPEN and rules.next_attempt(one) == 2
    assert rules.debt_state([rules.Attempt(1, D1, "3")]) == rules.CLEARED
    assert rules.next_attempt([rules.Attempt(1, D1, "зач")]) is None
    both = one + [rules.Attempt(2, D2, "н/я")]
    assert rules.debt_state(both) == rules.FAILED and rules.next_attempt(both) is None
    assert rules.debt_state(one + [rules.Attempt(2, D2, "4")]) == rules.CLEARED


def test_check_attempt():
    today = date(2027, 8, 31)
    assert rules.check_attempt([], day=D1, result="2", commission=[], today=today) == 1
    one = [rules.Attempt(1, D1, "2")]
    with pytest.raises(Refusal, match="комиссией"):
        rules.check_attempt(one, day=D2, result="3", commission=COMMISSION[:2], today=today)
    assert rules.check_attempt(one, day=D2, result="3", commission=COMMISSION, today=today) == 2
    with pytest.raises(Refusal, match="раньше первой"):
        rules.check_attempt(one, day=D1 - timedelta(days=1), result="3", commission=COMMISSION, today=today)
    with pytest.raises(Refusal, match="в будущем"):
        rules.check_attempt([], day=today + timedelta(days=1), result="3", commission=[], today=today)
    with pytest.raises(Refusal, match="результат"):
        rules.check_attempt([], day=D1, result="7", commission=[], today=today)
    with pytest.raises(Refusal, match="дату"):
        rules.check_attempt([], day=None, result="3", commission=[], today=today)
    with pytest.raises(Refusal) as refused:
        rules.check_attempt(one + [rules.Attempt(2, D2, "2")], day=D2, result="3", commission=COMMISSION, today=today)
    assert refused.value.status == 409
    assert rules.retake_text("2", "3", D2) == "2 → 3 (пересдача 25.08.2027)"
    assert rules.is_overdue(rules.OPEN, D1, D2) and not rules.is_overdue(rules.CLEARED, D1, D2)
    assert not rules.is_overdue(rules.OPEN, None, D2) and not rules.is_overdue(rules.OPEN, D2, D1)


# --- Through the pages ----------------------------------------------------------------------------


def _conditional(client, auth, s, due_on=None):
    """The council promotes the first 5А student conditionally with a maths debt."""
    auth.login(s.deputy)
    first = s.pupils_5a[0]
    data = {"protocol_number": "12", "protocol_date": TODAY.isoformat(), f"decision-{first.id}": "promoted_conditionally",
            f"debt-{first.id}": [str(s.maths.id)], f"decision-{s.pupils_5a[1].id}": "promoted"}
    if due_on:
        data["due_on"] = due_on.isoformat()
    response = client.post(f"/reports/classes/{s.class_5a.id}/decisions", data=data)
    assert response.status_code == 303
    return db.session.scalar(select(AcademicDebt).where(AcademicDebt.student_id == first.id))


def _retake(client, debt, day, result, commission=(), number="П-1"):
    return client.post(f"/reports/debts/{debt.id}/retakes", data={
        "day": day.isoformat(), "result": result, "protocol_number": number, "commission": "\n".join(commission)})


def test_debt_cleared_in_august_updates_the_decision_and_the_summary_sheet(client, auth, small_school, tmp_path):
    s = small_school()
    year_marks_5a(s)
    debt = _conditional(client, auth, s)
    assert debt.original_mark == "2" and debt.status == "open"
    first_day, second_day = school_date(2027, 8, 20), school_date(2027, 8, 25)
    with time_machine.travel(school_moment(2027, 8, 26, 9), tick=False):
        auth.logout()
        auth.login(s.deputy)
        assert _retake(client, debt, first_day, "2", number="П-1").status_code == 303
        # the second attempt needs the commission named
        refused = _retake(client, debt, second_day, "3", COMMISSION[:1], number="П-2")
        assert refused.status_code == 400 and "комисси" in refused.get_data(as_text=True)
        assert _retake(client, debt, second_day, "3", COMMISSION, number="П-2").status_code == 303
        db.session.expire_all()
        debt = db.session.get(AcademicDebt, debt.id)
        assert debt.status == "cleared" and debt.cleared_on == second_day
        assert [(a.number, a.result) for a in debt.attempts] == [(1, "2"), (2, "3")]
        assert debt.attempts[1].commission == COMMISSION
        decision = db.session.get(CouncilDecision, debt.decision_id)
        assert decision.decision == "promoted"
        change = db.session.scalar(select(AuditEntry).where(
            AuditEntry.entity == "council_decision", AuditEntry.entity_id == decision.id,
            AuditEntry.action == "update"))
        assert change.before == {"decision": "promoted_conditionally"}
        assert change.after["decision"] == "promoted" and change.after["retake_protocol"] == "П-2"
        # no third attempt
        assert _retake(client, debt, second_day, "4", COMMISSION, number="П-3").status_code == 409
        # the summary sheet: the original mark and the retake's result
        both = f"2 → 3 (пересдача {second_day.strftime('%d.%m.%Y')})"
        page = client.get(f"/reports/classes/{s.class_5a.id}/summary?period=year")
        assert page.status_code == 200 and both in page.get_data(as_text=True)
        workbook = load_workbook(io.BytesIO(client.get(
            f"/reports/classes/{s.class_5a.id}/summary.xlsx?period=year").data))
        cells = {str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None}
        assert both in cells
        if shutil.which("pdftotext"):
            pdf = client.get(f"/reports/classes/{s.class_5a.id}/summary.pdf?period=year")
            assert pdf.status_code == 200
            path = tmp_path / "sheet.pdf"
            path.write_bytes(pdf.data)
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
            assert "пересдача" in text and second_day.strftime("%d.%m.%Y") in text
        # a quarter's sheet is untouched
        quarter = client.get(f"/reports/classes/{s.class_5a.id}/summary?period={s.quarters[1].id}")
        assert "пересдача" not in quarter.get_data(as_text=True)


def test_two_debts_the_decision_waits_for_both(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.director)
    first = s.pupils_5a[0]
    client.post(f"/reports/classes/{s.class_5a.id}/decisions", data={
        "protocol_number": "12", "protocol_date": TODAY.isoformat(), f"decision-{first.id}": "promoted_conditionally",
        f"debt-{first.id}": [str(s.maths.id), str(s.russian.id)]})
    found = {d.subject_id: d for d in db.session.scalars(select(AcademicDebt))}
    maths, russian = found[s.maths.id], found[s.russian.id]
    assert russian.original_mark == "3"  # a debt may be named on a positive mark too: the council decides
    assert _retake(client, maths, TODAY, "4").status_code == 303
    db.session.expire_all()
    assert db.session.get(CouncilDecision, maths.decision_id).decision == "promoted_conditionally"
    assert _retake(client, russian, TODAY, "зач").status_code == 303
    db.session.expire_all()
    assert db.session.get(CouncilDecision, maths.decision_id).decision == "promoted"


def test_retake_refusals_change_nothing(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    debt = _conditional(client, auth, s)
    for day, result, number in ((TODAY + timedelta(days=2), "3", "П"), (TODAY, "", "П"), (TODAY, "3", "")):
        response = _retake(client, debt, day, result, number=number)
        assert response.status_code == 400
        assert "alert-error" in response.get_data(as_text=True)
    bad = client.post(f"/reports/debts/{debt.id}/retakes", data={"day": "не дата", "result": "3", "protocol_number": "1"})
    assert bad.status_code == 400
    assert db.session.scalars(select(DebtAttempt)).all() == []
    # a subject with a recorded retake cannot be dropped from the decision
    assert _retake(client, debt, TODAY, "2").status_code == 303
    first = s.pupils_5a[0]
    response = client.post(f"/reports/classes/{s.class_5a.id}/decisions", data={
        "protocol_number": "12", "protocol_date": TODAY.isoformat(), f"decision-{first.id}": "repeat"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(AcademicDebt, debt.id) is not None
    assert db.session.get(CouncilDecision, debt.decision_id).decision == "promoted_conditionally"


def test_debts_list_by_class_and_overdue(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    debt = _conditional(client, auth, s, due_on=TODAY)
    page = client.get("/reports/debts").get_data(as_text=True)
    assert f'id="debt-{debt.id}"' in page and s.pupils_5a[0].full_name in page
    assert f'id="debt-{debt.id}"' in client.get(f"/reports/debts?class_id={s.class_5a.id}").get_data(as_text=True)
    assert f'id="debt-{debt.id}"' not in client.get(f"/reports/debts?class_id={s.class_5b.id}").get_data(as_text=True)
    assert f'id="debt-{debt.id}"' not in client.get("/reports/debts?overdue=1").get_data(as_text=True)
    debt.due_on = TODAY - timedelta(days=1)
    db.session.commit()
    overdue = client.get("/reports/debts?overdue=1").get_data(as_text=True)
    assert f'id="debt-{debt.id}" class="overdue"' in overdue and "просрочено" in overdue


def test_debts_list_queries_do_not_grow(client, auth, small_school, count_queries):
    s = small_school()
    year_marks_5a(s)
    _conditional(client, auth, s)
    client.get("/reports/debts")  # the first opening starts the school's access log
    with count_queries() as one:
        assert client.get("/reports/debts").status_code == 200
    for pupil in s.pupils_5a[2:]:
        decision = CouncilDecision(school_id=s.school.id, year_id=s.year.id, student_id=pupil.id,
                                   class_id=s.class_5a.id, decision="promoted_conditionally", protocol_number="12")
        db.session.add(decision)
        db.session.flush()
        db.session.add(AcademicDebt(school_id=s.school.id, year_id=s.year.id, student_id=pupil.id,
                                    subject_id=s.russian.id, decision_id=decision.id, original_mark="н/а"))
    db.session.commit()
    with count_queries() as many:
        assert client.get("/reports/debts").status_code == 200
    assert many.count == one.count


def test_student_page_for_the_class_teacher_only_reading(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    debt = _conditional(client, auth, s)
    page = client.get(f"/reports/students/{s.pupils_5a[0].id}/debts").get_data(as_text=True)
    assert "Записать пересдачу" in page and "Математика" in page
    auth.logout()
    auth.login(s.maths_teacher)
    page = client.get(f"/reports/students/{s.pupils_5a[0].id}/debts")
    assert page.status_code == 200 and "Математика" in page.get_data(as_text=True)
    assert "Записать пересдачу" not in page.get_data(as_text=True)
    assert _retake(client, debt, TODAY, "3").status_code == 403
    assert client.get(f"/reports/students/{s.pupils_5b[0].id}/debts").status_code == 403


def test_a_retake_after_the_year_was_closed_still_clears_the_debt(client, auth, small_school):
    """Closing the year in June does not stop the August retake (REP-5): its result and the
    decision it clears are the closed year's own follow-up; the decisions page stays refused."""
    s = small_school()
    year_marks_5a(s)
    debt = _conditional(client, auth, s)
    s.year.is_closed = True
    db.session.commit()
    assert _retake(client, debt, TODAY, "4").status_code == 303
    db.session.expire_all()
    debt = db.session.get(AcademicDebt, debt.id)
    assert debt.status == "cleared"
    assert db.session.get(CouncilDecision, debt.decision_id).decision == "promoted"
    first = s.pupils_5a[0]
    refused = client.post(f"/reports/classes/{s.class_5a.id}/decisions", data={
        "protocol_number": "13", "protocol_date": TODAY.isoformat(), f"decision-{first.id}": "repeat"})
    assert refused.status_code == 409
