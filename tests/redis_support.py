"""Redis for the tests of shared state (tests/test_shared_state.py, tests/test_multi_host.py).

TEST_REDIS_URL (default redis://127.0.0.1:6379/3). Each test run uses keys under a prefix of its
own, so runs sharing the server never see each other's counters, and deletes them afterwards.
Without a reachable Redis (or the redis package) the tests are skipped with the reason, unless
REDIS_REQUIRED=1 (CI's PostgreSQL run), when they fail instead."""
from __future__ import annotations

import os
import uuid

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
REDIS_REQUIRED = os.environ.get("REDIS_REQUIRED") == "1"


def redis_unavailable() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis package is not installed (pip install -r requirements.txt)"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as e:
        return f"Redis at {REDIS_URL} is not reachable ({e})"
    return None


def require_redis() -> None:
    reason = redis_unavailable()
    if reason:
        if REDIS_REQUIRED:
            pytest.fail(f"REDIS_REQUIRED=1 but {reason}")
        pytest.skip(reason)


def new_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def keys_under(prefix: str) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{prefix}*"))


def delete_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
