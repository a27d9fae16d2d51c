"""The Alembic migrations build exactly the schema the models describe: `flask db upgrade` on
an empty database, then Alembic's autogenerate comparison must find nothing to do. A model
changed without a migration fails here (the tests themselves use create_all()).

Each run uses a scratch database: a temporary SQLite file, or `mig_<random>` created on the
PostgreSQL server of TEST_DATABASE_URL and dropped afterwards."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import models  # noqa: F401  (every table registered on the metadata)
from config import normalise_database_url
from extensions import db
from tests.conftest import DATABASE_URL, IS_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql://127.0.0.1:5432/test"
POSTGRES_REQUIRED = os.environ.get("POSTGRES_REQUIRED") == "1"


def _postgres_server_url() -> str:
    """The server to create scratch databases on: TEST_DATABASE_URL's, or the local default."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        url = DEFAULT_POSTGRES_URL
    return normalise_database_url(url)


@contextmanager
def _scratch_postgres(server_url: str) -> Iterator[str]:
    name = f"mig_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _describe(diff: list) -> str:
    """Alembic's diff as one line per change, with what to do about it."""
    lines = []
    for change in diff:
        for item in change if isinstance(change, list) else [change]:
            op, *args = item
            target = next((getattr(a, "name", None) for a in args if getattr(a, "name", None)), "")
            table = next((getattr(a, "table", None) for a in args if getattr(a, "table", None) is not None), None)
            where = f"{table.name}." if table is not None and target != table.name else ""
            lines.append(f"  {op} {where}{target}".rstrip())
    return ("The migrations do not match the models; add a migration "
            "(flask --app app db migrate -m '...') and review it:\n" + "\n".join(lines))


def _upgrade_and_compare(url: str) -> list:
    """Run the deploy step exactly as production does, then diff the result against the models."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("FLASK_APP", None)
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _postgres_reachable(server_url: str) -> str | None:
    """None when reachable, else why not."""
    engine = create_engine(server_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as e:  # any failure to connect means "not reachable"
        return str(e).splitlines()[0]
    finally:
        engine.dispose()


def test_migrations_reach_the_models_on_the_test_engine(tmp_path):
    if IS_POSTGRES:
        with _scratch_postgres(_postgres_server_url()) as url:
            diff = _upgrade_and_compare(url)
    else:
        assert DATABASE_URL.startswith("sqlite")
        diff = _upgrade_and_compare(f"sqlite:///{tmp_path / 'migrated.db'}")
    assert diff == [], _describe(diff)


@pytest.mark.postgres
def test_migrations_reach_the_models_on_postgresql():
    server_url = _postgres_server_url()
    problem = _postgres_reachable(server_url)
    if problem:
        where = make_url(server_url).render_as_string(hide_password=True)
        message = f"PostgreSQL not reachable at {where}; set TEST_DATABASE_URL ({problem})"
        if POSTGRES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    with _scratch_postgres(server_url) as url:
        diff = _upgrade_and_compare(url)
    assert diff == [], _describe(diff)
