"""Engine set-up that the ORM cannot express by itself.

SQLite: WAL so readers never block the writer, foreign keys on, a busy timeout, and write
transactions that start with BEGIN IMMEDIATE. pysqlite otherwise begins a DEFERRED transaction
that takes the write lock only at the first write; if another writer holds it then, SQLite
answers "database is locked" at once, whatever the busy timeout, because waiting could deadlock.
Taking the lock at BEGIN makes the busy timeout apply.

PostgreSQL: a lock timeout on every connection, so a save behind a long lock fails in seconds.
Both timeouts are kept well under gunicorn's worker timeout (30 s): a busy database is answered
with 503 and Retry-After (app.py, `is_busy_error`), which the grid's outbox retries, instead of
a worker killed mid-request or a 500.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from extensions import db

# True: the next transaction on this thread/context starts IMMEDIATE. Requests that may write
# (POST, PUT, PATCH, DELETE), CLI commands and jobs set it; GET requests read without the lock.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextlib.contextmanager
def deferred_transactions() -> Iterator[None]:
    """Begin transactions DEFERRED in this context: for readers, and for tests that write
    while a request of the test client writes in between on the same thread."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def read_only_from_now() -> None:
    """The rest of this request only reads (an error page after a refused write): its next
    transaction begins DEFERRED and does not wait for the write lock again."""
    _write_intent.set(False)


@contextlib.contextmanager
def immediate_transactions() -> Iterator[None]:
    """Begin transactions IMMEDIATE in this context: a GET request that must write (a session's
    last_seen) takes the write lock at BEGIN, so SQLite's busy timeout applies."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextlib.contextmanager
def writing_in_a_read(session) -> Iterator[None]:
    """A GET that must write now and then (a read mark, an attempt scored past its deadline):
    end the reading transaction, keeping what is loaded (the page renders next without a
    query), and run the block in a transaction that takes SQLite's write lock at BEGIN — a
    reading transaction that turns into a writing one fails at once while another writes.
    The block commits; anything it leaves uncommitted is rolled back."""
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
        with immediate_transactions():
            try:
                yield
            finally:
                if session.in_transaction():
                    session.rollback()
    finally:
        session.expire_on_commit = keep


def transaction_memo(session=None) -> dict:
    """A dict that lives as long as the session's current transaction: what a request reads
    once and several of its steps ask again (a lesson's periods and closures, the years read)
    is kept here and forgotten with the transaction. Empty and not kept outside a transaction.
    Reads kept here are as true as the transaction's own view (SQLite's write transaction holds
    the lock; PostgreSQL's READ COMMITTED would read the same a moment later)."""
    session = session if session is not None else db.session()
    transaction = session.get_transaction()
    if transaction is None:
        return {}
    memo = session.info.get("transaction_memo")
    if memo is None or memo[0] is not transaction:
        memo = (transaction, {})
        session.info["transaction_memo"] = memo
    return memo[1]


def setup_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def setup_postgresql(engine: Engine, lock_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        cursor.close()
        dbapi_connection.commit()  # a session setting: it outlives this first transaction


# SQLite: SQLITE_BUSY ("database is locked", "database is busy"); PostgreSQL: lock_not_available
# (55P03, lock_timeout) and query_canceled (57014, statement_timeout).
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
_PG_BUSY = frozenset({"55P03", "57014"})


def is_busy_error(error: BaseException) -> bool:
    """True when the database refused because another transaction holds a lock too long: the
    request did nothing and may be repeated as it is."""
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _PG_BUSY:
        return True
    return type(original).__module__.startswith("sqlite3") and str(original).lower().startswith(_SQLITE_BUSY)


def init_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            setup_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        elif engine.dialect.name == "postgresql":
            setup_postgresql(engine, app.config["PG_LOCK_TIMEOUT_MS"])

    @app.before_request
    def _mark_write_intent():
        _write_intent.set(request.method not in SAFE_METHODS)
