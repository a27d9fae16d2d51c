"""Suspension of access to personal data (PD-5, 001:5.5.5): the director suspends the school,
a user or a category with the reason; the personal-data pages refuse with it, the journal's own
marking keeps working, the director's register stays open, and lifting restores the pages."""
from __future__ import annotations

from sqlalchemy import func, select

from blueprints.journal import operations
from extensions import db
from models import AuditEntry, Mark, WorkKind
from models.pd_register import Suspension
from tests.clock import school_date

P = "/personal-data"
REASON = "Выявлена передача списка класса постороннему лицу"


def _suspend(client, **data):
    return client.post(f"{P}/suspensions", data={"reason": REASON, **data})


def _active():
    db.session.expire_all()
    return db.session.scalars(select(Suspension).where(Suspension.lifted_at.is_(None))).all()


def test_school_suspension_refuses_with_the_reason_and_lifting_restores(client, auth, small_school):
    s = small_school()
    consent = f"{P}/students/{s.pupils_5a[0].id}/consent"
    auth.login(s.director)
    assert _suspend(client, scope="school").status_code == 303
    [suspension] = _active()
    assert suspension.scope == "school" and suspension.started_by_id == s.director.id
    # the director's own register stays reachable; their personal-data pages do not
    assert client.get(f"{P}/suspensions").status_code == 200
    assert client.get(f"{P}/orders").status_code == 200
    refused = client.get(consent)
    assert refused.status_code == 403 and REASON in refused.get_data(as_text=True)
    client.post("/auth/switch")
    auth.login(s.maths_teacher)
    refused = client.get(consent)
    assert refused.status_code == 403 and REASON in refused.get_data(as_text=True)
    # the banner tells staff on every page
    assert REASON in client.get("/").get_data(as_text=True)
    client.post("/auth/switch")
    auth.login(s.director)
    # lifting asks for confirmation
    client.post(f"{P}/suspensions/{suspension.id}/lift", data={"note": "устранено"})
    assert len(_active()) == 1
    assert client.post(f"{P}/suspensions/{suspension.id}/lift", data={"note": "устранено", "confirm": "y"}).status_code == 303
    assert _active() == []
    assert db.session.get(Suspension, suspension.id).lift_note == "устранено"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "pd_suspension")).all()
    assert sorted(actions) == ["lift", "start"]
    assert client.get(consent).status_code == 200
    assert REASON in client.get(f"{P}/suspensions").get_data(as_text=True)  # in the past list


def test_the_journal_marking_keeps_working_under_a_school_suspension(client, auth, small_school):
    s = small_school()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 20), 2, "Дроби", [kinds["oral"]])
    db.session.add(Suspension(school_id=s.school.id, scope="school", reason=REASON))
    db.session.commit()
    auth.login(s.maths_teacher)
    pupil = s.pupils_5a[0]
    response = client.put(f"/journal/lessons/{lesson.id}/cells/{pupil.id}",
                          data={"value": "5", "key": "k1", "reason": "по бумажному журналу"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Mark).where(Mark.lesson_id == lesson.id)) == 1
    assert client.get(f"/journal/assignments/{s.maths_5a.id}").status_code == 200


def test_user_suspension_refuses_only_that_user(client, auth, small_school):
    s = small_school()
    consent = f"{P}/students/{s.pupils_5a[0].id}/consent"
    auth.login(s.director)
    assert _suspend(client, scope="user", user=s.maths_teacher.id).status_code == 303
    assert client.get(consent).status_code == 200  # the director is not suspended
    client.post("/auth/switch")
    auth.login(s.maths_teacher)
    refused = client.get(consent)
    assert refused.status_code == 403 and REASON in refused.get_data(as_text=True)


def test_category_suspension_refuses_the_pages_of_that_category(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    assert _suspend(client, scope="category", category="2.1").status_code == 303
    assert client.get(f"/admin/people/parents/{s.parent_a.id}/edit").status_code == 403
    # the student page of 1.1 still opens, without the parents' section
    page = client.get(f"/admin/people/students/{s.pupils_5a[0].id}")
    assert page.status_code == 200 and s.parent_a.full_name not in page.get_data(as_text=True)


def test_bad_input_is_refused_in_russian_and_changes_nothing(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    for data in ({"scope": "school", "reason": ""}, {"scope": "user", "user": s.director.id},
                 {"scope": "user", "user": 999999}, {"scope": "category", "category": "9.9"}, {"scope": "nope"}):
        response = client.post(f"{P}/suspensions", data={"reason": REASON, **data} if "reason" not in data else data)
        assert response.status_code == 400, data
        assert "Traceback" not in response.get_data(as_text=True)
    assert _active() == []


def test_only_the_director_suspends(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    assert _suspend(client, scope="school").status_code == 403
    assert _active() == []
