"""Access rules for the additional-education groups' journal (JRN-9, blueprints/journal/
clubs.py): the group's teacher (extra_teacher) keeps it, the academic office reads it, other
teachers and families are refused (the diary shows a family only their child's groups).

The objects are made on first use from small_school (`club_school`): a chess club of
Кружкова with Петров Пётр (5А) and Сидоров Семён (5Б), a session with an absence, an
achievement."""
from __future__ import annotations

from tests.access import OFFICE, Rule
from tests.clock import school_date

SESSION_DAY = school_date(2026, 11, 20)
EXTRA = frozenset({"extra_teacher"})
READERS = EXTRA | OFFICE
C = "/journal/clubs"


def club_school(s):
    """Adds to small_school: s.chess (the group, quarters), s.chess_assignment, s.chess_session
    (a session on SESSION_DAY), s.chess_achievement; members pupils_5a[0] and pupils_5b[0]."""
    from blueprints.journal import operations
    from extensions import db
    from models import ClassGroup, ClubAchievement, ClubMembership, Subject, TeachingAssignment

    if hasattr(s, "chess"):
        return s
    s.chess = ClassGroup(school=s.school, year=s.year, name="Шахматы", grade=5, kind="extra",
                         period_scheme="quarter", attendance_only=True, class_teacher=s.extra_teacher)
    subject = Subject(school=s.school, name="Шахматы", short_name="Шахм")
    db.session.add_all([s.chess, subject])
    db.session.flush()
    s.chess_assignment = TeachingAssignment(school=s.school, year=s.year, teacher=s.extra_teacher,
                                            class_group=s.chess, subject=subject, scale=s.none_scale)
    db.session.add(s.chess_assignment)
    db.session.add_all([ClubMembership(group=s.chess, student=p, since=s.year.start_date)
                        for p in (s.pupils_5a[0], s.pupils_5b[0])])
    db.session.flush()
    s.chess_session = operations.create_lesson(s.chess_assignment, s.extra_teacher, SESSION_DAY, 8, "Дебюты")
    s.chess_achievement = ClubAchievement(group_id=s.chess.id, student_id=s.pupils_5a[0].id, event="Турнир",
                                          date=SESSION_DAY, level="school", result="1 место")
    db.session.add(s.chess_achievement)
    db.session.commit()
    return s


def _a(s) -> int:
    return club_school(s).chess_assignment.id


def _session_url(s) -> str:
    club_school(s)
    return f"{C}/{s.chess_assignment.id}/sessions/{s.chess_session.id}"


def _period(s) -> int:
    from sqlalchemy import select

    from extensions import db
    from models import StudyPeriod

    return db.session.scalar(select(StudyPeriod.id).where(StudyPeriod.year_id == s.year.id,
                                                          StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))


RULES = [
    Rule("GET", "/journal/clubs", READERS, lambda s: C),
    Rule("GET", "/journal/clubs/<int:assignment_id>", READERS, lambda s: f"{C}/{_a(s)}"),
    Rule("POST", "/journal/clubs/<int:assignment_id>/sessions/open", EXTRA, lambda s: f"{C}/{_a(s)}/sessions/open",
         data=lambda s: {"lesson_number": "8"}),
    Rule("GET", "/journal/clubs/<int:assignment_id>/sessions/<int:lesson_id>", READERS, _session_url),
    Rule("POST", "/journal/clubs/<int:assignment_id>/sessions/<int:lesson_id>", EXTRA, _session_url,
         data=lambda s: {"absent": [str(s.pupils_5a[0].id)]}),
    Rule("POST", "/journal/clubs/<int:assignment_id>/form", EXTRA, lambda s: f"{C}/{_a(s)}/form",
         data=lambda s: {"form": "text", "levels": ""}),
    Rule("POST", "/journal/clubs/<int:assignment_id>/results", EXTRA, lambda s: f"{C}/{_a(s)}/results",
         data=lambda s: {"period_id": str(_period(s)), f"result-{s.pupils_5a[0].id}": "passed"}),
    Rule("POST", "/journal/clubs/<int:assignment_id>/achievements", EXTRA, lambda s: f"{C}/{_a(s)}/achievements",
         data=lambda s: {"student_id": str(s.pupils_5a[0].id), "event": "Олимпиада", "date": "2026-11-20",
                         "level": "municipal", "result": "2 место"}),
    Rule("POST", "/journal/clubs/<int:assignment_id>/achievements/<int:achievement_id>/delete", EXTRA,
         lambda s: f"{C}/{_a(s)}/achievements/{s.chess_achievement.id}/delete"),
    Rule("GET", "/journal/clubs/<int:assignment_id>/print", READERS, lambda s: f"{C}/{_a(s)}/print"),
]
