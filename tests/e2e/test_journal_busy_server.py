"""The grid against a server that answers 503 with Retry-After (a restore in progress, a busy
database; issue 8, items 10 and 13): the typed value stays in the cell and in the outbox, the
outbox waits as long as Retry-After says instead of hammering the server, and the mark is
stored once when the server is back."""
from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from blueprints.journal import operations
from config import TestConfig
from extensions import db
from models import Mark, WorkKind
from tests.conftest import DATABASE_URL, PASSWORD
from utils.timeutil import school_today

pytestmark = pytest.mark.e2e
RETRY_AFTER = 2


@pytest.fixture
def restoring_server(_schema, tmp_path):
    """A live server of its own whose maintenance marker the test controls."""
    marker = tmp_path / "maintenance.json"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=DATABASE_URL, WTF_CSRF_ENABLED=True, MAINTENANCE_FILE=str(marker),
                  MAINTENANCE_RETRY_AFTER_SECONDS=RETRY_AFTER, UPLOAD_FOLDER=tempfile.mkdtemp(prefix="e2e-uploads-"))
    application = create_app(config)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", marker
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def lesson_today(small_school):
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_today(s.school.timezone), 2, "Дроби", [oral])
    db.session.commit()
    ids = {"lesson": lesson.id, "assignment": s.maths_5a.id}
    db.session.close()  # the live server writes: release the test's connection
    return ids


def test_a_503_keeps_the_typed_mark_and_the_outbox_waits_for_retry_after(restoring_server, new_page, lesson_today):
    from playwright.sync_api import expect

    base_url, marker = restoring_server
    page = new_page(1024, 768)
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Логин").fill("maths")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}/journal/assignments/{lesson_today['assignment']}")
    cell = page.locator(f"td[id^='c-{lesson_today['lesson']}-'] .cell-input").first
    saves: list[tuple[float, int]] = []
    page.on("response", lambda r: r.request.method == "PUT" and saves.append((time.monotonic(), r.status)))

    marker.write_text(json.dumps({"reason": "restore"}), encoding="utf-8")  # a restore begins
    cell.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("#outbox-status")).to_contain_text("Не сохранено клеток: 1")
    expect(page.locator("#journal-toast")).to_contain_text("Идёт восстановление из резервной копии")
    assert cell.input_value() == "5"  # the typed value stays
    page.wait_for_timeout(6500)  # the outbox ticks every 5 s; a 503 must not make it hammer
    refused = [at for at, status in saves if status == 503]
    assert 2 <= len(refused) <= 3, saves
    assert all(b - a >= RETRY_AFTER - 0.3 for a, b in zip(refused, refused[1:], strict=False)), saves
    assert db.session.scalar(select(Mark).where(Mark.lesson_id == lesson_today["lesson"])) is None
    db.session.close()

    Path(marker).unlink()  # the restore is over
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=15_000)
    assert saves[-1][1] == 200
    expect(page.locator("#journal-toast")).to_have_text("")  # the reason goes with the last unsaved cell
    marks = db.session.scalars(select(Mark.value).where(Mark.lesson_id == lesson_today["lesson"])).all()
    assert marks == ["5"]  # stored once
    db.session.close()
    assert cell.input_value() == "5"
