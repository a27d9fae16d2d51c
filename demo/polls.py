"""The demo's polls (COM-2): one open anonymous poll of the parents of 5А about the class's
excursion, one answer per family, answered by some of the families."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import AcademicYear, ClassGroup, ParentLink, School, Student, User
from models.polls import Poll, PollAudience, PollOption
from utils.timeutil import school_today


def fill(school_id: int, seed: int) -> dict[str, int]:
    from blueprints.polls import operations as ops

    school = db.session.get(School, school_id)
    class_5a = db.session.scalar(
        select(ClassGroup).join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
        .where(ClassGroup.school_id == school_id, ClassGroup.name == "5А", AcademicYear.is_current.is_(True)))
    if school is None or class_5a is None:
        return {"polls": 0, "poll_answers": 0}
    today = school_today(school.timezone)
    author_id = class_5a.class_teacher_id or db.session.scalar(
        select(User.id).where(User.school_id == school_id).order_by(User.id))
    poll = Poll(school_id=school_id, author_id=author_id, title="Экскурсия 5А в краеведческий музей",
                question="Какой день вам удобнее для экскурсии класса?", kind="single",
                opens_on=today - timedelta(days=2), closes_on=today + timedelta(days=12),
                is_anonymous=True, per_family=True)
    poll.options = [PollOption(position=n, text=t) for n, t in enumerate(
        ("Суббота, первая половина дня", "Суббота, вторая половина дня", "Воскресенье", "Не сможем"))]
    poll.audience = [PollAudience(kind="class_parents", class_id=class_5a.id)]
    db.session.add(poll)
    db.session.flush()
    parents = db.session.scalars(
        select(User).join(ParentLink, ParentLink.parent_id == User.id).join(Student, Student.id == ParentLink.student_id)
        .where(Student.current_class_id == class_5a.id, Student.is_withdrawn.is_(False))
        .order_by(User.id).distinct()).all()
    rng = random.Random(seed * 7919 + 15)
    answered = 0
    for parent in parents[: max(1, len(parents) * 2 // 3)]:
        if ops.family_voted(parent, poll, ops.policy.poll_family_children(parent, poll)):
            continue
        option = rng.choices(poll.options, weights=(5, 3, 4, 1))[0]
        ops.vote(parent, poll, [str(option.id)], "", today)
        answered += 1
    db.session.flush()
    return {"polls": 1, "poll_answers": answered}
