"""Several app servers (issue 16, item 2): two gunicorn servers, each with two workers, on their
own ports, against one PostgreSQL database and one Redis, as a district runs them behind a proxy.

Proved over HTTP: a mark saved through host A is read through host B; a session made on A works
on B; the five failed logins after which a login waits are counted across both hosts; a rate
limit is counted across both hosts (Redis); and two schedulers, one per host, asked to run the
weekly reports for the same slot, make one run.

Needs PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL, tests/redis_support.py): skipped
with the reason without them, unless POSTGRES_REQUIRED=1 / REDIS_REQUIRED=1 (CI), when it fails.
About 15-25 s, most of it the four workers starting."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations
from config import TestConfig
from extensions import db
from models import JobRun, Mark, WorkKind
from tests.clock import FREEZE_NOW, school_date
from tests.conftest import IS_POSTGRES, PASSWORD
from tests.redis_support import REDIS_URL, delete_keys, new_prefix, require_redis

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
POSTGRES_REQUIRED = os.environ.get("POSTGRES_REQUIRED") == "1"
LATE_REASON = "запись по бумажному журналу"
FREE_FAILURES = 5  # the five failed logins after which the next attempt waits


def _require_postgres() -> None:
    if not IS_POSTGRES:
        reason = "several hosts need one PostgreSQL database: set TEST_DATABASE_URL"
        if POSTGRES_REQUIRED:
            pytest.fail(f"POSTGRES_REQUIRED=1 but {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One browser: its cookies go to whichever host it calls (one site name behind a proxy)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, base: str, path: str, method: str = "GET", data: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "expires=thu, 01 jan 1970" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response.status, dict(response.headers), response.read().decode("utf-8", "replace")

    def login(self, base: str, login: str, password: str) -> tuple[int, str]:
        _status, _h, page = self.request(base, "/auth/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, _h, page = self.request(base, "/auth/login", "POST",
                                        {"csrf_token": token, "login": login, "password": password})
        return status, page


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _csrf_of_page(page: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def _cell_text(page: str, lesson_id: int, student_id: int) -> str:
    cell = re.search(rf'<td id="c-{lesson_id}-{student_id}".*?</td>', page, re.S).group(0)
    return re.search(r'value="([^"]*)"', cell).group(1)


@pytest.fixture
def district(app, small_school, tmp_path):
    """small_school with one lesson of mathematics in 5А, and the environment of every host:
    the same database, Redis, secret key, personal-data keys and shared folders."""
    if FREEZE_NOW:
        pytest.skip("the servers run on the machine's clock, not under FREEZE_NOW")
    _require_postgres()
    require_redis()
    s = small_school()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 20), 1, "Дроби",
                                        [kinds["test"]])
    db.session.commit()
    shared = tmp_path / "shared"  # the folder every host mounts
    prefix = new_prefix()
    s.env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "PYTEST"))}
    s.env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://"),
        RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
        SECRET_KEY="district-secret-" + prefix,
        PD_ENCRYPTION_KEYS=TestConfig.PD_ENCRYPTION_KEYS, PD_INDEX_KEY=TestConfig.PD_INDEX_KEY,
        UPLOAD_FOLDER=str(shared / "uploads"), REPORTS_FOLDER=str(shared / "reports"),
        MAINTENANCE_FILE=str(shared / "maintenance.json"),
        BACKUP_DESTINATIONS=f"{shared}/backups-a{os.pathsep}{shared}/backups-b",
        ARCHIVE_SIGNING_KEY_PATH=str(shared / "archive_signing_key.pem"),
        LOGIN_FREE_FAILURES=str(FREE_FAILURES), LOGIN_RATE_LIMIT="100 per minute",
        VERIFY_RATE_LIMIT="3 per minute", REPORT_WORKERS="0", HEALTH_MIN_FREE_MB="0",
    )
    s.shared = shared
    yield s
    delete_keys(prefix)


@pytest.fixture
def hosts(district, tmp_path):
    """Two gunicorn servers with two workers each: [base URL of A, base URL of B]."""
    processes, urls = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = open(tmp_path / f"gunicorn-{name}.log", "wb")
            processes.append(subprocess.Popen(
                [str(GUNICORN), "app:create_app()", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "60"],
                cwd=ROOT, env=district.env, stdout=log, stderr=subprocess.STDOUT,
            ))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for process, url in zip(processes, urls, strict=True):
            while True:
                assert process.poll() is None, (tmp_path / "gunicorn-a.log").read_text() + \
                    (tmp_path / "gunicorn-b.log").read_text()
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=5)
                    break
                except urllib.error.HTTPError:
                    break  # answering, if unhealthy
                except OSError:
                    assert time.monotonic() < deadline, f"{url} did not start within 60 s"
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        db.session.rollback()


def test_two_hosts_share_marks_sessions_and_login_throttling(district, hosts):
    host_a, host_b = hosts
    s = district
    pupil = s.pupils_5a[0]
    teacher = Browser()

    status, _page = teacher.login(host_a, s.maths_teacher.login, PASSWORD)
    assert status == 302, "logged in on host A"
    grid_path = f"/journal/assignments/{s.maths_5a.id}"
    status, _h, page = teacher.request(host_a, grid_path)
    assert status == 200
    status, _h, cell = teacher.request(
        host_a, f"/journal/lessons/{s.lesson.id}/cells/{pupil.id}", "PUT",
        {"value": "4", "key": "multi-host-1", "reason": LATE_REASON},
        headers={"HX-Request": "true", "X-CSRFToken": _csrf_of_page(page)},
    )
    assert status == 200, cell
    assert 'value="4"' in cell

    # The session made on A is valid on B (the same secret key; sessions in the database), and
    # B reads the mark A saved, whichever of its workers answers.
    for _ in range(4):
        status, _h, page = teacher.request(host_b, grid_path)
        assert status == 200, "the session made on host A works on host B"
        assert _cell_text(page, s.lesson.id, pupil.id) == "4"
    assert db.session.scalars(select(Mark.value).where(Mark.lesson_id == s.lesson.id,
                                                       Mark.student_id == pupil.id)).all() == ["4"]

    # A limit of 3 lookups a minute per address, counted in Redis: the fourth is refused,
    # though no single worker of either host saw more than two.
    answers = [teacher.request(host, "/verify/ACD34-EF679")[0] for host in (host_a, host_b, host_a, host_b)]
    assert answers == [404, 404, 404, 429]

    # Five failures spread over both hosts: the right password right after them must wait.
    intruder = Browser()
    login = s.russian_teacher.login
    for host in (host_a, host_b, host_a, host_b, host_a):
        status, page = intruder.login(host, login, "wrong-password")
        assert status == 401, page
    status, page = intruder.login(host_b, login, PASSWORD)
    assert status == 429
    assert "Слишком много попыток" in page


SCHEDULER_HOST = """
import os, sys, time
from app import create_app
from jobs.scheduler import build_scheduler

