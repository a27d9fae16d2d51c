"""The demo's messages (COM-1): a parent's question to the class teacher with the answer, and
the director's announcement to all parents. Small and deterministic (the first class with a
class teacher and a parent)."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import ClassGroup, ParentLink, Student, User, UserRole
from models.messages import Conversation, Message, Participant


def _conversation(school_id: int, kind: str, subject: str, author: User, others: list[int], **extra) -> Conversation:
    c = Conversation(school_id=school_id, kind=kind, subject=subject, created_by_id=author.id, **extra)
    db.session.add(c)
    db.session.flush()
    for uid in sorted(set(others) | {author.id}):
        db.session.add(Participant(conversation_id=c.id, user_id=uid, unread=uid != author.id))
    return c


def fill(school_id: int, seed: int) -> dict[str, int]:
    counts = {"messages": 0, "conversations": 0}
    row = db.session.execute(
        select(ClassGroup, ParentLink.parent_id)
        .join(Student, Student.current_class_id == ClassGroup.id)
        .join(ParentLink, ParentLink.student_id == Student.id)
        .where(ClassGroup.school_id == school_id, ClassGroup.class_teacher_id.is_not(None))
        .order_by(ClassGroup.id, Student.id, ParentLink.id).limit(1)
    ).first()
    if row is not None:
        class_group, parent_id = row
        parent = db.session.get(User, parent_id)
        teacher = db.session.get(User, class_group.class_teacher_id)
        c = _conversation(school_id, "direct", "Домашнее задание по математике", parent, [teacher.id])
        db.session.add_all([
            Message(conversation=c, author_id=parent.id, body="Здравствуйте! Подскажите, какое задание на пятницу?"),
            Message(conversation=c, author_id=teacher.id,
                    body="Добрый день! № 245 и 247, правила — на сайте школы: https://school.example/plan"),
        ])
        counts["conversations"] += 1
        counts["messages"] += 2
    director = db.session.scalar(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school_id, UserRole.role == "director").order_by(User.id).limit(1)
    )
    parents = list(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school_id, UserRole.role == "parent").order_by(User.id)
    ))
    if director is not None and parents:
        c = _conversation(school_id, "announcement", "Родительское собрание", director, parents, audience="parents")
        db.session.add(Message(conversation=c, author_id=director.id,
                               body="Общешкольное родительское собрание — в четверг в 18:00, актовый зал."))
        counts["conversations"] += 1
        counts["messages"] += 1
    db.session.flush()
    return counts
