"""Nothing kept per process (issue 16, item 1): the rate limits are counted in Redis when
RATELIMIT_STORAGE_URI is redis://… (so a second app process continues the first one's count),
a Redis outage does not refuse logins, and every folder of files the hosts must share is
configurable from the environment and defaults to the instance folder, never a temporary one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import isolated_client
from tests.redis_support import REDIS_URL, delete_keys, keys_under, new_prefix, require_redis

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis_prefix():
    from extensions import limiter

    require_redis()
    prefix = new_prefix()
    # Flask-Limiter keeps the first app's key prefix on its one extension object (every app of
    # the test process shares it): let the apps of this test set theirs.
    saved, limiter._key_prefix = limiter._key_prefix, ""
    yield prefix
    limiter._key_prefix = saved
    delete_keys(prefix)


@pytest.fixture
def restore_memory_limiter(make_app):
    """The limiter is one extension object: the last app built sets its storage. Give it back
    a memory storage so that later tests never count in Redis."""
    yield
    make_app(RATELIMIT_STORAGE_URI="memory://")


def _login_posts(client, n: int) -> list[int]:
    # An empty form: refused with 400 before any password check, but counted by the limit.
    return [client.post("/auth/login", data={}).status_code for _ in range(n)]


def test_a_second_process_continues_the_count_of_the_first_in_redis(make_app, redis_prefix, restore_memory_limiter):
    settings = dict(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                    RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    host_a = isolated_client(make_app, **settings)
    assert _login_posts(host_a, 3) == [400, 400, 400]
    assert keys_under(redis_prefix), "the counter is kept in Redis under the configured prefix"
    # A new app builds a new storage object: only a shared counter remembers the three posts.
    host_b = isolated_client(make_app, **settings)
    assert _login_posts(host_b, 2) == [429, 429]


def test_in_memory_counts_are_not_shared_between_processes(make_app, restore_memory_limiter):
    """The control for the test above: memory:// forgets the count with the process."""
    settings = dict(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI="memory://")
    assert _login_posts(isolated_client(make_app, **settings), 4) == [400, 400, 400, 429]
    assert _login_posts(isolated_client(make_app, **settings), 1) == [400]


def test_logins_still_answer_when_redis_is_down(make_app, restore_memory_limiter):
    client = isolated_client(make_app, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                             RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    # Counted in this process's memory meanwhile: still limited, never a server error.
    assert _login_posts(client, 4) == [400, 400, 400, 429]


_PRINT_FOLDERS = """
import json
from app import create_app
app = create_app()
print(json.dumps({k: app.config.get(k) for k in (
    "UPLOAD_FOLDER", "REPORTS_FOLDER", "MAINTENANCE_FILE", "BACKUP_DESTINATIONS", "PRINTOUTS_DIR",
    "ARCHIVE_SIGNING_KEY_PATH", "RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "SECRET_KEY")}
    | {"instance": app.instance_path}))
"""


def _folders(tmp_path, **env) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("UPLOAD_", "REPORTS_", "MAINTENANCE_",
            "BACKUP_", "PRINTOUTS_", "ARCHIVE_", "RATELIMIT_", "SECRET_KEY", "DATABASE_URL", "PD_"))}
    base.update(DATABASE_URL=f"sqlite:///{tmp_path}/x.db", SECRET_KEY="s" * 32,
                PD_ENCRYPTION_KEYS="a:dGVzdC1rZXktYS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0",
                PD_INDEX_KEY="dGVzdC1pbmRleC1rZXktLS0tLS0tLS0tLS0tLS0tLS0tLQ", **env)
    out = subprocess.run([sys.executable, "-c", _PRINT_FOLDERS], cwd=ROOT, env=base, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_every_shared_folder_comes_from_the_environment(tmp_path):
    shared = tmp_path / "shared"
    config = _folders(
        tmp_path,
        UPLOAD_FOLDER=f"{shared}/uploads", REPORTS_FOLDER=f"{shared}/reports",
        MAINTENANCE_FILE=f"{shared}/maintenance.json", BACKUP_DESTINATIONS=f"{shared}/b1:{shared}/b2",
        PRINTOUTS_DIR=f"{shared}/printouts", ARCHIVE_SIGNING_KEY_PATH=f"{shared}/key.pem",
        RATELIMIT_STORAGE_URI="redis://10.0.0.5:6379/0", RATELIMIT_KEY_PREFIX="district",
    )
    assert config["UPLOAD_FOLDER"] == f"{shared}/uploads"
    assert config["REPORTS_FOLDER"] == f"{shared}/reports"
    assert config["MAINTENANCE_FILE"] == f"{shared}/maintenance.json"
    assert config["BACKUP_DESTINATIONS"] == [f"{shared}/b1", f"{shared}/b2"]
    assert config["PRINTOUTS_DIR"] == f"{shared}/printouts"
    assert config["ARCHIVE_SIGNING_KEY_PATH"] == f"{shared}/key.pem"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.5:6379/0"
    assert config["RATELIMIT_KEY_PREFIX"] == "district"
    assert config["SECRET_KEY"] == "s" * 32  # the same on every host: sessions are signed cookies


def test_the_uploads_default_to_the_instance_folder_not_a_temporary_one(tmp_path):
    config = _folders(tmp_path)
    assert config["UPLOAD_FOLDER"] == os.path.join(config["instance"], "uploads")
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
