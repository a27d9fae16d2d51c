"""The demo's distance assignment (demo/assignments.py) and the links to the assignments from
the diary and the journal."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import JournalChange, Mark
from models.assignments import DistanceAssignment, DistanceSubmission


def test_the_demo_has_an_assignment_with_a_late_and_a_marked_submission(runner):
    result = runner.invoke(args=["demo", "--password", "demo2026"])
    assert result.exit_code == 0, result.output
    [item] = db.session.scalars(select(DistanceAssignment)).all()
    assert item.assignment.class_group.name == "5А" and item.assignment.subject.name == "Математика"
    submissions = db.session.scalars(select(DistanceSubmission)).all()
    assert sorted((s.is_late, s.status) for s in submissions) == [(False, "checked"), (True, "submitted")]
    marked = next(s for s in submissions if s.status == "checked")
    mark = db.session.scalar(select(Mark).where(Mark.lesson_id == item.lesson_id, Mark.student_id == marked.student_id,
                                                Mark.work_kind_id == item.work_kind_id))
    assert mark is not None and mark.value == marked.mark_value
    assert db.session.scalar(select(JournalChange.id).where(JournalChange.via == "assignment")) is not None


def test_the_diary_and_the_journal_link_to_the_assignments(client, auth, small_school):
    s = small_school()
    auth.login(s.parent_a)
    page = client.get(f"/diary/students/{s.pupils_5a[0].id}/week").get_data(as_text=True)
    assert 'href="/assignments/"' in page
    auth.logout()
    auth.login("maths")
    page = client.get(f"/journal/assignments/{s.maths_5a.id}").get_data(as_text=True)
    assert 'href="/assignments/"' in page
