"""A personal-data page that only reads keeps its access-log entry (PD-6): the gate's entry is
committed after a successful response, and a refused request leaves none."""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from models.pd_register import AccessLogEntry


def _entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AccessLogEntry))


def test_a_read_only_page_keeps_its_log_entry(app, client, auth, small_school):
    s = small_school()
    db.session.commit()
    student_id, teacher_id = s.pupils_5a[0].id, s.maths_teacher.id
    auth.login(s.maths_teacher)  # class teacher of 5А
    before = _entries(app)
    response = client.get(f"/personal-data/students/{student_id}/consent")
    assert response.status_code == 200
    db.session.remove()
    assert _entries(app) == before + 1
    with app.app_context():
        entry = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
        assert entry.user_id == teacher_id and entry.student_ids == [student_id]


def test_a_refused_page_leaves_no_entry(app, client, auth, small_school, create_user):
    s = small_school()
    outsider = create_user(s.school, "journal_admin", login="outsider", pd_categories=())
    db.session.commit()
    student_id = s.pupils_5a[0].id
    auth.login(outsider)
    before = _entries(app)
    response = client.get(f"/personal-data/students/{student_id}/consent")
    assert response.status_code == 403
    db.session.remove()
    assert _entries(app) == before
