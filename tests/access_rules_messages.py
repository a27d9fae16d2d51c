"""Access rules for messages and announcements (COM-1, blueprints/messages): everyone has an
inbox and may write to their contacts; a conversation, its feed, its files and its messages'
reports are found only by the people in it (404 for everyone else, the administration included);
announcements are sent by the administration and the class teachers; the complaints are
handled by the director and the deputy."""
from __future__ import annotations

from tests.access import EVERYONE, Rule

M = "/messages"
IN_IT = frozenset({"parent_a", "maths_teacher"})  # parent_a wrote to the class teacher of 5А
ANNOUNCERS = frozenset({"director", "deputy", "maths_teacher", "primary_teacher"})
REPORT_HANDLERS = frozenset({"director", "deputy"})
HIDDEN = "a conversation is found only by its participants (404 to everyone else)"

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def _conversation(s):
    """parent_a's conversation with maths_teacher, one message with a file."""
    from flask import current_app

    from extensions import db
    from models.messages import Conversation, Message, MessageAttachment, Participant
    from utils.uploads import Upload, UploadStore

    if not hasattr(s, "_msg_conversation"):
        c = Conversation(school_id=s.school.id, kind="direct", subject="Вопрос", created_by_id=s.parent_a.id)
        db.session.add(c)
        db.session.flush()
        db.session.add_all([Participant(conversation_id=c.id, user_id=s.parent_a.id),
                            Participant(conversation_id=c.id, user_id=s.maths_teacher.id, unread=True)])
        m = Message(conversation=c, author_id=s.parent_a.id, body="Здравствуйте")
        stored = UploadStore(current_app.config["UPLOAD_FOLDER"], "messages").write(
            Upload("a.png", "png", "image/png", PNG))
        m.attachments.append(MessageAttachment(original_name="a.png", stored_name=stored, size=len(PNG),
                                               content_type="image/png"))
        db.session.add(m)
        db.session.commit()
        s._msg_conversation, s._msg_message, s._msg_file = c.id, m.id, m.attachments[0].id
    return s._msg_conversation


def _report(s) -> int:
    from extensions import db
    from models.messages import MessageReport

    _conversation(s)
    row = MessageReport(school_id=s.school.id, message_id=s._msg_message, reported_by_id=s.maths_teacher.id,
                        reason="Грубость")
    db.session.add(row)
    db.session.commit()
    return row.id


def _message(s) -> int:
    _conversation(s)
    return s._msg_message


def _file(s) -> int:
    _conversation(s)
    return s._msg_file


RULES = [
    Rule("GET", f"{M}/", EVERYONE, lambda s: f"{M}/"),
    Rule("POST", f"{M}/preferences", EVERYONE, lambda s: f"{M}/preferences", lambda s: {"email_notice": "1"}),
    Rule("GET", f"{M}/new", EVERYONE, lambda s: f"{M}/new"),
    Rule("POST", f"{M}/new", EVERYONE, lambda s: f"{M}/new",
         lambda s: {"to": f"user-{s.deputy.id}", "subject": "Тема", "body": "Текст"}),
    Rule("GET", f"{M}/announcements/new", ANNOUNCERS, lambda s: f"{M}/announcements/new"),
    Rule("POST", f"{M}/announcements/new", ANNOUNCERS, lambda s: f"{M}/announcements/new",
         lambda s: {"audience": "class_parents", "class_id": str(s.class_5a.id), "subject": "Собрание",
                    "body": "В пятницу"}),
    Rule("GET", f"{M}/<int:conversation_id>", IN_IT, lambda s: f"{M}/{_conversation(s)}", note=HIDDEN, hides_existence=True),
    Rule("GET", f"{M}/<int:conversation_id>/feed", IN_IT, lambda s: f"{M}/{_conversation(s)}/feed", note=HIDDEN, hides_existence=True),
    Rule("POST", f"{M}/<int:conversation_id>", IN_IT, lambda s: f"{M}/{_conversation(s)}",
         lambda s: {"body": "Ответ"}, note=HIDDEN, hides_existence=True),
    Rule("GET", f"{M}/attachments/<int:attachment_id>", IN_IT, lambda s: f"{M}/attachments/{_file(s)}",
         note=HIDDEN, hides_existence=True),
    Rule("POST", f"{M}/items/<int:message_id>/report", IN_IT,
         lambda s: f"{M}/items/{_message(s)}/report", lambda s: {"reason": "Грубость"}, note=HIDDEN, hides_existence=True),
    Rule("GET", f"{M}/reports", REPORT_HANDLERS, lambda s: f"{M}/reports"),
    Rule("POST", f"{M}/reports/<int:report_id>/resolve", REPORT_HANDLERS,
         lambda s: f"{M}/reports/{_report(s)}/resolve", lambda s: {"resolution": "Беседа проведена"}),
]
