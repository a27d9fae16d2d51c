"""Messages and announcements (COM-1): the inbox, a conversation (updated by htmx polling), a
new message or announcement, attachments, and the complaints to the administration. Every
route loads its object and checks the policy first; a conversation the user is not in is not
found (404), whoever asks."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import policy
from blueprints.messages import bp
from blueprints.messages import operations as ops
from database import writing_in_a_read
from domain.messages import N_, Refusal
from extensions import db, limiter
from models import ClassGroup, User
from models.messages import Conversation, Message, MessageAttachment, MessageReport
from utils import refusals
from utils.htmx import is_htmx
from utils.uploads import send_stored_file


def _user() -> User:
    return current_user._get_current_object()


def _send_limit() -> str:
    return current_app.config.get("MESSAGE_RATE_LIMIT", "20 per minute; 200 per day")


def _user_key() -> str:
    return f"messages-user-{current_user.id}"


def _conversation(conversation_id: int) -> Conversation:
    """Only a participant finds a conversation: anyone else (a forged id, the director) gets 404."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not policy.is_in_conversation(_user(), conversation):
        abort(404)
    return conversation


# --- Inbox ------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def inbox():
    user = _user()
    return render_template(
        "messages/inbox.html", rows=ops.inbox(user), email_notice=ops.preference(user),
        may_announce=policy.can_send_announcements(user), may_handle_reports=policy.can_handle_message_reports(user),
        is_parent=user.has_role("parent"),
    )


@bp.post("/preferences")
@login_required
def preferences():
    ops.set_preference(_user(), request.form.get("email_notice") == "1")
    db.session.commit()
    flash(_("Настройка уведомлений сохранена."), "success")
    return redirect(url_for("messages.inbox"), 303)


# --- A new conversation -----------------------------------------------------------------------


def _new_page(status: int = 200, error: str | None = None):
    user = _user()
    contacts = db.session.scalars(
        select(User).where(User.id.in_(policy.message_contact_ids(user))).order_by(User.last_name, User.first_name)
    ).all()
    # the class teacher's group conversation with all the parents of their class
    groups = [c for c in policy.announcement_classes(user) if c.class_teacher_id == user.id]
    return render_template("messages/new.html", contacts=contacts, groups=groups, form=request.form,
                           max_chars=ops.body_max(), error=error), status


@bp.get("/new")
@login_required
def new():
    return _new_page()


@bp.post("/new")
@login_required
@limiter.limit(_send_limit, key_func=_user_key)
def create():
    user = _user()
    target = request.form.get("to", "")
    store = ops.file_store()
    try:
        upload = ops.check_file(request.files.get("file"))
        kind, _sep, raw_id = target.partition("-")
        if not raw_id.isdigit() or kind not in ("user", "class"):
            raise Refusal(N_("Выберите адресата."), 400)
        if kind == "user":
            recipient = db.session.get(User, int(raw_id))
            if recipient is None or recipient.school_id != user.school_id:
                raise Refusal(N_("Этому адресату писать нельзя."), 403)
            conversation = ops.start_direct(user, recipient, request.form.get("subject", ""),
                                            request.form.get("body", ""), upload, store)
        else:
            class_group = db.session.get(ClassGroup, int(raw_id))
            if class_group is None or class_group.school_id != user.school_id:
                raise Refusal(N_("Этому адресату писать нельзя."), 403)
            conversation = ops.start_class_group(user, class_group, request.form.get("subject", ""),
                                                 request.form.get("body", ""), upload, store)
        db.session.commit()
        store.committed()
    except Refusal as refusal:
        message = refusals.undo(refusal)
        store.rollback()
        return _new_page(refusal.status, message)
    flash(_("Сообщение отправлено."), "success")
    return redirect(url_for("messages.conversation", conversation_id=conversation.id), 303)


def _announcement_page(status: int = 200, error: str | None = None):
    user = _user()
    if not policy.can_send_announcements(user):
        abort(403)
    audiences = [(code, _(ops.AUDIENCE_LABELS[code])) for code in ops.allowed_audiences(user)]
    return render_template("messages/announcement_new.html", audiences=audiences,
                           classes=policy.announcement_classes(user), form=request.form,
                           max_chars=ops.body_max(), error=error), status


@bp.get("/announcements/new")
@login_required
def new_announcement():
    return _announcement_page()


@bp.post("/announcements/new")
@login_required
@limiter.limit(_send_limit, key_func=_user_key)
def create_announcement():
    user = _user()
    if not policy.can_send_announcements(user):
        abort(403)
    store = ops.file_store()
    try:
        upload = ops.check_file(request.files.get("file"))
        class_id = request.form.get("class_id", "")
        conversation = ops.announce(
            user, request.form.get("audience", ""), int(class_id) if class_id.isdigit() else None,
            request.form.get("subject", ""), request.form.get("body", ""), upload, store,
        )
        db.session.commit()
        store.committed()
    except Refusal as refusal:
        message = refusals.undo(refusal)
        store.rollback()
        return _announcement_page(refusal.status, message)
    flash(_("Объявление отправлено."), "success")
    return redirect(url_for("messages.conversation", conversation_id=conversation.id), 303)


