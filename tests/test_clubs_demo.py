"""The demo's robotics club keeps its journal (JRN-9): sessions with topics and attendance, the
year's results in levels, an achievement; the member's diary and the printout show them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Attendance, ClassGroup, ClubAchievement, ClubResult, Lesson, TeachingAssignment

DEMO_PASSWORD = "demo2026"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    return result


def test_the_robotics_club_has_sessions_attendance_results_and_an_achievement(demo, client):
    robotics = db.session.scalar(select(ClassGroup).where(ClassGroup.kind == "extra"))
    assignment = db.session.scalar(select(TeachingAssignment).where(TeachingAssignment.class_id == robotics.id))
    sessions = list(db.session.scalars(select(Lesson).where(Lesson.assignment_id == assignment.id)))
    assert len(sessions) >= 4 and all(s.topic for s in sessions)
    assert db.session.scalar(select(func.count(Attendance.id)).join(Lesson, Lesson.id == Attendance.lesson_id)
                             .where(Lesson.assignment_id == assignment.id)) >= 1
    results = list(db.session.scalars(select(ClubResult).where(ClubResult.group_id == robotics.id)))
    assert results and {r.value for r in results} <= {"начальный", "базовый", "продвинутый"}
    achievement = db.session.scalar(select(ClubAchievement).where(ClubAchievement.group_id == robotics.id))
    # the achiever's diary shows the club, seen by the club's own teacher's page too
    teacher = assignment.teacher
    assert client.post("/auth/login", data={"login": teacher.login, "password": DEMO_PASSWORD}).status_code == 302
    page = client.get(f"/journal/clubs/{assignment.id}").get_data(as_text=True)
    assert achievement.event in page and sessions[-1].topic in page
    assert client.get(f"/journal/clubs/{assignment.id}/print").mimetype == "application/pdf"
