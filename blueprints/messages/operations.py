"""The use cases of messages and announcements (COM-1): they change the session and flush; the
view commits once. Every refusal is a `Refusal` with a Russian message and nothing stored."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

import policy
from domain.messages import N_, Refusal
from extensions import db
from models import STAFF_ROLES, ParentLink, Student, User, UserRole
from models.base import utcnow
from models.messages import (
    Conversation,
    Message,
    MessageAttachment,
    MessageNotice,
    MessagePreference,
    MessageReport,
    Participant,
)
from models.personal_data import EMAIL_REPORT_ITEMS
from utils import mail, uploads
from utils.timeutil import school_today
from utils.uploads import Upload, UploadStore

SUBFOLDER = "messages"
FILE_KINDS = ("pdf", "jpg", "jpeg", "png", "docx", "odt")
SUBJECT_MAX = 200
REASON_MAX = 1000
AUDIENCE_ROLES = {
    "parents": ("parent",),
    "students": ("student",),
    "teachers": ("teacher", "class_teacher", "extra_teacher"),
    "staff": tuple(sorted(STAFF_ROLES)),
}
AUDIENCE_LABELS = {
    "parents": N_("Все родители"),
    "students": N_("Все обучающиеся"),
    "teachers": N_("Все учителя"),
    "staff": N_("Все сотрудники"),
    "class_parents": N_("Родители класса"),
    "class_students": N_("Обучающиеся класса"),
}


# --- Checks of what is typed ------------------------------------------------------------------


def body_max() -> int:
    return int(current_app.config.get("MESSAGE_MAX_CHARS", 4000))


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Refusal(N_("Напишите текст сообщения."), 400)
    if len(body) > body_max():
        raise Refusal(N_("Сообщение слишком длинное: не больше %(n)s знаков."), 413, n=body_max())
    if "\x00" in body:
        raise Refusal(N_("Текст содержит недопустимые символы."), 400)
    return body


def clean_subject(subject: str, required: bool = False) -> str:
    subject = " ".join((subject or "").split())
    if required and not subject:
        raise Refusal(N_("Укажите тему."), 400)
    if len(subject) > SUBJECT_MAX:
        raise Refusal(N_("Тема слишком длинная: не больше %(n)s знаков."), 400, n=SUBJECT_MAX)
    return subject


def check_file(storage) -> Upload | None:
    """The project's one upload check (utils/uploads.py)."""
    return uploads.check_upload(
        storage, int(current_app.config.get("MESSAGE_FILE_MAX_BYTES", 3 * 1024 * 1024)), FILE_KINDS,
        N_("Файл «%(name)s» не принят: можно прикладывать только PDF, JPG, PNG, DOCX и ODT."),
    )


def file_store() -> UploadStore:
    return UploadStore(current_app.config["UPLOAD_FOLDER"], SUBFOLDER)


# --- Writing ----------------------------------------------------------------------------------


def _add_message(conversation: Conversation, author: User, body: str, upload: Upload | None,
                 store: UploadStore) -> Message:
    message = Message(conversation=conversation, author_id=author.id, body=body)
    db.session.add(message)
    if upload is not None:
        message.attachments.append(MessageAttachment(
            original_name=upload.original_name, stored_name=store.write(upload), size=len(upload.data),
            content_type=upload.content_type,
        ))
    conversation.last_message_at = utcnow()
    db.session.flush()
    # everyone else has something unread (one UPDATE, whatever the number of recipients)
    db.session.execute(
        Participant.__table__.update()
        .where(Participant.conversation_id == conversation.id, Participant.user_id != author.id)
        .values(unread=True)
    )
    return message


def _new_conversation(sender: User, kind: str, subject: str, recipient_ids: set[int], **extra) -> Conversation:
    conversation = Conversation(school_id=sender.school_id, kind=kind, subject=subject, created_by_id=sender.id, **extra)
    db.session.add(conversation)
    db.session.flush()
    db.session.execute(Participant.__table__.insert(), [
        {"conversation_id": conversation.id, "user_id": uid, "unread": False}
        for uid in sorted(recipient_ids | {sender.id})
    ])
    return conversation


