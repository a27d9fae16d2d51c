"""A busy database and the health check (issue 8, item 10): a save behind a write lock held by
another transaction answers 503 with Retry-After and a Russian message, not a 500, and the
retried save stores the value once; /healthz takes the write lock with a short timeout and
checks free space, and answers 503 with Retry-After and a reason code when either fails."""
from __future__ import annotations

import contextlib
import shutil
from collections import namedtuple

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import Mark, WorkKind
from tests.conftest import IS_POSTGRES, isolated_client

SHORT_LOCK = {"SQLITE_BUSY_TIMEOUT_MS": 300, "PG_LOCK_TIMEOUT_MS": 300, "HEALTH_DB_TIMEOUT_MS": 200}


@contextlib.contextmanager
def held_write_lock():
    """Another connection holds what a save needs: SQLite's write lock (BEGIN IMMEDIATE), or on
    PostgreSQL an EXCLUSIVE lock on the mark table (reads go on, inserts wait)."""
    db.session.commit()  # the test's own session holds nothing meanwhile
    with db.engine.connect() as conn:
        if IS_POSTGRES:
            transaction = conn.begin()
            conn.exec_driver_sql("LOCK TABLE mark IN EXCLUSIVE MODE")
            try:
                yield
            finally:
                transaction.rollback()
        else:
            raw = conn.connection.driver_connection
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                raw.execute("ROLLBACK")


@pytest.fixture
def journal(app, small_school):
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    day = s.quarters[1].start_date  # a day of an open period of the fixture
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day, 2, "Дроби", [oral])
    db.session.commit()
    return s


def stored_marks(lesson_id) -> list[tuple[int, str]]:
    return sorted(tuple(row) for row in db.session.execute(
        select(Mark.student_id, Mark.value).where(Mark.lesson_id == lesson_id, Mark.is_deleted.is_(False))
    ))


def save(client, lesson_id, student_id, value, key):
    return client.put(f"/journal/lessons/{lesson_id}/cells/{student_id}", data={"value": value, "key": key, "reason": "после срока"},
                      headers={"HX-Request": "true"})


def test_a_save_behind_a_held_write_lock_answers_503_with_retry_after_and_loses_nothing(make_app, journal):
    client = isolated_client(make_app, **SHORT_LOCK)
    client.post("/auth/login", data={"login": journal.maths_teacher.login, "password": "Parol-2026"})
    # Ids, not objects: the test must not read the database while it holds the lock itself.
    lesson, first, second = journal.lesson.id, journal.pupils_5a[0].id, journal.pupils_5a[1].id
    assert save(client, lesson, first, "5", "k-first").status_code == 200

    with held_write_lock():
        busy = save(client, lesson, second, "4", "k-second")
    assert busy.status_code == 503
    assert int(busy.headers["Retry-After"]) > 0
    assert "База данных занята" in busy.get_data(as_text=True)
    assert stored_marks(lesson) == [(first, "5")]  # the earlier save is intact, nothing half-stored

    # The outbox repeats the same save with the same key once the lock is gone: stored once.
    assert save(client, lesson, second, "4", "k-second").status_code == 200
    assert save(client, lesson, second, "4", "k-second").status_code == 200
    assert stored_marks(lesson) == sorted([(first, "5"), (second, "4")])


def test_a_page_behind_a_held_write_lock_is_a_503_page_in_russian(make_app, journal):
    client = isolated_client(make_app, **SHORT_LOCK)
    client.post("/auth/login", data={"login": journal.maths_teacher.login, "password": "Parol-2026"})
    url = f"/journal/lessons/{journal.lesson.id}/cells/{journal.pupils_5a[0].id}"
    with held_write_lock():
        # with the reason a change after the lesson's deadline asks for, so that the save gets as
        # far as the lock on both engines (PostgreSQL checks the reason before it waits)
        busy = client.put(url, data={"value": "3", "key": "k-page", "reason": "внесено после урока"})
    assert busy.status_code == 503 and "Retry-After" in busy.headers
    assert "повторите через несколько секунд" in busy.get_data(as_text=True)


def test_healthz_is_200_with_a_small_json_when_the_database_can_be_written(make_app, journal):
    client = isolated_client(make_app, **SHORT_LOCK)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_with_retry_after_while_another_transaction_holds_the_write_lock(make_app, journal):
    client = isolated_client(make_app, **SHORT_LOCK)
    with held_write_lock():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json() == {"status": "unavailable", "problems": ["database_busy"]}
    assert client.get("/healthz").status_code == 200  # the lock released: healthy again


def test_healthz_is_503_when_free_space_is_under_the_minimum(make_app, journal, monkeypatch):
    client = isolated_client(make_app, HEALTH_MIN_FREE_MB=100, **SHORT_LOCK)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**10, 10**10 - 50 * 2**20, 50 * 2**20))
    response = client.get("/healthz")
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "disk_low:uploads" in response.get_json()["problems"]
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**10, 0, 10**10))
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_refuses_writes(make_app, journal):
    if IS_POSTGRES:
        client = isolated_client(make_app, SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": "-c default_transaction_read_only=on"}})
    else:
        path = db.engine.url.database
        client = isolated_client(make_app, SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{path}?mode=ro&uri=true")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["problems"] == ["database_unwritable"]
