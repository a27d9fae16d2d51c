"""The parents' e-mail notices of new messages (COM-1) go through the scheduler's
`message_notices` job, never the web request: sending records a pending notice (one per
recipient and conversation until sent) for the parents who asked and consented to e-mail (6.9);
the job sends one e-mail each, without the text, through a real SMTP server on 127.0.0.1; a rerun
sends nothing, an idle minute records nothing, and a conversation read before the job gets no
e-mail."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs import message_notices
from models import JobRun
from models.base import utcnow
from models.jobs import SentEmail
from models.messages import Conversation, MessageNotice, MessagePreference
from tests.clock import school_date
from tests.conftest import PASSWORD, isolated_client
from tests.test_mail import smtp_server, use_server  # noqa: F401  (the fixture)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _slot(minutes: int = 0):
    return (utcnow() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def _login(make_app, user, **config):
    client = isolated_client(make_app, **config)
    assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def school(small_school):
    """parent_a asked for notices and consented to e-mail (6.9); parent_b asked without consent."""
    from models.personal_data import ConsentItem, ConsentRecord

    s = small_school()
    s.parent_a.email = "mama@example.org"
    s.parent_b.email = "papa@example.org"
    db.session.add(ConsentRecord(school_id=s.school.id, student_id=s.pupils_5a[0].id, given_on=school_date(2026, 9, 1),
                                 given_by_id=s.parent_a.id, items=[ConsentItem(code="6.9", granted=True)]))
    for parent in (s.parent_a, s.parent_b):
        db.session.add(MessagePreference(user_id=parent.id, email_notice=True))
    db.session.commit()
    return s


def _teacher_writes(make_app, s, smtp, body="Секретный текст", cid=None):
    teacher = _login(make_app, s.maths_teacher, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False)
    if cid is None:
        response = teacher.post("/messages/new", data={"to": f"user-{s.parent_a.id}", "subject": "Вопрос", "body": body},
                                 content_type="multipart/form-data")
    else:
        response = teacher.post(f"/messages/{cid}", data={"body": body})
    assert response.status_code == 303
    return db.session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))


def test_sending_records_a_notice_and_mails_nothing_then_the_job_sends_one_without_text(
        app, make_app, school, smtp_server):  # noqa: F811
    s = school
    director = _login(make_app, s.director, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False)
    response = director.post("/messages/announcements/new",
                             data={"audience": "parents", "subject": "Тема", "body": "Секретный текст"})
    assert response.status_code in (302, 303)
    # nothing left in the request: no SMTP conversation, no e-mail recorded
    assert smtp_server.messages == [] and _count(SentEmail) == 0
    notices = db.session.scalars(select(MessageNotice)).all()
    assert [(n.recipient_id, n.status, n.pending) for n in notices] == [(s.parent_a.id, "pending", True)]

    use_server(app, smtp_server.port)
    run = message_notices.run_scheduled(app, _slot())
    assert run is not None and run.job_id == "message_notices" and run.status == "succeeded", run.errors
    assert run.counts["emails_sent"] == 1
    [(recipients, email)] = smtp_server.messages
    assert recipients == ["mama@example.org"]
    assert email["Subject"] == "Новое сообщение в электронном журнале"
    text = email.get_body(("plain",)).get_content()
    assert "Секретный" not in text and "Тема" not in text
    assert "Прочитайте его в разделе «Сообщения»" in text
    sent = db.session.scalar(select(SentEmail))
    assert (sent.status, sent.recipient, sent.job_run_id, sent.recipient_user_id) == (
        "sent", "mama@example.org", run.id, s.parent_a.id)
    db.session.expire_all()
    notice = db.session.scalar(select(MessageNotice))
    assert (notice.status, notice.pending, notice.sent_email_id, notice.job_run_id) == ("sent", None, sent.id, run.id)
    assert notice.sent_at is not None

    # a rerun (the next minute) sends nothing and records no run
    runs = _count(JobRun)
    assert message_notices.run_scheduled(app, _slot(1)) is None
    assert len(smtp_server.messages) == 1 and _count(SentEmail) == 1 and _count(JobRun) == runs


def test_an_idle_minute_records_no_run(app):
    assert message_notices.run_scheduled(app, _slot()) is None
    assert _count(JobRun) == 0


def test_two_messages_before_the_job_give_one_notice_and_a_later_one_a_new_notice(
        app, make_app, school, smtp_server):  # noqa: F811
    s = school
    cid = _teacher_writes(make_app, s, smtp_server, body="Первое")
    first_message = db.session.scalar(select(MessageNotice.message_id))
    _teacher_writes(make_app, s, smtp_server, body="Второе", cid=cid)
    assert _count(MessageNotice) == 1
    assert db.session.scalar(select(MessageNotice.message_id)) == first_message  # the first unnotified one
    assert smtp_server.messages == []

    use_server(app, smtp_server.port)
    run = message_notices.run_scheduled(app, _slot())
    assert run.status == "succeeded" and len(smtp_server.messages) == 1
    # after the notice went, a new message is a new notice
    _teacher_writes(make_app, s, smtp_server, body="Третье", cid=cid)
    assert _count(MessageNotice, MessageNotice.status == "pending") == 1
    assert message_notices.run_scheduled(app, _slot(1)).status == "succeeded"
    assert len(smtp_server.messages) == 2
    assert all("Первое" not in m.get_body(("plain",)).get_content() for _r, m in smtp_server.messages)


def test_a_conversation_read_before_the_job_gets_no_email(app, make_app, school, smtp_server):  # noqa: F811
    s = school
    cid = _teacher_writes(make_app, s, smtp_server)
    parent = _login(make_app, s.parent_a)
    assert parent.get(f"/messages/{cid}").status_code == 200

    use_server(app, smtp_server.port)
    run = message_notices.run_scheduled(app, _slot())
    assert run.status == "succeeded" and run.counts["already_read"] == 1 and run.counts["emails_sent"] == 0
    assert smtp_server.messages == [] and _count(SentEmail) == 0
    db.session.expire_all()
    assert db.session.scalar(select(MessageNotice.status)) == "read"


def test_a_wish_withdrawn_before_the_job_gets_no_email(app, make_app, school, smtp_server):  # noqa: F811
    s = school
    _teacher_writes(make_app, s, smtp_server)
    _login(make_app, s.parent_a).post("/messages/preferences", data={})
    db.session.expire_all()
    assert db.session.scalar(select(MessagePreference.email_notice).where(MessagePreference.user_id == s.parent_a.id)) is False

    use_server(app, smtp_server.port)
    run = message_notices.run_scheduled(app, _slot())
    assert run.counts["not_wanted"] == 1 and smtp_server.messages == []
    db.session.expire_all()
    assert db.session.scalar(select(MessageNotice.status)) == "not_wanted"


def test_the_job_runs_every_minute_and_is_listed_on_the_admin_jobs_page(app, make_app, small_school):
    import jobs.catalogue  # noqa: F401
    from jobs.scheduler import JOBS

    s = small_school()
    assert JOBS["message_notices"] == ("jobs.message_notices:run_scheduled", "MESSAGE_NOTICES_CRON")
    assert app.config["MESSAGE_NOTICES_CRON"] == "* * * * *"
    page = _login(make_app, s.admin).get("/admin/jobs").get_data(as_text=True)
    assert "Уведомления о новых сообщениях по e-mail" in page


def test_an_unreachable_server_fails_the_notice_in_the_job_not_the_request(app, make_app, school):
    from tests.test_mail import free_port

    s = school
    port = free_port()  # nobody listens there: the request does not notice
    _teacher_writes(make_app, s, SimpleNamespace(port=port))
    use_server(app, port)
    run = message_notices.run_scheduled(app, _slot())
    assert run.status == "partial" and "e-mail failed" in run.errors and run.counts["emails_failed"] == 1
    sent = db.session.scalar(select(SentEmail))
    assert sent.status == "failed" and sent.job_run_id == run.id
    db.session.expire_all()
    assert db.session.scalar(select(MessageNotice.status)) == "failed"
    assert message_notices.run_scheduled(app, _slot(1)) is None  # not retried every minute