def start_direct(sender: User, recipient: User, subject: str, body: str, upload: Upload | None,
                 store: UploadStore) -> Conversation:
    if not policy.can_write_to(sender, recipient):
        raise Refusal(N_("Этому адресату писать нельзя."), 403)
    conversation = _new_conversation(sender, "direct", clean_subject(subject), {recipient.id})
    message = _add_message(conversation, sender, clean_body(body), upload, store)
    notify_by_email(conversation, message, {recipient.id})
    return conversation


def start_class_group(sender: User, class_group, subject: str, body: str, upload: Upload | None,
                      store: UploadStore) -> Conversation:
    """The class teacher's conversation with all the parents of the class: everyone answers."""
    if not (policy.is_class_teacher_of(sender, class_group) and class_group.school_id == sender.school_id):
        raise Refusal(N_("Этому адресату писать нельзя."), 403)
    parents = class_parent_ids(class_group.id)
    if not parents:
        raise Refusal(N_("У обучающихся класса нет родителей с учётной записью."), 400)
    conversation = _new_conversation(sender, "group", clean_subject(subject, required=True), parents,
                                     audience="class_parents", class_id=class_group.id)
    message = _add_message(conversation, sender, clean_body(body), upload, store)
    notify_by_email(conversation, message, parents)
    return conversation


def class_parent_ids(class_id: int) -> set[int]:
    return set(db.session.scalars(
        select(ParentLink.parent_id).join(Student, Student.id == ParentLink.student_id)
        .join(User, User.id == ParentLink.parent_id)
        .where(Student.current_class_id == class_id, Student.is_withdrawn.is_(False), User.is_active_account.is_(True))
    ))


def audience_ids(sender: User, audience: str, class_group) -> set[int]:
    if audience in AUDIENCE_ROLES:
        ids = set(db.session.scalars(
            select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(User.school_id == sender.school_id, UserRole.role.in_(AUDIENCE_ROLES[audience]),
                   User.is_active_account.is_(True))
        ))
    elif audience == "class_parents":
        ids = class_parent_ids(class_group.id)
    elif audience == "class_students":
        ids = set(db.session.scalars(select(Student.user_id).join(User, User.id == Student.user_id).where(
            Student.current_class_id == class_group.id, Student.is_withdrawn.is_(False),
            User.is_active_account.is_(True))))
    else:
        ids = set()
    ids.discard(sender.id)
    return ids


def allowed_audiences(sender: User) -> tuple[str, ...]:
    if sender.has_role(*policy.MESSAGE_ADMIN_ROLES):
        return ("parents", "students", "teachers", "staff", "class_parents", "class_students")
    return ("class_parents",) if policy.can_send_announcements(sender) else ()


def announce(sender: User, audience: str, class_id: int | None, subject: str, body: str, upload: Upload | None,
             store: UploadStore) -> Conversation:
    """An announcement: read-only for its recipients; the sender sees how many have read it."""
    if audience not in allowed_audiences(sender):
        raise Refusal(N_("Выберите, кому адресовано объявление."), 400)
    class_group = None
    if audience.startswith("class_"):
        class_group = next((c for c in policy.announcement_classes(sender) if c.id == class_id), None)
        if class_group is None:
            raise Refusal(N_("Выберите класс."), 400)
    recipients = audience_ids(sender, audience, class_group)
    if not recipients:
        raise Refusal(N_("Получателей нет."), 400)
    conversation = _new_conversation(sender, "announcement", clean_subject(subject, required=True), recipients,
                                     audience=audience, class_id=class_group.id if class_group else None)
    message = _add_message(conversation, sender, clean_body(body), upload, store)
    notify_by_email(conversation, message, recipients)
    return conversation


