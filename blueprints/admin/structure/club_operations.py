"""Use cases of additional-education groups (кружки): students of any class join and leave a
club; their class stays as it is (issue 10, item 7). Every function checks all of its input
before it changes anything, raises Refusal with a Russian message, and only flushes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import format_date
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from domain.messages import N_, Refusal
from extensions import db
from models import ClassGroup, ClubMembership, Student
from models.year_closing import ensure_year_open
from utils import audit

HISTORY_LIMIT = 200


def _d(day: date) -> str:
    return format_date(day, "dd.MM.yyyy")


def is_club(group: ClassGroup) -> bool:
    return group.kind == "extra"


def _ongoing(day: date):
    """Stays not yet over on `day` (those starting later included: they are planned)."""
    return or_(ClubMembership.until.is_(None), ClubMembership.until >= day)


def member_counts(year, day: date) -> dict[int, int]:
    """Club id -> how many students are on its list on `day`, for every club of the year."""
    return dict(
        db.session.execute(
            select(ClubMembership.group_id, func.count(ClubMembership.id))
            .join(ClassGroup, ClassGroup.id == ClubMembership.group_id)
            .where(ClassGroup.year_id == year.id, _ongoing(day))
            .group_by(ClubMembership.group_id)
        ).all()
    )


def current_members(group: ClassGroup, day: date) -> list[ClubMembership]:
    """The club's list on `day`, students of every class, in alphabetical order."""
    return list(
        db.session.scalars(
            select(ClubMembership)
            .join(Student, Student.id == ClubMembership.student_id)
            .where(ClubMembership.group_id == group.id, _ongoing(day))
            .options(selectinload(ClubMembership.student).selectinload(Student.current_class))
            .order_by(Student.last_name, Student.first_name, Student.middle_name, Student.id)
        )
    )


def past_members(group: ClassGroup, day: date) -> list[ClubMembership]:
    """Stays that ended before `day`, the latest first: the history is kept, never deleted."""
    return list(
        db.session.scalars(
            select(ClubMembership)
            .where(ClubMembership.group_id == group.id, ClubMembership.until < day)
            .options(selectinload(ClubMembership.student).selectinload(Student.current_class))
            .order_by(ClubMembership.until.desc(), ClubMembership.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )


def candidates(group: ClassGroup, class_group: ClassGroup, day: date) -> list[Student]:
    """Students now in `class_group` who are not in the club on `day`."""
    inside = select(ClubMembership.student_id).where(ClubMembership.group_id == group.id, _ongoing(day))
    return list(
        db.session.scalars(
            select(Student)
            .where(
                Student.current_class_id == class_group.id,
                Student.is_withdrawn.is_(False),
                Student.id.not_in(inside),
            )
            .order_by(Student.last_name, Student.first_name, Student.middle_name, Student.id)
        )
    )


def _require_club_open(group: ClassGroup) -> None:
    if not is_club(group):
        raise Refusal(N_("%(name)s — класс, а не объединение дополнительного образования."), name=group.name)
    ensure_year_open(group.year)


def _require_in_year(group: ClassGroup, day: date) -> None:
    year = group.year
    if not year.start_date <= day <= year.end_date:
        raise Refusal(
            N_("Дата должна лежать внутри учебного года %(name)s (%(start)s — %(end)s)."),
            name=year.name,
            start=_d(year.start_date),
            end=_d(year.end_date),
        )


def add_members(group: ClassGroup, students: Iterable[Student], since: date) -> list[ClubMembership]:
    """Students of any class join the club from `since`; a student already in it (a stay not
    over by that date) is refused, and then nobody is added."""
    students = list(students)
    _require_club_open(group)
    if not students:
        raise Refusal(N_("Отметьте обучающихся, которых нужно записать."))
    _require_in_year(group, since)
    ids = [s.id for s in students]
    busy = {
        m.student_id: m
        for m in db.session.scalars(
            select(ClubMembership).where(
                ClubMembership.group_id == group.id, ClubMembership.student_id.in_(ids), _ongoing(since)
            )
        )
    }
    for student in students:
        if student.school_id != group.school_id:
            raise Refusal(N_("Обучающийся не найден."), status=404)
        if student.is_withdrawn or student.current_class_id is None:
            raise Refusal(N_("%(name)s выбыл(а) из школы: записать нельзя."), name=student.full_name)
        if student.id in busy:
            raise Refusal(N_("%(name)s уже занимается в объединении %(group)s."), name=student.full_name, group=group.name)
    added = []
    for student in students:
        membership = ClubMembership(group=group, student=student, since=since)
        db.session.add(membership)
        added.append(membership)
    db.session.flush()
    for membership in added:
        audit.record(
            "club_membership",
            membership.id,
            "create",
            after={"group": group.name, "student_id": membership.student_id, "since": since.isoformat()},
            school_id=group.school_id,
        )
    return added


def end_membership(membership: ClubMembership, until: date) -> None:
    """The student leaves the club; `until` is the last day of the stay, which is kept."""
    group = membership.group
    _require_club_open(group)
    if membership.until is not None:
        raise Refusal(
            N_("%(name)s уже не занимается в объединении (по %(until)s)."),
            name=membership.student.full_name,
            until=_d(membership.until),
        )
    _require_in_year(group, until)
    if until < membership.since:
        raise Refusal(
            N_("Последний день не может быть раньше даты записи (%(since)s)."), since=_d(membership.since)
        )
    membership.until = until
    db.session.flush()
    audit.record(
        "club_membership",
        membership.id,
        "end",
        before={"until": None},
        after={"group": group.name, "student_id": membership.student_id, "until": until.isoformat()},
        school_id=group.school_id,
    )


def leave_clubs(student: Student, last_day: date) -> None:
    """A student who leaves the school leaves every club on the same day (001:2.6.10)."""
    for membership in db.session.scalars(
        select(ClubMembership).where(ClubMembership.student_id == student.id, ClubMembership.until.is_(None))
    ):
        membership.until = max(last_day, membership.since)
