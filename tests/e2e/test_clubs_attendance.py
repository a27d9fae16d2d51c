"""The robotics club's teacher takes attendance on a tablet (JRN-9): logged in as the
additional-education teacher at 1024 × 768, she opens the club's session of today from the
club's journal, ticks who is absent, and the absences are stored."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import Attendance, ClassGroup, ClubMembership, Lesson, ScheduleSlot, Subject, TeachingAssignment
from tests.e2e.test_journal_grid import _log_in
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e


@pytest.fixture
def robotics(small_school):
    s = small_school()
    club = ClassGroup(school=s.school, year=s.year, name="Робототехника", grade=5, kind="extra",
                      period_scheme="quarter", attendance_only=True, class_teacher=s.extra_teacher)
    subject = Subject(school=s.school, name="Робототехника", short_name="Робот")
    db.session.add_all([club, subject])
    db.session.flush()
    assignment = TeachingAssignment(school=s.school, year=s.year, teacher=s.extra_teacher, class_group=club,
                                    subject=subject, scale=s.none_scale)
    db.session.add(assignment)
    today = school_today(s.school.timezone)
    db.session.add(ScheduleSlot(school=s.school, assignment=assignment, weekday=today.isoweekday(), lesson_number=8,
                                room="307", valid_from=s.year.start_date))
    members = [s.pupils_5a[0], s.pupils_5a[1], s.pupils_5b[0]]
    db.session.add_all([ClubMembership(group=club, student=p, since=s.year.start_date) for p in members])
    db.session.commit()
    s.club_assignment_id = assignment.id
    s.today = today
    s.member_ids = [p.id for p in members]
    s.member_names = [p.full_name for p in members]
    db.session.close()
    return s


def test_the_club_teacher_takes_attendance_on_a_tablet(live_server, new_page, screenshot, robotics):
    from playwright.sync_api import expect

    s = robotics
    page = new_page(1024, 768, has_touch=True)
    _log_in(page, live_server, "extra")
    page.goto(f"{live_server}/journal/clubs")
    page.get_by_role("link", name="Робототехника").click()
    page.get_by_role("button", name="Отметить посещаемость: занятие 8").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Отметьте, кого нет на занятии.")).to_be_visible()
    # the members of two classes are listed; tick the absent one by tapping the name
    for name in s.member_names:
        expect(page.get_by_text(name)).to_be_visible()
    page.get_by_label(s.member_names[1]).check()
    box = page.get_by_role("button", name="Сохранить посещаемость").bounding_box()
    assert box["y"] + box["height"] <= 768  # reachable without scrolling on the tablet
    page.get_by_role("button", name="Сохранить посещаемость").click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("Посещаемость сохранена")).to_be_visible()
    expect(page.get_by_label(s.member_names[1])).to_be_checked()
    screenshot(page, "clubs-attendance-tablet")

    lesson = db.session.scalar(select(Lesson).where(Lesson.assignment_id == s.club_assignment_id))
    assert lesson is not None and lesson.date == s.today
    absent = set(db.session.scalars(select(Attendance.student_id).where(
        Attendance.lesson_id == lesson.id, Attendance.is_deleted.is_(False))))
    assert absent == {s.member_ids[1]}
    db.session.close()