def reply(conversation: Conversation, author: User, body: str, upload: Upload | None, store: UploadStore) -> Message:
    if not policy.can_reply(author, conversation):
        raise Refusal(N_("На объявление нельзя ответить."), 403)
    message = _add_message(conversation, author, clean_body(body), upload, store)
    others = set(db.session.scalars(select(Participant.user_id).where(
        Participant.conversation_id == conversation.id, Participant.user_id != author.id)))
    notify_by_email(conversation, message, others)
    return message


# --- Reading ----------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    """The header's badge: one count over the user's unread participant rows."""
    return db.session.scalar(
        select(func.count(Participant.id)).where(Participant.user_id == user.id, Participant.unread.is_(True))
    ) or 0


@dataclass
class InboxRow:
    conversation: Conversation
    unread: bool
    others: list[User]


def inbox(user: User, limit: int = 200) -> list[InboxRow]:
    """The user's conversations, newest first, in a fixed number of queries."""
    rows = db.session.execute(
        select(Participant.unread, Conversation)
        .join(Conversation, Conversation.id == Participant.conversation_id)
        .where(Participant.user_id == user.id)
        .options(joinedload(Conversation.created_by).lazyload(User.role_rows),
                 joinedload(Conversation.class_group))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
    ).all()
    direct = [c.id for _u, c in rows if c.kind == "direct"]
    others: dict[int, list[User]] = {}
    if direct:
        for cid, other in db.session.execute(
            select(Participant.conversation_id, User).join(User, User.id == Participant.user_id)
            .where(Participant.conversation_id.in_(direct), Participant.user_id != user.id)
        ):
            others.setdefault(cid, []).append(other)
    return [InboxRow(c, unread, others.get(c.id, [])) for unread, c in rows]


def conversation_messages(conversation: Conversation) -> list[Message]:
    return list(db.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id)
        .options(joinedload(Message.author).lazyload(User.role_rows), selectinload(Message.attachments))
        .order_by(Message.id)
    ))


def participant_names(conversation: Conversation, limit: int = 30) -> list[str]:
    if conversation.kind == "announcement":
        return []
    users = db.session.scalars(
        select(User).join(Participant, Participant.user_id == User.id)
        .where(Participant.conversation_id == conversation.id)
        .order_by(User.last_name, User.first_name).limit(limit)
    )
    return [u.short_name for u in users]


def needs_marking_read(conversation: Conversation, user: User) -> bool:
    """Whether the user's row is unread (or never read): only then does a page write."""
    row = db.session.execute(
        select(Participant.unread, Participant.read_at)
        .where(Participant.conversation_id == conversation.id, Participant.user_id == user.id)
    ).first()
    return row is not None and (bool(row.unread) or row.read_at is None)


def mark_read(conversation: Conversation, user: User) -> None:
    db.session.execute(
        Participant.__table__.update()
        .where(Participant.conversation_id == conversation.id, Participant.user_id == user.id)
        .values(unread=False, read_at=func.coalesce(Participant.read_at, utcnow()))
    )


def read_counts(conversation: Conversation) -> tuple[int, int]:
    """«прочитано N из M» of an announcement (its sender not counted)."""
    read, total = db.session.execute(
        select(func.count(Participant.read_at), func.count(Participant.id))
        .where(Participant.conversation_id == conversation.id, Participant.user_id != conversation.created_by_id)
    ).one()
    return read or 0, total or 0


# --- Reports ----------------------------------------------------------------------------------


def report(message: Message, user: User, reason: str) -> MessageReport:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refusal(N_("Укажите, что не так с сообщением."), 400)
    if len(reason) > REASON_MAX:
        raise Refusal(N_("Слишком длинное описание: не больше %(n)s знаков."), 400, n=REASON_MAX)
    if message.author_id == user.id:
        raise Refusal(N_("Нельзя пожаловаться на своё сообщение."), 400)
    row = MessageReport(school_id=user.school_id, message_id=message.id, reported_by_id=user.id, reason=reason)
    db.session.add(row)
    db.session.flush()
    return row


