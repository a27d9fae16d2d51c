"""Closing a school year (ARC-1): the director's checklist (marks, council decisions, printed
summary sheets), the refusal with the list while an item is unmet, the closing with its history
and "after closing" actions, the guard on the year's data, and `flask demo fill-year`."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from blueprints.admin.structure import year_closing_operations as closing
from demo.year_end import fill_year
from extensions import db
from models import AcademicYear, ClassGroup, ClassMembership, Mark, PeriodMark, Printout, StudyPeriod
from models.archive import CouncilDecision
from models.year_closing import YearClosed, YearClosing, closed_year_changes_allowed, ensure_year_open


def text(response) -> str:
    return response.get_data(as_text=True)


def after_the_year(s):
    """A moment a week after the year's last day (the year closes only after its end)."""
    return time_machine.travel(
        datetime.combine(s.year.end_date + timedelta(days=7), time(9, 0), tzinfo=timezone.utc), tick=False
    )


def decide_all(s) -> None:
    """The council's decisions for every student of the year (another page enters them)."""
    rows = db.session.execute(
        select(ClassMembership.student_id, ClassMembership.class_id)
        .join(ClassGroup, ClassGroup.id == ClassMembership.class_id)
        .where(ClassGroup.year_id == s.year.id)
    ).all()
    for student_id, class_id in rows:
        db.session.add(CouncilDecision(school_id=s.school.id, year_id=s.year.id, student_id=student_id,
                                       class_id=class_id, decision="promoted", protocol_number="5"))
    db.session.flush()


def print_sheets(s) -> None:
    """A certified printout of the year's summary sheet for every class (as the PDF route records it)."""
    for i, c in enumerate(db.session.scalars(select(ClassGroup).where(ClassGroup.year_id == s.year.id))):
        db.session.add(Printout(
            school_id=s.school.id, code=f"TESTYEAR{c.id:04d}{i}", kind="summary_sheet", title=f"Сводная ведомость {c.name}",
            of={"class_id": c.id, "period_id": "year"}, printed_by_id=s.director.id, printed_by_name="Смирнова Анна",
            sha256="0" * 64, size=1, path=f"x/{c.id}.pdf",
        ))
    db.session.flush()


def make_closable(s) -> None:
    fill_year(s.year)
    decide_all(s)
    print_sheets(s)
    db.session.commit()


def test_the_checklist_lists_what_is_missing_and_closing_is_refused_with_it(client, auth, small_school):
    s = small_school()
    with after_the_year(s):
        auth.login(s.director)
        page = text(client.get(f"/admin/years/{s.year.id}/close"))
        assert 'id="check-marks" class="missing"' in page
        assert "5А, Математика, 1 четверть: 4" in page and f"/journal/assignments/{s.maths_5a.id}" in page
        assert 'id="check-decisions" class="missing"' in page and "Петров Пётр" in page
        assert 'id="check-summary_sheets" class="missing"' in page
        assert 'id="year-checklist-unmet"' in page and "Закрыть год</button>" not in page

        response = client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"})
        assert response.status_code == 409
        body = text(response)
        assert "не выполнены пункты проверки" in body and "5Б, Математика" in body
    db.session.expire_all()
    assert not db.session.get(AcademicYear, s.year.id).is_closed
    assert db.session.scalar(select(func.count()).select_from(YearClosing)) == 0


def test_each_item_turns_green_on_its_own(small_school):
    s = small_school()
    assert [i.ok for i in closing.checklist(s.year)] == [False, False, False]
    fill_year(s.year)
    assert [i.ok for i in closing.checklist(s.year)] == [True, False, False]
    decide_all(s)
    assert [i.ok for i in closing.checklist(s.year)] == [True, True, False]
    print_sheets(s)
    assert [i.ok for i in closing.checklist(s.year)] == [True, True, True]


