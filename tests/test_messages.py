"""Messages and announcements (COM-1): who may talk to whom, nobody reads others'
conversations, announcements are read-only with a read count, bad input is refused with a
Russian message and nothing stored, text is escaped and links are safe, rate limits, reports,
e-mail notices without the text, and constant query counts of the inbox and a conversation."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from domain.message_text import linkify
from extensions import db
from jobs import message_notices
from models.base import utcnow
from models.jobs import SentEmail
from models.messages import Conversation, Message, MessageAttachment, MessageReport, Participant
from tests.clock import school_date
from tests.conftest import PASSWORD, isolated_client

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _write(client, to: str, body="Здравствуйте!", subject="Вопрос", **extra):
    return client.post("/messages/new", data={"to": to, "subject": subject, "body": body, **extra},
                       content_type="multipart/form-data")


def _login(make_app, user, **config):
    client = isolated_client(make_app, **config)
    assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
    return client


def _conversation_id() -> int:
    return db.session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))


def test_parent_writes_to_class_teacher_who_answers_and_the_header_counts_unread(client, auth, small_school, make_app):
    s = small_school()
    auth.login("parent_a")
    response = _write(client, f"user-{s.maths_teacher.id}", body="Когда контрольная?")
    assert response.status_code == 303
    cid = _conversation_id()
    teacher = _login(make_app, s.maths_teacher)
    page = teacher.get("/messages/").get_data(as_text=True)
    assert 'class="badge badge-danger" aria-label="непрочитанных">1<' in page
    assert "Вопрос" in page and "Петрова Е." in page
    page = teacher.get(f"/messages/{cid}").get_data(as_text=True)
    assert "Когда контрольная?" in page
    assert "aria-label=\"непрочитанных\"" not in teacher.get("/messages/").get_data(as_text=True)
    assert teacher.post(f"/messages/{cid}", data={"body": "В пятницу."}).status_code == 303
    feed = client.get(f"/messages/{cid}/feed", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "В пятницу." in feed and 'hx-trigger="every' in feed


def test_htmx_reply_returns_the_feed_and_a_fresh_form(client, auth, small_school):
    s = small_school()
    auth.login("parent_a")
    _write(client, f"user-{s.maths_teacher.id}")
    cid = _conversation_id()
    response = client.post(f"/messages/{cid}", data={"body": "Ещё вопрос"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="feed"' in html and "Ещё вопрос" in html and 'hx-swap-oob="true"' in html


def test_parent_cannot_write_to_a_teacher_who_does_not_teach_their_child(client, auth, small_school):
    s = small_school()
    auth.login("parent_b")  # Сидоров Семён, 5Б: maths by russian_teacher
    before = _count(Message)
    response = _write(client, f"user-{s.maths_teacher.id}")
    assert response.status_code == 403
    assert "Этому адресату писать нельзя" in response.get_data(as_text=True)
    assert _count(Message) == before and _count(Conversation) == 0
    # the English teacher of group 1 of 5А does not teach Петров's sister in 1А, but teaches Петров
    auth.logout()
    auth.login("parent_a")
    assert _write(client, f"user-{s.english_teacher.id}").status_code == 303
    auth.logout()
    auth.login("parent_b")
    assert _write(client, f"user-{s.russian_teacher.id}").status_code == 303
    assert _write(client, f"user-{s.director.id}").status_code == 303  # the administration
    assert _write(client, f"user-{s.parent_a.id}").status_code == 403  # another family


def test_nobody_reads_a_conversation_they_are_not_in(client, auth, small_school, make_app):
    s = small_school()
    auth.login("parent_a")
    _write(client, f"user-{s.maths_teacher.id}", body="Личное")
    cid = _conversation_id()
    for outsider in (s.parent_b, s.director, s.russian_teacher, s.pupils_5a[0].user):
        other = _login(make_app, outsider)
        for url in (f"/messages/{cid}", f"/messages/{cid}/feed", f"/messages/{cid + 1000}"):
            assert other.get(url).status_code == 404, (outsider.login, url)
        assert other.post(f"/messages/{cid}", data={"body": "чужое"}).status_code == 404
    assert _count(Message) == 1


def test_a_student_writes_to_their_teacher_but_not_to_another_student_unless_the_school_allows(client, auth, small_school):
    s = small_school()
    pupil = s.pupils_5a[0].user
    classmate = s.pupils_5a[1]
    auth.login(pupil.login)
    assert _write(client, f"user-{s.maths_teacher.id}").status_code == 303
    assert classmate.user is not None
    assert _write(client, f"user-{classmate.user.id}").status_code == 403
    s.school.settings = {**(s.school.settings or {}), "messages_students_to_students": True}
    db.session.commit()
    assert _write(client, f"user-{classmate.user.id}").status_code == 303


def test_an_announcement_is_read_only_and_the_sender_sees_how_many_read_it(client, auth, small_school, make_app):
    s = small_school()
    auth.login("maths")  # the class teacher of 5А, to its parents
    response = client.post("/messages/announcements/new", data={
        "audience": "class_parents", "class_id": str(s.class_5a.id), "subject": "Собрание", "body": "В пятницу в 18:00"})
    assert response.status_code == 303
    cid = _conversation_id()
    parent = _login(make_app, s.parent_a)
    page = parent.get(f"/messages/{cid}").get_data(as_text=True)
    assert "В пятницу в 18:00" in page and "ответить на него нельзя" in page and 'id="reply-form"' not in page
    before = _count(Message)
    refused = parent.post(f"/messages/{cid}", data={"body": "Ответ"})
    assert refused.status_code == 403 and "На объявление нельзя ответить" in refused.get_data(as_text=True)
    assert _count(Message) == before
    assert "прочитано 1 из 1" in client.get(f"/messages/{cid}").get_data(as_text=True)
    # a class teacher announces only to their own class; a teacher not at all
    assert client.post("/messages/announcements/new", data={
        "audience": "class_parents", "class_id": str(s.class_5b.id), "subject": "Т", "body": "Т"}).status_code == 400
    assert client.post("/messages/announcements/new", data={
        "audience": "parents", "subject": "Т", "body": "Т"}).status_code == 400
    russian = _login(make_app, s.russian_teacher)
    assert russian.get("/messages/announcements/new").status_code == 403


def test_the_director_announces_to_all_parents(client, auth, small_school):
    small_school()
    auth.login("director")
    assert client.post("/messages/announcements/new", data={
        "audience": "parents", "subject": "Каникулы", "body": "С 28 декабря"}).status_code == 303
    cid = _conversation_id()
    assert db.session.scalar(select(func.count()).where(Participant.conversation_id == cid)) == 3  # 2 parents + sender


def test_bad_input_is_refused_in_russian_and_nothing_is_stored(client, auth, small_school, app):
    s = small_school()
    auth.login("parent_a")
    to = f"user-{s.maths_teacher.id}"
    too_long = "я" * (app.config["MESSAGE_MAX_CHARS"] + 1)
    cases = [
        (_write(client, to, body=too_long), 413, "Сообщение слишком длинное"),
        (_write(client, to, body="   "), 400, "Напишите текст сообщения"),
        (_write(client, to, subject="т" * 201), 400, "Тема слишком длинная"),
        (_write(client, "user-999999"), 403, "Этому адресату писать нельзя"),
        (_write(client, "user-abc"), 400, "Выберите адресата"),
        (_write(client, to, file=(io.BytesIO(b"MZ\x90\x00"), "virus.png")), 400, "не принят"),
        (_write(client, to, file=(io.BytesIO(b"MZ"), "virus.exe")), 400, "не принят"),
        (_write(client, to, file=(io.BytesIO(PNG + b"0" * app.config["MESSAGE_FILE_MAX_BYTES"]), "big.png")), 413,
         "слишком большой"),
    ]
    for response, status, text in cases:
        assert response.status_code == status, text
        assert text in response.get_data(as_text=True)
    assert _count(Message) == 0 and _count(Conversation) == 0 and _count(MessageAttachment) == 0


def test_html_and_script_are_shown_as_text_and_links_are_safe(client, auth, small_school):
    s = small_school()
    auth.login("parent_a")
    evil = '<script>alert(1)</script><b>x</b> https://school.example/page?a=1&b=2 javascript:alert(2)'
    _write(client, f"user-{s.maths_teacher.id}", body=evil, subject='<img src=x onerror=alert(3)>')
    cid = _conversation_id()
    page = client.get(f"/messages/{cid}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<b>x</b>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://school.example/page?a=1&amp;b=2" rel="noopener nofollow" target="_blank">' in page
    assert 'href="javascript' not in page
    inbox = client.get("/messages/").get_data(as_text=True)
    assert "<img src=x" not in inbox and "&lt;img src=x" in inbox


def test_linkify_escapes_first_and_links_only_http():
    html = str(linkify('a "https://x.ru/?q=<b>" ftp://y.ru http://z.ru/p.'))
    assert '<a href="https://x.ru/?q=" rel="noopener nofollow" target="_blank">' in html
    assert "&lt;b&gt;" in html and "ftp://y.ru" in html and 'href="ftp' not in html
    assert '<a href="http://z.ru/p" rel="noopener nofollow" target="_blank">http://z.ru/p</a>.' in html


def test_an_attachment_is_stored_and_given_only_to_the_participants(client, auth, small_school, make_app):
    s = small_school()
    auth.login("parent_a")
    assert _write(client, f"user-{s.maths_teacher.id}", file=(io.BytesIO(PNG), "справка.png")).status_code == 303
    file_id = db.session.scalar(select(MessageAttachment.id))
    teacher = _login(make_app, s.maths_teacher)
    response = teacher.get(f"/messages/attachments/{file_id}")
    assert response.status_code == 200 and response.data == PNG
    assert "no-store" in response.headers["Cache-Control"]
    assert _login(make_app, s.parent_b).get(f"/messages/attachments/{file_id}").status_code == 404


def test_sending_is_rate_limited_per_user(make_app, small_school):
    s = small_school()
    client = _login(make_app, s.parent_a, RATELIMIT_ENABLED=True, MESSAGE_RATE_LIMIT="2 per minute")
    to = f"user-{s.maths_teacher.id}"
    assert _write(client, to).status_code == 303
    assert _write(client, to).status_code == 303
    response = _write(client, to)
    assert response.status_code == 429
    assert "Слишком много" in response.get_data(as_text=True)
    assert _count(Message) == 2


def test_a_report_shows_the_message_to_the_administration_who_resolves_it(client, auth, small_school, make_app):
    s = small_school()
    auth.login("parent_a")
    _write(client, f"user-{s.maths_teacher.id}", body="Грубый текст")
    message_id = db.session.scalar(select(Message.id))
    teacher = _login(make_app, s.maths_teacher)
    assert teacher.post(f"/messages/items/{message_id}/report", data={"reason": ""}).status_code == 303
    assert _count(MessageReport) == 0
    assert teacher.post(f"/messages/items/{message_id}/report", data={"reason": "Оскорбление"}).status_code == 303
    # the author cannot report their own message
    client.post(f"/messages/items/{message_id}/report", data={"reason": "x"})
    assert _count(MessageReport) == 1
    director = _login(make_app, s.director)
    page = director.get("/messages/reports").get_data(as_text=True)
    assert "Грубый текст" in page and "Оскорбление" in page
    assert director.get(f"/messages/{db.session.scalar(select(Message.conversation_id))}").status_code == 404
    report_id = db.session.scalar(select(MessageReport.id))
    assert director.post(f"/messages/reports/{report_id}/resolve", data={"resolution": "Беседа"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(MessageReport, report_id).resolved_by_id == s.director.id
    assert _login(make_app, s.methodist).get("/messages/reports").status_code == 403


def test_a_parent_who_asked_and_consented_gets_a_notice_without_the_text(client, auth, small_school, make_app):
    from models.personal_data import ConsentItem, ConsentRecord

    s = small_school()
    s.parent_a.email = "mama@example.org"
    s.parent_b.email = "papa@example.org"
    db.session.add(ConsentRecord(school_id=s.school.id, student_id=s.pupils_5a[0].id, given_on=school_date(2026, 9, 1), given_by_id=s.parent_a.id,
                                 items=[ConsentItem(code="6.9", granted=True)]))
    db.session.commit()
    for parent in (s.parent_a, s.parent_b):  # both ask; parent_b gave no consent to e-mail
        _login(make_app, parent).post("/messages/preferences", data={"email_notice": "1"})
    auth.login("director")
    client.post("/messages/announcements/new", data={"audience": "parents", "subject": "Тема", "body": "Секретный текст"})
    assert _count(SentEmail) == 0  # the request only records the notice; the scheduler's job sends it
    assert message_notices.run_scheduled(make_app("client"), utcnow().replace(second=0, microsecond=0)) is not None
    mails = db.session.scalars(select(SentEmail)).all()
    assert [m.recipient for m in mails] == ["mama@example.org"]
    assert "Секретный" not in mails[0].subject


def test_inbox_and_conversation_query_counts_do_not_grow(client, auth, small_school, count_queries):
    s = small_school()
    auth.login("parent_a")

    def grow(n):
        for i in range(n):
            c = Conversation(school_id=s.school.id, kind="direct", subject=f"Тема {i}", created_by_id=s.parent_a.id)
            db.session.add(c)
            db.session.flush()
            db.session.add_all([Participant(conversation_id=c.id, user_id=s.parent_a.id, unread=True),
                                Participant(conversation_id=c.id, user_id=s.maths_teacher.id)])
            db.session.add(Message(conversation=c, author_id=s.maths_teacher.id, body="Ответ"))
        db.session.commit()

    def grow_messages(cid, n):
        for i in range(n):
            m = Message(conversation_id=cid, author_id=s.maths_teacher.id if i % 2 else s.parent_a.id, body=f"м{i}")
            m.attachments.append(MessageAttachment(original_name="a.pdf", stored_name="x.pdf", size=1,
                                                   content_type="application/pdf"))
            db.session.add(m)
        db.session.commit()

    grow(3)
    client.get("/messages/")
    with count_queries() as few:
        assert client.get("/messages/").status_code == 200
    grow(6)
    with count_queries() as many:
        assert client.get("/messages/").status_code == 200
    assert many.count == few.count

    cid = _conversation_id()
    grow_messages(cid, 3)
    client.get(f"/messages/{cid}")
    with count_queries() as few:
        assert client.get(f"/messages/{cid}").status_code == 200
    grow_messages(cid, 9)
    with count_queries() as many:
        assert client.get(f"/messages/{cid}").status_code == 200
    assert many.count == few.count


def test_the_class_teacher_writes_to_all_the_parents_of_the_class_who_all_can_answer(client, auth, small_school, make_app):
    s = small_school()
    auth.login("maths")
    page = client.get("/messages/new").get_data(as_text=True)
    assert f'value="class-{s.class_5a.id}"' in page and f'value="class-{s.class_1a.id}"' not in page
    assert client.post("/messages/new", data={"to": f"class-{s.class_5a.id}", "subject": "Экскурсия",
                                              "body": "Кто едет?"}).status_code == 303
    cid = _conversation_id()
    parent = _login(make_app, s.parent_a)
    assert parent.post(f"/messages/{cid}", data={"body": "Мы едем"}).status_code == 303
    # another class's teacher cannot use a class that is not theirs
    primary = _login(make_app, s.primary_teacher)
    assert primary.post("/messages/new", data={"to": f"class-{s.class_5a.id}", "subject": "Т",
                                               "body": "Т"}).status_code == 403
    assert _login(make_app, s.parent_b).get(f"/messages/{cid}").status_code == 404


def test_a_refused_htmx_reply_comes_back_as_the_form_with_the_message(client, auth, small_school, app):
    s = small_school()
    auth.login("parent_a")
    _write(client, f"user-{s.maths_teacher.id}")
    cid = _conversation_id()
    response = client.post(f"/messages/{cid}", data={"body": "я" * (app.config["MESSAGE_MAX_CHARS"] + 1)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 413 and response.headers["HX-Retarget"] == "#reply-form"
    html = response.get_data(as_text=True)
    assert 'id="reply-form"' in html and "Сообщение слишком длинное" in html
    assert _count(Message) == 1


def test_the_poll_writes_only_when_something_is_unread(client, auth, small_school, count_queries):
    """The feed is polled every few seconds by every open conversation: a poll with nothing
    new writes nothing (no write lock); one with a new message marks it read, once."""
    s = small_school()
    c = Conversation(school_id=s.school.id, kind="direct", subject="Тема", created_by_id=s.maths_teacher.id)
    db.session.add(c)
    db.session.flush()
    db.session.add_all([Participant(conversation_id=c.id, user_id=s.parent_a.id, unread=True),
                        Participant(conversation_id=c.id, user_id=s.maths_teacher.id)])
    db.session.add(Message(conversation=c, author_id=s.maths_teacher.id, body="Здравствуйте"))
    db.session.commit()
    auth.login("parent_a")
    with count_queries() as first:
        assert client.get(f"/messages/{c.id}/feed").status_code == 200
    assert sum(s_.lstrip().upper().startswith("UPDATE PARTICIPANT") for s_ in first.statements) == 1
    with count_queries() as again:
        assert client.get(f"/messages/{c.id}/feed").status_code == 200
    assert not any(s_.lstrip().upper().startswith("UPDATE") for s_ in again.statements)
    db.session.expire_all()
    row = db.session.scalar(select(Participant).where(Participant.user_id == s.parent_a.id))
    assert row.unread is False and row.read_at is not None


def test_the_read_mark_takes_the_write_lock_at_begin_on_sqlite(client, auth, small_school):
    """A GET that writes (the read mark) must not turn a reading transaction into a writing one:
    on SQLite that fails at once while someone else writes. Its write begins IMMEDIATE."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's transaction modes only")
    s = small_school()
    c = Conversation(school_id=s.school.id, kind="direct", subject="Тема", created_by_id=s.maths_teacher.id)
    db.session.add(c)
    db.session.flush()
    db.session.add_all([Participant(conversation_id=c.id, user_id=s.parent_a.id, unread=True),
                        Participant(conversation_id=c.id, user_id=s.maths_teacher.id)])
    db.session.commit()
    auth.login("parent_a")
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.strip().upper())

    event.listen(Engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/messages/{c.id}/feed").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    update = next(i for i, st in enumerate(seen) if st.startswith("UPDATE PARTICIPANT"))
    begins = [st for st in seen[:update] if st.startswith("BEGIN")]
    assert begins and begins[-1] == "BEGIN IMMEDIATE"