def open_reports(school_id: int) -> list[MessageReport]:
    return list(db.session.scalars(
        select(MessageReport).where(MessageReport.school_id == school_id)
        .options(joinedload(MessageReport.message).joinedload(Message.author).lazyload(User.role_rows),
                 joinedload(MessageReport.reported_by).lazyload(User.role_rows),
                 joinedload(MessageReport.resolved_by).lazyload(User.role_rows))
        .order_by(MessageReport.resolved_at.is_not(None), MessageReport.id.desc())
    ))


def resolve(row: MessageReport, user: User, resolution: str) -> None:
    resolution = " ".join((resolution or "").split())
    if not resolution:
        raise Refusal(N_("Опишите принятое решение."), 400)
    if len(resolution) > REASON_MAX:
        raise Refusal(N_("Слишком длинное описание: не больше %(n)s знаков."), 400, n=REASON_MAX)
    if row.resolved_at is not None:
        raise Refusal(N_("Жалоба уже рассмотрена."), 409)
    row.resolved_at, row.resolved_by_id, row.resolution = utcnow(), user.id, resolution
    db.session.flush()


# --- E-mail notices ---------------------------------------------------------------------------


def preference(user: User) -> bool:
    return bool(db.session.scalar(select(MessagePreference.email_notice).where(MessagePreference.user_id == user.id)))


def set_preference(user: User, email_notice: bool) -> None:
    row = db.session.scalar(select(MessagePreference).where(MessagePreference.user_id == user.id))
    if row is None:
        row = MessagePreference(user_id=user.id)
        db.session.add(row)
    row.email_notice = email_notice
    db.session.flush()


def _has_email_consent(parent_id: int, today) -> bool:
    """The consent sheet of one of the parent's children grants e-mail (item 6.9, PD-1)."""
    from blueprints.personal_data.operations import current_consent

    for student_id in db.session.scalars(select(ParentLink.student_id).where(ParentLink.parent_id == parent_id)):
        consent = current_consent(student_id, today)
        if consent is not None and consent.grants(*EMAIL_REPORT_ITEMS):
            return True
    return False


def email_notice_parents(recipient_ids, today) -> list[User]:
    """Of the recipients, the parents who asked for an e-mail notice, have an address and whose
    child's consent sheet in force grants e-mail (6.9): the only ones ever mailed."""
    if not recipient_ids:
        return []
    wanting = db.session.scalars(
        select(User).join(MessagePreference, MessagePreference.user_id == User.id)
        .where(User.id.in_(list(recipient_ids)), MessagePreference.email_notice.is_(True), User.email != "",
               User.is_active_account.is_(True))
        .order_by(User.id)
    ).all()
    return [u for u in wanting if u.has_role("parent") and _has_email_consent(u.id, today)]


def notify_by_email(conversation: Conversation, message: Message, recipient_ids: set[int]) -> int:
    """Record a pending e-mail notice for each parent who asked for it and consented to e-mail;
    the scheduler's `message_notices` job sends them (jobs/message_notices.py), never this
    request. A recipient who already has a pending notice of this conversation gets no second
    one. Returns the number of notices recorded."""
    if not recipient_ids:
        return 0
    app = current_app._get_current_object()
    school = conversation.created_by.school
    today = school_today(school.timezone or app.config["SCHOOL_TIMEZONE"])
    parents = email_notice_parents(recipient_ids, today)
    if not parents:
        return 0
    already = set(db.session.scalars(select(MessageNotice.recipient_id).where(
        MessageNotice.conversation_id == conversation.id, MessageNotice.pending.is_(True),
        MessageNotice.recipient_id.in_([p.id for p in parents]))))
    rows = [{"conversation_id": conversation.id, "message_id": message.id, "recipient_id": p.id,
             "status": "pending", "pending": True, "created_at": utcnow()}
            for p in parents if p.id not in already]
    if not rows:
        return 0
    # Two messages at the same moment: the unique pending notice keeps one, the other is ignored.
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(MessageNotice).on_conflict_do_nothing(), rows)
    return len(rows)