def test_only_the_director_closes_a_year(client, auth, small_school):
    s = small_school()
    make_closable(s)
    with after_the_year(s):
        for user in (s.admin, s.deputy, s.tech_admin):
            auth.login(user)
            assert client.get(f"/admin/years/{s.year.id}/close").status_code == 403
            assert client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"}).status_code == 403
            # the year page offers them no closing
            assert f"/admin/years/{s.year.id}/close" not in text(client.get(f"/admin/years/{s.year.id}"))
            auth.logout()
    db.session.expire_all()
    assert not db.session.get(AcademicYear, s.year.id).is_closed


def test_the_director_closes_after_confirmation_and_the_closing_is_recorded(client, auth, small_school):
    s = small_school()
    make_closable(s)
    called = []
    closing.AFTER_CLOSING.append(lambda year, actor: called.append((year.id, actor.id)))
    try:
        with after_the_year(s):
            auth.login(s.director)
            assert f"/admin/years/{s.year.id}/close" in text(client.get(f"/admin/years/{s.year.id}"))
            page = text(client.get(f"/admin/years/{s.year.id}/close"))
            assert page.count("✓") == 3 and "data-confirm" in page
            unconfirmed = client.post(f"/admin/years/{s.year.id}/close", data={})
            assert unconfirmed.status_code == 400 and "Отметьте подтверждение" in text(unconfirmed)
            assert not called
            response = client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"})
            assert response.status_code == 302
            assert 'id="year-closing-history-link"' in text(client.get(f"/admin/years/{s.year.id}"))
            history = text(client.get(f"/admin/years/{s.year.id}/close"))
            assert "Закрыл(а) Смирнова Анна" in history
            again = client.post(f"/admin/years/{s.year.id}/close", data={"confirm": "y"})
            assert again.status_code == 400 and "уже закрыт" in text(again)
    finally:
        closing.AFTER_CLOSING.pop()
    db.session.expire_all()
    assert db.session.get(AcademicYear, s.year.id).is_closed
    assert db.session.scalar(select(func.count()).select_from(StudyPeriod).where(StudyPeriod.is_closed.is_(False))) == 0
    row = db.session.scalar(select(YearClosing))
    assert row.closed_by_id == s.director.id and row.checklist == {"marks": True, "decisions": True, "summary_sheets": True}
    assert called == [(s.year.id, s.director.id)]


def test_a_closed_years_data_is_refused_at_the_flush(small_school):
    s = small_school()
    make_closable(s)
    with closed_year_changes_allowed():
        s.year.is_closed = True
        db.session.commit()
    mark = db.session.scalar(select(PeriodMark).limit(1))
    mark.value = "2"
    with pytest.raises(YearClosed) as refused:
        db.session.flush()
    assert "Учебный год" in refused.value.message and "закрыт" in refused.value.message
    assert refused.value.status == 409
    db.session.rollback()
    with pytest.raises(YearClosed):
        ensure_year_open(s.year)
    # a new lesson's mark, found through its lesson and assignment
    db.session.delete(db.session.scalar(select(PeriodMark).limit(1)))
    with pytest.raises(YearClosed):
        db.session.flush()
    db.session.rollback()
    # what the closing itself (and a debt's retake, a destruction act) may still do
    with closed_year_changes_allowed():
        db.session.scalar(select(PeriodMark).limit(1)).reason = "пересдача"
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0  # nothing slipped in


def test_fill_year_sets_only_the_missing_marks_from_the_period_marks(small_school):
    s = small_school()
    fill_year(s.year)
    marks = db.session.scalars(select(PeriodMark)).all()
    # 5А: maths, Russian for 4 pupils, English by group (2 + 2); 5Б maths for 2; 1А has no marks
    assert len(marks) == 4 * (4 + 4 + 2 + 2 + 2)
    assert {m.value for m in marks} == {"4"}
    assert fill_year(s.year) == 0


def test_the_fill_year_command(app, runner, small_school):
    s = small_school()
    result = runner.invoke(args=["demo", "fill-year", "--year", str(s.year.id)])
    assert result.exit_code == 0, result.output
    assert "56 period and year marks set" in result.output
    missing = runner.invoke(args=["demo", "fill-year", "--year", "999999"])
    assert missing.exit_code != 0 and "No such school year" in missing.output
