"""The pedagogical council's decisions (REP-6, issue 14 item 1): the rule that suggests a
decision from the year marks, the class page with the year's marks beside the decisions, the
suggestion never saved without a submit, the protocol once per class, debts' subjects required
for a conditional promotion, «выпущен» only in grades 9 and 11, history on every change, the
class teacher reading only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain import year_end as rules
from domain.messages import Refusal
from extensions import db
from models import AuditEntry
from models.archive import CouncilDecision
from models.debts import AcademicDebt
from tests.clock import TODAY
from tests.year_end_fixtures import year_marks_5a

# --- Pure rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "marks", "expected"), [
    (5, ["4", "5", "3"], rules.PROMOTED),
    (5, ["4", "2"], rules.CONDITIONAL),
    (7, ["н/а", "5"], rules.CONDITIONAL),
    (9, ["4", "зач"], rules.GRADUATED),
    (11, ["5"], rules.GRADUATED),
    (11, ["5", "2"], rules.CONDITIONAL),
    (5, [], None),
    (5, ["", ""], None),
])
def test_suggested_decision(grade, marks, expected):
    assert rules.suggest_decision(grade, marks) == expected


def test_decision_rules():
    rules.check_decision(rules.CONDITIONAL, 5, [1])
    rules.check_decision(rules.GRADUATED, 9, [])
    with pytest.raises(Refusal, match="9 и 11"):
        rules.check_decision(rules.GRADUATED, 8, [])
    with pytest.raises(Refusal, match="предметы"):
        rules.check_decision(rules.CONDITIONAL, 5, [])
    with pytest.raises(Refusal, match="только при условном"):
        rules.check_decision(rules.PROMOTED, 5, [1])
    with pytest.raises(Refusal):
        rules.check_decision("expelled", 5, [])
    assert rules.failing_subjects({1: "2", 2: "4", 3: "н/а"}) == [1, 3]


# --- The class page ---------------------------------------------------------------------------------


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _form(s, decisions: dict, debts: dict | None = None, number="12", day=None):
    data = {"protocol_number": number, "protocol_date": (day or TODAY).isoformat()}
    for pupil, decision in decisions.items():
        data[f"decision-{pupil.id}"] = decision
    for pupil, subjects in (debts or {}).items():
        data[f"debt-{pupil.id}"] = [str(x.id) for x in subjects]
    return data


def test_page_shows_year_marks_and_suggestions_without_saving(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.deputy)
    page = client.get(f"/reports/classes/{s.class_5a.id}/decisions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="mark year bad">2<' in html  # the «2» highlighted
    assert "предложено по отметкам, не сохранено" in html
    assert f'name="decision-{s.pupils_5a[0].id}"' in html
    assert '<option value="promoted_conditionally" selected>' in html
    assert _count(CouncilDecision) == 0  # a suggestion is never saved without a submit


def test_saving_decisions_creates_debts_and_history(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.deputy)
    first, second = s.pupils_5a[0], s.pupils_5a[1]
    url = f"/reports/classes/{s.class_5a.id}/decisions"
    response = client.post(url, data=_form(s, {first: "promoted_conditionally", second: "promoted"},
                                           {first: [s.maths]}))
    assert response.status_code == 303
    saved = {d.student_id: d for d in db.session.scalars(select(CouncilDecision))}
    assert set(saved) == {first.id, second.id}  # only the students given a decision
    assert saved[first.id].decision == "promoted_conditionally"
    assert saved[first.id].protocol_number == "12" and saved[first.id].protocol_date == TODAY
    debt = db.session.scalar(select(AcademicDebt))
    assert (debt.student_id, debt.subject_id, debt.original_mark, debt.status) == (first.id, s.maths.id, "2", "open")
    history = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "council_decision")).all()
    assert len(history) == 2 and {h.action for h in history} == {"create"}
    # a change: the council leaves the first student to repeat the year; the debt goes, history says so
    response = client.post(url, data=_form(s, {first: "repeat"}))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CouncilDecision, saved[first.id].id).decision == "repeat"
    assert _count(AcademicDebt) == 0
    change = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "council_decision",
                                                        AuditEntry.action == "update"))
    assert change.before["decision"] == "promoted_conditionally" and change.after["decision"] == "repeat"
    assert change.before["debt_subjects"] == [s.maths.id]
    # the same submission again changes nothing and writes no history
    client.post(url, data=_form(s, {first: "repeat"}))
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "council_decision")) == 3


@pytest.mark.parametrize(("decision", "debts", "message"), [
    ("graduated", False, "только для 9 и 11"),
    ("promoted_conditionally", False, "укажите предметы"),
    ("promoted", True, "только при условном"),
    ("expelled", False, "Неизвестное решение"),
])
def test_wrong_decisions_are_refused_and_nothing_saved(client, auth, small_school, decision, debts, message):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.director)
    first = s.pupils_5a[0]
    response = client.post(f"/reports/classes/{s.class_5a.id}/decisions",
                           data=_form(s, {s.pupils_5a[1]: "promoted", first: decision},
                                      {first: [s.maths]} if debts else None))
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert _count(CouncilDecision) == 0 and _count(AcademicDebt) == 0


@pytest.mark.parametrize(("number", "day", "message"), [
    ("", TODAY, "номер протокола"),
    ("5", None, "дату протокола"),
    ("5", TODAY + timedelta(days=3), "в будущем"),
])
def test_protocol_is_required(client, auth, small_school, number, day, message):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.deputy)
    data = _form(s, {s.pupils_5a[1]: "promoted"}, number=number, day=day)
    if day is None:
        data["protocol_date"] = ""
    response = client.post(f"/reports/classes/{s.class_5a.id}/decisions", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(CouncilDecision) == 0


def test_bad_date_and_foreign_subject_are_refused(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.deputy)
    url = f"/reports/classes/{s.class_5a.id}/decisions"
    data = _form(s, {s.pupils_5a[1]: "promoted"})
    data["protocol_date"] = "31.02.2027"
    assert client.post(url, data=data).status_code == 400
    data = _form(s, {s.pupils_5a[0]: "promoted_conditionally"})
    data[f"debt-{s.pupils_5a[0].id}"] = ["abc"]
    assert client.post(url, data=data).status_code == 400
    assert _count(CouncilDecision) == 0


def test_class_teacher_reads_without_a_form_and_cannot_save(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    auth.login(s.deputy)
    saved = client.post(f"/reports/classes/{s.class_5a.id}/decisions", data=_form(s, {s.pupils_5a[1]: "promoted"}))
    assert saved.status_code == 303
    auth.logout()
    auth.login(s.maths_teacher)
    page = client.get(f"/reports/classes/{s.class_5a.id}/decisions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "переведён" in html and "Протокол № 12" in html
    assert "name=\"decision-" not in html and "type=\"submit\">Сохранить решения" not in html
    assert client.post(f"/reports/classes/{s.class_5a.id}/decisions",
                       data=_form(s, {s.pupils_5a[1]: "repeat"})).status_code == 403
    assert client.get(f"/reports/classes/{s.class_5b.id}/decisions").status_code == 403
    assert client.get(f"/reports/classes/{s.class_5a.id}/decisions?year={s.year.id + 1000}").status_code == 404


def test_closed_year_is_read_only(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    s.year.is_closed = True
    db.session.commit()
    auth.login(s.director)
    response = client.post(f"/reports/classes/{s.class_5a.id}/decisions", data=_form(s, {s.pupils_5a[1]: "promoted"}))
    assert response.status_code == 409
    assert "Учебный год закрыт" in response.get_data(as_text=True)
    assert _count(CouncilDecision) == 0


def test_year_sheet_links_the_decisions_for_those_who_may_open_them(client, auth, small_school):
    s = small_school()
    year_marks_5a(s)
    link = f'href="/reports/classes/{s.class_5a.id}/decisions"'
    auth.login(s.deputy)
    assert link in client.get(f"/reports/classes/{s.class_5a.id}/summary?period=year").get_data(as_text=True)
    auth.logout()
    auth.login(s.methodist)  # reads the sheet, not the council's decisions
    page = client.get(f"/reports/classes/{s.class_5a.id}/summary?period=year")
    assert page.status_code == 200 and link not in page.get_data(as_text=True)
