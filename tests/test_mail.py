"""Weekly reports by e-mail (DIA-4, PD-1, PD-4) through a real SMTP server on 127.0.0.1
(aiosmtpd): only to a parent who asked for e-mail AND consented to item 6.9; every message is
recorded, and a sent one is a disclosure."""
from __future__ import annotations

import email
import socket
from email import policy

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs import weekly_reports
from models import AuditEntry
from models.jobs import SentEmail
from tests.weekly_fixtures import MONDAY, SATURDAY, SLOT, pdf_pages_text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def use_server(app, port):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=None,
                      MAIL_FROM="journal@school1.example.ru")


def test_report_is_emailed_only_to_the_parent_who_consented(app, report_week, smtp_server):
    s = report_week
    use_server(app, smtp_server.port)
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors

    assert len(smtp_server.messages) == 1  # not to Васильева (no 6.9), not to Петрова (paper)
    recipients, message = smtp_server.messages[0]
    assert recipients == ["borisov@example.ru"]
    assert message["Subject"] == f"Еженедельный отчёт об успеваемости: Борисов Борис, {MONDAY:%d.%m}–{SATURDAY:%d.%m.%Y}"
    assert "journal@school1.example.ru" in message["From"]
    assert "Борисов Роман" in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"Отчёт {MONDAY.isoformat()} Борисов Борис.pdf"
    [page] = pdf_pages_text(attachment.get_content())
    assert "Борисов Борис" in page and "Борисов Роман" in page
    assert "Математика" in page and "4,00" in page  # his one mark this period: an oral 4

    sent = db.session.scalar(select(SentEmail))
    assert (sent.status, sent.recipient, sent.student_id, sent.job_run_id) == ("sent", "borisov@example.ru", s.borisov.id, run.id)
    disclosure = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "disclosure", AuditEntry.action == "email"))
    assert disclosure.entity_id == sent.id and disclosure.after["recipient"] == "borisov@example.ru"
    assert disclosure.after["student_id"] == s.borisov.id and disclosure.school_id == s.school.id

    # Васильева chose e-mail without consent: her report is printed, with Петров's.
    path = f"{app.config['REPORTS_FOLDER']}/{s.school.id}/{MONDAY.isoformat()}/class-5А.pdf"
    with open(path, "rb") as f:
        pages = pdf_pages_text(f.read())
    assert len(pages) == 2 and "Васильева Вера" in pages[0] and "Петров Пётр" in pages[1]
    assert run.counts["emails_sent"] == 1 and run.counts["print_no_consent"] == 1


def test_an_unreachable_server_is_recorded_and_the_report_printed_instead(app, report_week):
    use_server(app, free_port())  # nobody listens there
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "partial" and "e-mail failed" in run.errors
    sent = db.session.scalar(select(SentEmail))
    assert sent.status == "failed" and sent.error
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "email")) is None  # nothing disclosed
    path = f"{app.config['REPORTS_FOLDER']}/{report_week.school.id}/{MONDAY.isoformat()}/class-5А.pdf"
    with open(path, "rb") as f:
        assert "Борисов Борис" in pdf_pages_text(f.read())[0]


def test_without_a_server_email_is_disabled_and_recorded_as_not_sent(app, report_week, smtp_server):
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded"
    assert smtp_server.messages == []
    assert db.session.scalar(select(SentEmail)).status == "not_sent"


def test_a_rerun_of_an_interrupted_run_does_not_email_the_family_twice(app, report_week, smtp_server):
    """The scheduler reruns a slot whose run was interrupted (jobs/runner.recover_interrupted):
    families that already got the week's e-mail in that run do not get it again."""
    from jobs.runner import retrying_failed

    use_server(app, smtp_server.port)
    first = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert first.status == "succeeded" and len(smtp_server.messages) == 1
    first.status = "failed"  # as recover_interrupted marks a run cut short by a restart
    db.session.commit()

    with retrying_failed():
        again = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert again is not None and again.id == first.id and again.status == "succeeded", again.errors
    assert len(smtp_server.messages) == 1  # Борисов already had it
    assert again.counts["emails_sent"] == 1
    assert db.session.scalar(select(func.count()).select_from(SentEmail)) == 1
