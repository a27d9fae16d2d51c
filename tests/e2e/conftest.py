"""Browser tests: the application served by a real HTTP server in a thread, driven by
Playwright in Debian's headless Chromium (/usr/bin/chromium; Playwright's own browser download
is not used).

Without Chromium or the playwright package the tests are skipped with the reason, unless
E2E_REQUIRED=1 (CI), when they fail instead."""
from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from config import TestConfig
from tests.conftest import DATABASE_URL

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_REQUIRED = os.environ.get("E2E_REQUIRED") == "1"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


def _skip_or_fail(reason: str) -> None:
    if E2E_REQUIRED:
        pytest.fail(f"E2E_REQUIRED=1 but the browser tests cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def live_server(_schema) -> Iterator[str]:
    """The application on 127.0.0.1 and a free port, with CSRF protection on as in production;
    it sees what the tests commit to the test database."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=DATABASE_URL,
        WTF_CSRF_ENABLED=True,
        UPLOAD_FOLDER=tempfile.mkdtemp(prefix="e2e-uploads-"),
    )
    application = create_app(config)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with application.app_context():
            from extensions import db

            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import Error, sync_playwright

    manager = sync_playwright().start()
    try:
        try:
            chromium = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Error as e:
            _skip_or_fail(f"Chromium did not start: {e.message.splitlines()[0]}")
        yield chromium
        chromium.close()
    finally:
        manager.stop()


@pytest.fixture
def new_page(browser):
    """new_page(width, height) -> a page in a fresh browser context (own cookies) of that size."""
    contexts = []

    def factory(width: int, height: int, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # Script errors and CSP violations (console), and failed requests except the browser's
        # own favicon probe; tests assert the list stays empty.
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
                and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and page.console_errors.append(f"{r.status} {r.url}"))
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    """E2E_SCREENSHOTS or a temporary folder; CI keeps the folder as an artefact."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def screenshot(screenshots_dir):
    def take(page, name: str) -> Path:
        path = screenshots_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take




@pytest.fixture(autouse=True)
def school_hours():
    """A teacher enters today's lessons in school hours; after them a change asks why (JRN-6,
    tests/e2e/test_journal_reason.py). On a Sunday or outside 08:00–17:00 of the school's
    timezone the clock of the test process, and so of the live server, moves forward to 10:00
    of the next school day (forward only: the browser's cookies stay valid)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from tests.clock import SCHOOL_TIMEZONE
    from utils.timeutil import school_now

    now = school_now(SCHOOL_TIMEZONE)
    if now.isoweekday() != 7 and 8 <= now.hour < 17:
        yield
        return
    day = now.date() if now.hour < 8 and now.isoweekday() != 7 else now.date() + timedelta(days=1)
    if day.isoweekday() == 7:
        day += timedelta(days=1)
    import time_machine

    with time_machine.travel(datetime.combine(day, time(10, 0), tzinfo=ZoneInfo(SCHOOL_TIMEZONE)), tick=True):
        yield