# --- A conversation ---------------------------------------------------------------------------


def _mark_read(conversation: Conversation, user: User) -> None:
    """The conversation page and its poll are GETs that may write (the read mark). They write
    only when something is unread — a poll every few seconds must not take the write lock each
    time — and then in a transaction of its own that takes SQLite's write lock at BEGIN
    (a reading transaction that turns into a writing one fails at once when another writes:
    the 503 a parent's poll met while the teacher answered)."""
    if not ops.needs_marking_read(conversation, user):
        return
    with writing_in_a_read(db.session()):
        ops.mark_read(conversation, user)
        db.session.commit()


def _feed_context(conversation: Conversation, user: User) -> dict:
    _mark_read(conversation, user)
    context = {
        "conversation": conversation,
        "messages": ops.conversation_messages(conversation),
        "poll_seconds": current_app.config.get("MESSAGE_POLL_SECONDS", 5),
        "me": user,
        "may_reply": policy.can_reply(user, conversation),
        "read_counts": ops.read_counts(conversation)
        if conversation.is_announcement and conversation.created_by_id == user.id else None,
    }
    return context


def _conversation_page(conversation: Conversation, status: int = 200, error: str | None = None, body: str = ""):
    user = _user()
    context = _feed_context(conversation, user)
    html = render_template("messages/conversation.html", names=ops.participant_names(conversation),
                           max_chars=ops.body_max(), error=error, body=body, **context)
    db.session.commit()  # read
    return html, status


@bp.get("/<int:conversation_id>")
@login_required
def conversation(conversation_id: int):
    return _conversation_page(_conversation(conversation_id))


@bp.get("/<int:conversation_id>/feed")
@login_required
def feed(conversation_id: int):
    """The htmx poll: the messages, read on the way."""
    conversation = _conversation(conversation_id)
    html = render_template("messages/_feed.html", **_feed_context(conversation, _user()))
    db.session.commit()
    return html


@bp.post("/<int:conversation_id>")
@login_required
@limiter.limit(_send_limit, key_func=_user_key)
def send(conversation_id: int):
    user = _user()
    conversation = _conversation(conversation_id)
    store = ops.file_store()  # an announcement's recipient is refused by ops.reply (403, in Russian)
    try:
        upload = ops.check_file(request.files.get("file"))
        ops.reply(conversation, user, request.form.get("body", ""), upload, store)
        db.session.commit()
        store.committed()
    except Refusal as refusal:
        message = refusals.undo(refusal)
        store.rollback()
        conversation = _conversation(conversation_id)
        if is_htmx():
            html = render_template("messages/_reply_form.html", conversation=conversation, error=message,
                                   body=request.form.get("body", ""), max_chars=ops.body_max())
            # static/js/messages.js swaps this refusal in place of the form
            return html, refusal.status, {"HX-Retarget": "#reply-form", "HX-Reswap": "outerHTML"}
        return _conversation_page(conversation, refusal.status, message, request.form.get("body", ""))
    if is_htmx():
        html = render_template("messages/_sent.html", max_chars=ops.body_max(), body="", error=None,
                               **_feed_context(conversation, user))
        db.session.commit()
        return html
    return redirect(url_for("messages.conversation", conversation_id=conversation.id), 303)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    row = db.session.get(MessageAttachment, attachment_id, options=[joinedload(MessageAttachment.message)])
    if row is None:
        abort(404)
    _conversation(row.message.conversation_id)
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], ops.SUBFOLDER)
    return send_stored_file(folder, row.stored_name, row.original_name, row.content_type)


# --- Complaints -------------------------------------------------------------------------------


@bp.post("/items/<int:message_id>/report")
@login_required
@limiter.limit(_send_limit, key_func=_user_key)
def report(message_id: int):
    user = _user()
    message = db.session.get(Message, message_id)
    if message is None:
        abort(404)
    conversation = _conversation(message.conversation_id)
    try:
        ops.report(message, user, request.form.get("reason", ""))
        db.session.commit()
    except Refusal as refusal:
        return refusals.back_to(url_for("messages.conversation", conversation_id=conversation.id), refusal)
    flash(_("Жалоба передана администрации."), "success")
    return redirect(url_for("messages.conversation", conversation_id=conversation.id), 303)


@bp.get("/reports")
@login_required
def reports():
    user = _user()
    if not policy.can_handle_message_reports(user):
        abort(403)
    return render_template("messages/reports.html", rows=ops.open_reports(user.school_id))


@bp.post("/reports/<int:report_id>/resolve")
@login_required
def resolve_report(report_id: int):
    user = _user()
    row = policy.checked(db.session.get(MessageReport, report_id), policy.can_resolve_message_report, user)
    try:
        ops.resolve(row, user, request.form.get("resolution", ""))
        db.session.commit()
    except Refusal as refusal:
        return refusals.back_to(url_for("messages.reports"), refusal)
    flash(_("Жалоба рассмотрена."), "success")
    return redirect(url_for("messages.reports"), 303)