def notice_email(app, parent: User, author: User, school):
    """The notice: who wrote, never the message's text."""
    body = (f"Здравствуйте, {parent.first_name} {parent.middle_name}".rstrip() + "!\n\n"
            f"Вам пришло новое сообщение в электронном журнале от: {author.short_name}.\n"
            "Прочитайте его в разделе «Сообщения». Текст сообщения в письмо не включается.\n")
    return mail.build_message(app, parent.email, "Новое сообщение в электронном журнале", body,
                              sender=mail.sender_address(app, school.short_name))


def send_pending_notices(app, run_id: int, progress=None) -> dict[str, int]:
    """The job's work: take every pending notice (one conditional UPDATE, so a second scheduler
    never takes the same one), then for each: no e-mail if the recipient has read the
    conversation meanwhile or no longer wants or may get it; otherwise one e-mail without the
    text (utils/mail.send_recorded). Each notice is committed as it is done."""
    from models import School

    db.session.execute(
        MessageNotice.__table__.update().where(MessageNotice.status == "pending")
        .values(pending=None, status="sending", job_run_id=run_id)
    )
    db.session.commit()
    notices = db.session.scalars(
        select(MessageNotice).where(MessageNotice.job_run_id == run_id, MessageNotice.status == "sending")
        .options(joinedload(MessageNotice.conversation), joinedload(MessageNotice.recipient).selectinload(User.role_rows),
                 joinedload(MessageNotice.message).joinedload(Message.author).lazyload(User.role_rows))
        .order_by(MessageNotice.id)
    ).all()
    counts = {"emails_sent": 0, "emails_failed": 0, "emails_not_sent": 0, "already_read": 0, "not_wanted": 0}
    if progress is not None:
        progress.set_total(len(notices))
    unread = {tuple(row) for row in db.session.execute(
        select(Participant.conversation_id, Participant.user_id).where(
            Participant.unread.is_(True),
            Participant.conversation_id.in_({n.conversation_id for n in notices}),
            Participant.user_id.in_({n.recipient_id for n in notices}))
    )} if notices else set()
    schools: dict[int, School] = {}
    errors: list[str] = []
    done = 0
    with mail.Mailer(app) as mailer:
        for notice in notices:
            conversation = notice.conversation
            school = schools.get(conversation.school_id) or db.session.get(School, conversation.school_id)
            schools[school.id] = school
            today = school_today(school.timezone or app.config["SCHOOL_TIMEZONE"])
            parent = notice.recipient
            if (conversation.id, parent.id) not in unread:
                notice.status = "read"
                counts["already_read"] += 1
            elif not email_notice_parents({parent.id}, today):
                notice.status = "not_wanted"
                counts["not_wanted"] += 1
            else:
                sent = mail.send_recorded(
                    mailer, notice_email(app, parent, notice.message.author, school), school_id=school.id,
                    student_id=None, recipient_user_id=parent.id, job_run_id=run_id, document="message_notice",
                    reason="COM-1: уведомление о сообщении")
                notice.status, notice.sent_email_id = sent.status, sent.id
                if sent.status == "failed":
                    errors.append(f"[school {school.id}] {parent.short_name}: e-mail failed ({sent.error})")
                counts[{"sent": "emails_sent", "failed": "emails_failed"}.get(sent.status, "emails_not_sent")] += 1
            notice.sent_at = utcnow()
            db.session.commit()
            done += 1
            if progress is not None:
                progress.advance(done, counts["emails_failed"])
    return {**counts, "errors": errors} if errors else counts


def has_pending_notices() -> bool:
    return db.session.scalar(select(MessageNotice.id).where(MessageNotice.status == "pending").limit(1)) is not None