app = create_app()
scheduler = build_scheduler(app, blocking=False)  # as `flask scheduler` builds it, not started
job = scheduler.get_job("weekly_reports")
open(sys.argv[1], "w").close()  # ready
while not os.path.exists(sys.argv[2]):  # both fire at once, as two schedulers at Saturday 10:00
    time.sleep(0.01)
job.func()  # what the scheduler calls when the trigger fires
"""


def test_two_schedulers_make_one_weekly_run(district, tmp_path):
    from tests.weekly_fixtures import apply

    apply(district, district.pupils_5a[0], district.parent_a, "print")  # one family wants paper
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{host}" for host in ("a", "b")]
    schedulers = [subprocess.Popen([sys.executable, "-c", SCHEDULER_HOST, str(flag), str(go)], cwd=ROOT,
                                   env=district.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                  for flag in ready]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready):
        assert all(p.poll() is None for p in schedulers), "a scheduler process ended before the slot"
        assert time.monotonic() < deadline, "the schedulers did not start within 60 s"
        time.sleep(0.05)
    go.touch()
    outputs = [p.communicate(timeout=120)[0] for p in schedulers]
    assert [p.returncode for p in schedulers] == [0, 0], "\n".join(outputs)
    db.session.rollback()
    runs = db.session.scalars(select(JobRun).where(JobRun.job_id == "weekly_reports")).all()
    assert len(runs) == 1, "\n".join(outputs)
    assert runs[0].status == "succeeded", runs[0].errors
    assert runs[0].trigger == "schedule"
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1
    # One batch in the shared reports folder: one file per class of the school.
    files = sorted(p.name for p in (district.shared / "reports").rglob("*.pdf"))
    assert runs[0].counts["pages_printed"] == 1
    assert len(files) == 1, files
