"""E-mail through the school's SMTP server (smtplib). Without MAIL_SERVER e-mail is disabled:
nothing leaves the machine and each message is recorded as not sent, so the report goes on
paper instead (DIA-4).

Every message a job tries to send is a SentEmail row; a sent one is also a disclosure in the
audit log (PD-4: who, what, to whom, why)."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import Flask

from extensions import db
from models.base import utcnow
from models.jobs import SentEmail
from utils import audit


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def mail_enabled(app: Flask) -> bool:
    return bool(app.config.get("MAIL_SERVER"))


def build_message(
    app: Flask, recipient: str, subject: str, body: str, attachments: list[Attachment] = (), sender: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    sender = sender or app.config.get("MAIL_FROM") or "noreply@localhost"
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    message.set_content(body)
    for item in attachments:
        message.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename)
    return message


class Mailer:
    """One SMTP connection for a batch of messages, opened on the first send and reopened once
    if the server dropped it. Use as a context manager."""

    def __init__(self, app: Flask):
        self.app = app
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        config = self.app.config
        timeout = config.get("MAIL_TIMEOUT", 30)
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send or raise (smtplib.SMTPException, OSError)."""
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                self._smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise


def send_recorded(
    mailer: Mailer,
    message: EmailMessage,
    *,
    school_id: int,
    student_id: int | None,
    recipient_user_id: int | None,
    job_run_id: int | None,
    document: str,
    reason: str,
) -> SentEmail:
    """Send one message and record it: a SentEmail row always, a disclosure entry when it
    left. The caller commits."""
    row = SentEmail(
        job_run_id=job_run_id,
        school_id=school_id,
        recipient=str(message["To"]),
        recipient_user_id=recipient_user_id,
        student_id=student_id,
        subject=str(message["Subject"])[:300],
        status="not_sent",
        error="",
    )
    if not mail_enabled(mailer.app):
        row.error = "e-mail disabled: MAIL_SERVER is not set"
    else:
        try:
            mailer.send(message)
            row.status = "sent"
        except (smtplib.SMTPException, OSError) as error:
            row.status = "failed"
            row.error = f"{type(error).__name__}: {error}"[:2000]
    row.sent_at = utcnow()
    db.session.add(row)
    db.session.flush()
    if row.status == "sent":
        audit.record(
            "disclosure",
            row.id,
            "email",
            after={
                "document": document,
                "recipient": row.recipient,
                "recipient_user_id": recipient_user_id,
                "student_id": student_id,
                "sent_email_id": row.id,
            },
            reason=reason,
            school_id=school_id,
            user_id=None,
        )
    return row


def sender_address(app: Flask, school_name: str) -> str:
    """«Школа <noreply@…>» for the From header when MAIL_FROM is a bare address."""
    address = app.config.get("MAIL_FROM") or "noreply@localhost"
    return address if "<" in address else formataddr((school_name, address))
