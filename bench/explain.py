"""The query plans of the measured pages: `python -m bench explain --database-url URL`.

Runs each page once in-process (logged in as the benchmark's user), records every SELECT it
executes with its parameters, and prints the plan of each: EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL (with the time the statement took). A full scan of a
table is flagged with "!!"."""
from __future__ import annotations

import re
import time

from sqlalchemy import event

from bench import scenarios as sc


def capture(app, client, method: str, path: str, data=None, headers=None) -> list[tuple[str, object]]:
    from extensions import db

    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        r = client.request(method, path, data, headers)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    if r.status != 200:
        raise RuntimeError(f"{method} {path}: HTTP {r.status}")
    return seen


def plans(app, statements) -> list[dict]:
    from extensions import db

    out = []
    with app.app_context():
        engine = db.engine
        pg = engine.dialect.name == "postgresql"
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement, params in statements:
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
                t = time.perf_counter()
                cur.execute(prefix + statement, params)
                rows = cur.fetchall()
                elapsed = (time.perf_counter() - t) * 1000
                if not pg:  # EXPLAIN QUERY PLAN does not run the statement: time the statement itself
                    t = time.perf_counter()
                    cur.execute(statement, params)
                    cur.fetchall()
                    elapsed = (time.perf_counter() - t) * 1000
                lines = [r[0] for r in rows] if pg else [r[-1] for r in rows]
                scans = [line for line in lines if (re.search(r"Seq Scan on (\w+)", line) if pg
                                                      else re.match(r"\s*SCAN (\w+)(?! USING)", line)
                                                      and "USING" not in line)]
                out.append({"statement": " ".join(statement.split())[:160], "plan": lines, "ms": round(elapsed, 2),
                            "full_scans": scans})
            raw.rollback()
        finally:
            raw.close()
    return out


def run(app, targets: sc.Targets) -> None:
    pages = []
    teacher = sc.InProcessClient(app)
    sc.login(teacher, targets.grid_teacher_login, targets.password)
    pages.append(("grid", teacher, "GET", f"/journal/assignments/{targets.grid_assignment_id}"))
    student = sc.InProcessClient(app)
    sc.login(student, targets.student_login, targets.password)
    for kind in ("week", "marks"):
        try:
            pages.append((f"diary_{kind}", student, "GET", sc.diary_path(app, kind, targets.student_id, targets.today)))
        except sc.Skip as skip:
            print(f"diary_{kind}: {skip}")
    for name, client, method, path in pages:
        statements = capture(app, client, method, path)
        print(f"\n=== {name}: {method} {path} — {len(statements)} SELECTs")
        for item in plans(app, statements):
            flag = "!!" if item["full_scans"] else "  "
            print(f"{flag} {item['ms']:7.2f} ms  {item['statement']}")
            for line in item["plan"]:
                print(f"            {line}")
