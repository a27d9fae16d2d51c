"""python -m bench — generate a realistic school (or district) and measure what users feel.

    python -m bench --students 1000 --schools 1 --database-url URL --out FILE [--compare FILE]
    python -m bench generate --students 1000 --schools 1 --database-url URL
    python -m bench explain --database-url URL

See bench/README.md for the scenarios, the JSON format and the findings."""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench import scenarios as sc  # noqa: E402
from bench.generate import BENCH_PASSWORD, Options, default_sqlite_url, generate, make_engine  # noqa: E402

SCENARIOS = ["baseline", "grid", "mark_save", "mark_save_concurrent", "diary_week", "diary_marks",
             "weekly_report_page", "weekly_report_batch", "summary_sheet",
             "statistics_school", "monday_peak"]
HTTP_ONLY = {"monday_peak"}
BASELINE_PATH = "/auth/login"  # anonymous GET: a small template, the session and a CSRF token
SECRET_KEY = "bench-secret-key-not-for-production"
# Targets for one school of 1,000 students on this machine (2 cores), over HTTP (gunicorn)
# unless the key says otherwise; a dict {engine: limit} is resolved per run (_judge).
TARGETS = {
    "grid": {"http_p95_ms": 50, "http_wire_kb_max": 25, "queries": 15},
    "mark_save": {"queries": 10, "http_p95_ms": 10},
    "mark_save_concurrent": {"http_rps_min": {"postgresql": 250, "sqlite": 150}, "http_p95_ms": 150, "errors": 0},
    "diary_week": {"p95_ms": 80, "http_p95_ms": 80},
    "diary_marks": {"p95_ms": 80, "http_p95_ms": 80},
    "weekly_report_page": {"p50_ms": 400},
    # the whole district's batch (every school, scaled to each school's size) on both cores
    "weekly_report_batch": {"seconds_per_1000_students": 240, "district_seconds": 1800},
    # issue 12: the summary sheet of one class for one period, as the deputy opens it
    "summary_sheet": {"http_p95_ms": 150, "queries": 20},
    "statistics_school": {"p95_ms": 600, "http_p95_ms": 600},  # issue 12: the whole school, one period
    # 300 families log in and open the diary within 60 s: no error, every request p95 ≤ 1 s,
    # all done by the window + 5 s (the window is --peak-seconds)
    "monday_peak": {"errors": 0, "http_p95_ms": 1000, "families_all": True, "done_within_margin_s": 5},
}


# --- Command line -----------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--students", type=int, default=1000, help="students per school (default 1000)")
    p.add_argument("--schools", type=int, default=1, help="schools in the database (a district; default 1)")
    p.add_argument("--database-url", default=None,
                   help="default: a fresh SQLite file bench/results/bench-<timestamp>.sqlite")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--until", type=date.fromisoformat, default=None,
                   help="generate lessons up to this day (default: the whole year, to 31.05.2027)")
    p.add_argument("--marks-per-lesson", type=float, default=1.0)
    p.add_argument("--history", action="store_true", help="also a journal_change row per generated mark")
    p.add_argument("--migrate", action="store_true", help="schema by Alembic (flask db upgrade), not create_all")
    p.add_argument("--reset", action="store_true",
                   help="drop every table first (PostgreSQL: only a database whose name contains 'bench')")


def parse(argv: list[str]) -> argparse.Namespace:
    if argv[:1] == ["markdown"]:
        p = argparse.ArgumentParser(prog="python -m bench markdown",
                                    description="Print results as one markdown table (for bench/README.md).")
        p.add_argument("files", nargs="+")
        args = p.parse_args(argv[1:])
        args.command = "markdown"
        return args
    if argv[:1] == ["explain"]:
        p = argparse.ArgumentParser(prog="python -m bench explain",
                                    description="Print the query plans of the measured pages.")
        p.add_argument("--database-url", required=True)
        args = p.parse_args(argv[1:])
        args.command = "explain"
        return args
    if argv[:1] == ["generate"]:
        p = argparse.ArgumentParser(prog="python -m bench generate", description="Generate the benchmark data only.")
        _common(p)
        args = p.parse_args(argv[1:])
        args.command = "generate"
        return args
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p)
    p.add_argument("--out", default=None, help="JSON file (default bench/results/<date>-<engine>-<students>.json)")
    p.add_argument("--compare", default=None, help="an earlier JSON result: print the ratios new/old")
    p.add_argument("--reuse", action="store_true", help="benchmark the data already in the database")
    p.add_argument("--duration", type=float, default=30, help="seconds of the concurrent scenario (default 30)")
    p.add_argument("--seconds", type=float, default=20, help="time limit of each sequential scenario (default 20)")
    p.add_argument("--requests", type=int, default=200, help="request limit of each sequential scenario")
    p.add_argument("--concurrency", type=int, default=20, help="teachers saving at once (default 20)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--report-students", type=int, default=None,
                   help="weekly_report_batch: only this many students (the figure is scaled to the school)")
    p.add_argument("--families", type=int, default=300, help="monday_peak: families logging in (default 300)")
    p.add_argument("--peak-seconds", type=float, default=60,
                   help="monday_peak: the window the families arrive in, evenly spread (default 60)")
    p.add_argument("--peak-in-flight", type=int, default=50,
                   help="monday_peak: at most this many families at once (default 50)")
    p.add_argument("--only", default=None, help="comma-separated scenario names")
    p.add_argument("--password", default=BENCH_PASSWORD,
                   help="password of the accounts in a reused database (the demo school: demo2026)")
    p.add_argument("--no-http", action="store_true", help="in-process only")
    p.add_argument("--no-inprocess", action="store_true", help="over HTTP only")
    args = p.parse_args(argv)
    args.command = "bench"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.command == "markdown":
        outputs = []
        for name in args.files:
            with open(name) as f:
                outputs.append(json.load(f))
        print_markdown(outputs)
        return 0
    if args.command == "explain":
        from bench import explain

        app = _make_app(args.database_url)
        explain.run(app, sc.pick_targets(app, BENCH_PASSWORD, 1))
        return 0
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    url = args.database_url or default_sqlite_url(stamp)
    opts = Options(students=args.students, schools=args.schools, seed=args.seed,
                   marks_per_lesson=args.marks_per_lesson, history=args.history)
    if args.until:
        opts.until = args.until
    if args.command == "generate":
        result = generate(url, opts, migrate=args.migrate, reset=args.reset)
        print(json.dumps({k: v for k, v in result.items()}, ensure_ascii=False, indent=2, default=str))
        print(f"database: {url}\ngenerated in {result['seconds']} s")
        return 0
    return run_benchmark(args, url, opts, stamp)


# --- The run ------------------------------------------------------------------------------------


def run_benchmark(args, url: str, opts: Options, stamp: str) -> int:
    import logging

    logging.getLogger("xhtml2pdf").setLevel(logging.CRITICAL)  # CSS warnings per page
    os.environ["DATABASE_URL"] = url  # for anything that reads Config
    engine_name = make_engine(url).dialect.name
    started = datetime.now(timezone.utc)
    load_start = os.getloadavg()
    commit = _git_commit()  # the code measured is the code at the start (others may commit meanwhile)
    from bench.generate import database_has_data

    engine = make_engine(url)
    import models  # noqa: F401

    reuse = args.reuse and _has_tables(engine) and database_has_data(engine)
    engine.dispose()
    if reuse:
        generation: dict[str, Any] = {"reused": True}
        print(f"reusing the data in {sc_url(url)}")
    else:
        print(f"generating {args.schools} × {args.students} students into {sc_url(url)} …", flush=True)
        generation = generate(url, opts, migrate=args.migrate, reset=args.reset)
        generation.pop("password", None)
        print(f"generated in {generation['seconds']} s ({generation['rows']} rows)", flush=True)

    wanted = [s for s in (args.only.split(",") if args.only else SCENARIOS)]
    unknown = set(wanted) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    app = _make_app(url)
    sc.cleanup_bench_rows(app)
    targets = sc.pick_targets(app, args.password, args.concurrency)
    print(f"grid: assignment {targets.grid_assignment_id} ({targets.grid_students} students × "
          f"{targets.grid_cells // max(1, targets.grid_students)} cells, {targets.grid_lessons} lessons), "
          f"teacher {targets.grid_teacher_login}; diary: student {targets.student_login}; "
          f"{len(targets.writers)} concurrent writers", flush=True)

    results: dict[str, dict[str, Any]] = {name: {} for name in wanted}
    if not args.no_inprocess:
        print("\n— in-process (Flask test client) —", flush=True)
        counter = sc.QueryCounter(_engine_of(app))
        for name in wanted:
            if name in HTTP_ONLY:
                continue
            results[name].update(_run("in_process", name, args, app, targets, counter=counter))
            _print_line("in-process", name, results[name])
        counter.close()
    if not args.no_http:
        print(f"\n— over HTTP (gunicorn, {args.workers} workers, 127.0.0.1) —", flush=True)
        _dispose(app)
        with GunicornServer(url, args.workers, stamp) as server:
            for name in wanted:
                if name.startswith("weekly_report"):
                    continue  # a job, not a page: measured in-process only
                res = _run("http", name, args, app, targets, server=server)
                res.update(server.memory())
                results[name]["http"] = res
                _print_line("http", name, res)
    else:
        for name in set(wanted) & HTTP_ONLY:
            results[name] = {"skipped": "over HTTP only (--no-http given)"}
    _dispose(app)

    output = {
        "engine": engine_name,
        "students": args.students,
        "schools": args.schools,
        "commit": commit,
        "date": started.isoformat(timespec="seconds"),
        "machine": _machine(engine_name, url, load_start),
        "database": sc_url(url),
        "generation": generation,
        "data": {"grid_assignment_id": targets.grid_assignment_id, "grid_students": targets.grid_students,
                 "grid_lessons": targets.grid_lessons, "grid_cells": targets.grid_cells,
                 "diary_student_id": targets.student_id, "concurrent_writers": len(targets.writers),
                 "today": targets.today.isoformat()},
        "baseline_endpoint": f"GET {BASELINE_PATH} (anonymous; renders the small login template)",
        "scenarios": results,
    }
    _judge(output)
    out = args.out or os.path.join(ROOT, "bench", "results",
                                   f"{started:%Y-%m-%d}-{engine_name}-{args.students}"
                                   f"{'-x' + str(args.schools) if args.schools > 1 else ''}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(output, f, ensure_ascii=False, indent=2, default=str)
    print()
    print_table(output)
    print(f"\nwritten to {out}")
    if args.compare:
        with open(args.compare) as f:
            print_compare(json.load(f), output)
    return 0


def sc_url(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _has_tables(engine) -> bool:
    from sqlalchemy import inspect

    return "school" in inspect(engine).get_table_names()


def _make_app(url: str):
    from app import create_app
    from config import normalise_database_url

    return create_app({
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        "SECRET_KEY": SECRET_KEY,
        "TRUSTED_PROXIES": 1,  # the clients send X-Forwarded-For: the login limit counts per user
    })


def _engine_of(app):
    from extensions import db

    with app.app_context():
        return db.engine


def _dispose(app) -> None:
    from extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- Scenarios --------------------------------------------------------------------------------


def _run(mode: str, name: str, args, app, targets: sc.Targets, counter=None, server=None) -> dict[str, Any]:
    result = _run_one(mode, name, args, app, targets, counter, server)
    if name != "baseline" and not result.get("skipped") and not name.startswith("weekly_report"):
        # The machine is shared: a short baseline burst right after each scenario, so each
        # figure can be read against the load of its own moment (ratio to baseline_p50_ms).
        client = sc.InProcessClient(app) if mode == "in_process" else sc.HttpClient(server.port)
        burst = sc.run_sequential(client, lambda i: ("GET", BASELINE_PATH, None, None), 30, 5, warmup=1)
        local = burst.summary()["p50_ms"]
        result["baseline_p50_ms"] = local
        if local and result.get("p50_ms"):
            result["p50_over_baseline"] = round(result["p50_ms"] / local, 1)
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    return result


def _run_one(mode: str, name: str, args, app, targets: sc.Targets, counter=None, server=None) -> dict[str, Any]:
    def client():
        return sc.InProcessClient(app) if mode == "in_process" else sc.HttpClient(server.port)

    try:
        if name == "baseline":
            return _baseline(client(), args, counter)
        if name == "grid":
            return _grid(client(), args, targets, counter, app)
        if name in ("diary_week", "diary_marks"):
            return _diary(client(), name.split("_")[1], args, targets, counter, app)
        if name == "mark_save":
            return _mark_save(client(), args, targets, counter, app)
        if name == "mark_save_concurrent":
            return _mark_save_concurrent(client, args, targets, counter, app)
        if name == "weekly_report_page":
            return _weekly_report_page(app, targets)
        if name == "weekly_report_batch":
            return _weekly_report_batch(app, args)
        if name == "summary_sheet":
            return _summary_sheet(client(), args, targets, counter, app)
        if name == "statistics_school":
            return _statistics_school(client(), args, targets, counter)
        if name == "monday_peak":
            return _monday_peak(args, app, targets, server)
    except sc.Skip as skip:
        return {"skipped": str(skip), "p50_ms": None, "p95_ms": None, "rps": None, "queries": None, "errors": None}
    raise AssertionError(name)


def _finish(samples: sc.Samples, mode: str, extra: dict | None = None) -> dict[str, Any]:
    out = samples.summary()
    out["mode"] = mode
    if mode == "in_process":
        out["bench_rss_peak_mb"] = sc.rss_peak_mb()
    out.update(extra or {})
    return out


def _mode(client) -> str:
    return "in_process" if isinstance(client, sc.InProcessClient) else "http"


def _traced(client, path: str) -> dict[str, Any]:
    if not isinstance(client, sc.InProcessClient):
        return {}
    return {"peak_alloc_kb_per_request": sc.traced_peak_kb(lambda: client.request("GET", path))}


def _baseline(client, args, counter) -> dict[str, Any]:
    s = sc.run_sequential(client, lambda i: ("GET", BASELINE_PATH, None, None), args.requests, args.seconds, counter)
    return _finish(s, _mode(client), {"endpoint": BASELINE_PATH, **_traced(client, BASELINE_PATH)})


def _grid(client, args, t: sc.Targets, counter, app) -> dict[str, Any]:
    sc.login(client, t.grid_teacher_login, t.password)
    path = f"/journal/assignments/{t.grid_assignment_id}"
    s = sc.run_sequential(client, lambda i: ("GET", path, None, None), args.requests, args.seconds, counter,
                          ok=lambda r: r.status == 200 and "hx-put" in r.text)
    sizes = {"html_kb": round(statistics.median(s.body_bytes) / 1024, 1)} if s.body_bytes else {}
    return _finish(s, _mode(client), {"path": path, "students": t.grid_students, "lessons": t.grid_lessons,
                                      "cells": t.grid_cells, **sizes, **_traced(client, path)})


def _summary_sheet(client, args, t: sc.Targets, counter, app) -> dict[str, Any]:
    """The summary sheet (REP-1) of the grid's class for the current period, opened by the deputy."""
    from extensions import db
    from models import TeachingAssignment

    with app.app_context():
        class_id = db.session.get(TeachingAssignment, t.grid_assignment_id).class_id
    path = f"/reports/classes/{class_id}/summary?period={t.period_id}"
    sc.login(client, f"s{t.school_id}.deputy", t.password)
    first = client.request("GET", path)
    if first.status != 200:
        raise sc.Skip(f"{sc.NOT_AVAILABLE}: GET {path} answered HTTP {first.status}")
    s = sc.run_sequential(client, lambda i: ("GET", path, None, None), args.requests, args.seconds, counter,
                          ok=lambda r: r.status == 200 and "summary-sheet" in r.text)
    return _finish(s, _mode(client), {"path": path, "students": t.grid_students, **_traced(client, path)})


def _diary(client, kind: str, args, t: sc.Targets, counter, app) -> dict[str, Any]:
    path = sc.diary_path(app, kind, t.student_id, t.today)
    sc.login(client, t.student_login, t.password)
    first = client.request("GET", path)
    if first.status != 200:
        raise sc.Skip(f"{sc.NOT_AVAILABLE}: GET {path} answered HTTP {first.status}")
    s = sc.run_sequential(client, lambda i: ("GET", path, None, None), args.requests, args.seconds, counter)
    return _finish(s, _mode(client), {"path": path, "user": t.student_login, **_traced(client, path)})


def _statistics_school(client, args, t: sc.Targets, counter) -> dict[str, Any]:
    """The deputy's statistics of the whole school for the grid's period (issue 12, REP-2)."""
    path = f"/reports/statistics?period={t.period_id}"
    sc.login(client, f"s{t.school_id}.deputy", t.password)
    first = client.request("GET", path)
    if first.status != 200:
        raise sc.Skip(f"{sc.NOT_AVAILABLE}: GET {path} answered HTTP {first.status}")
    s = sc.run_sequential(client, lambda i: ("GET", path, None, None), args.requests, args.seconds, counter,
                          ok=lambda r: r.status == 200 and "stat-chart" in r.text)
    return _finish(s, _mode(client), {"path": path, "user": f"s{t.school_id}.deputy", **_traced(client, path)})


def _cells(lesson_ids: list[int], roster: list[int]):
    return [(lesson_id, student_id) for lesson_id in lesson_ids for student_id in roster]


def _mark_save(client, args, t: sc.Targets, counter, app) -> dict[str, Any]:
    writer = next((w for w in t.writers if w["assignment_id"] == t.grid_assignment_id), t.writers[0])
    need = args.requests + 10
    lesson_ids = sc.create_fresh_lessons(app, writer, math.ceil(need / len(writer["roster"])) + 1, t.today)
    try:
        sc.login(client, writer["teacher_login"], t.password)
        sc.read_csrf(client, f"/journal/assignments/{writer['assignment_id']}")
        cells = _cells(lesson_ids, writer["roster"])
        run_id = f"{_mode(client)[:2]}{int(time.time())}"
        sent: dict[str, tuple[int, int, str]] = {}
        pending: dict[int, tuple[str, int, int, str]] = {}

        def make(i: int):
            lesson_id, student_id = cells[i + 3]  # three warm-up saves take cells 0-2
            key = f"bench-{run_id}-{i + 3}"
            value = "2345"[(i + 3) % 4]
            pending[i] = (key, lesson_id, student_id, value)
            return ("PUT", f"/journal/lessons/{lesson_id}/cells/{student_id}", {"value": value, "key": key},
                    {"HX-Request": "true"})

        def on_response(i: int, r: sc.Response) -> None:
            if i >= 0 and r.status == 200:
                key, lesson_id, student_id, value = pending[i]
                sent[key] = (lesson_id, student_id, value)
            elif i < 0 and r.status == 200:
                key, lesson_id, student_id, value = pending[i]
                sent[key] = (lesson_id, student_id, value)

        s = sc.run_sequential(client, make, args.requests, args.seconds, counter, on_response=on_response, warmup=0)
        check = sc.verify_saves(app, sent, lesson_ids)
    finally:
        sc.cleanup_bench_rows(app)
    return _finish(s, _mode(client), {"check": check, "teacher": writer["teacher_login"]})


def _mark_save_concurrent(make_client, args, t: sc.Targets, counter, app) -> dict[str, Any]:
    per_writer = int(args.duration * 25) + 20  # a bound far above what two cores can serve
    writers = t.writers[: args.concurrency]
    lessons = {w["assignment_id"]: sc.create_fresh_lessons(app, w, math.ceil(per_writer / len(w["roster"])) + 1,
                                                           t.today) for w in writers}
    all_lessons = [lid for ids in lessons.values() for lid in ids]
    mode = None
    try:
        clients = []
        for w in writers:
            c = make_client()
            sc.login(c, w["teacher_login"], t.password)
            sc.read_csrf(c, f"/journal/assignments/{w['assignment_id']}")
            clients.append(c)
        mode = _mode(clients[0])
        sent: dict[str, tuple[int, int, str]] = {}
        retries = {"sent": 0, "ok": 0}
        run_id = f"{mode[:2]}{int(time.time())}"

        def worker_for(n: int, w: dict, c):
            cells = _cells(lessons[w["assignment_id"]], w["roster"])

            def work(samples: sc.Samples, deadline: float) -> None:
                last = None
                for i, (lesson_id, student_id) in enumerate(cells[:per_writer]):
                    if time.perf_counter() >= deadline:
                        break
                    retry = last is not None and i % 20 == 19  # a tablet resending its last save
                    if retry:
                        key, lesson_id, student_id, value = last
                    else:
                        key, value = f"bench-{run_id}-{n}-{i}", "2345"[(i + n) % 4]
                    if counter is not None:
                        counter.reset()
                    start = time.perf_counter()
                    try:
                        r = c.request("PUT", f"/journal/lessons/{lesson_id}/cells/{student_id}",
                                      {"value": value, "key": key}, {"HX-Request": "true"})
                    except Exception as e:
                        samples.add_error(f"{type(e).__name__}: {e}")
                        continue
                    dt = time.perf_counter() - start
                    if counter is not None:
                        samples.queries.append(counter.count)
                    if r.status == 200:
                        samples.latencies.append(dt)
                        samples.add_sizes(r)
                        if retry:
                            retries["ok"] += 1
                        else:
                            sent[key] = (lesson_id, student_id, value)
                            last = (key, lesson_id, student_id, value)
                    else:
                        samples.add_error(f"HTTP {r.status}: {r.text[:200]}")
                    if retry:
                        retries["sent"] += 1

            return work

        s = sc.run_concurrent([worker_for(n, w, c) for n, (w, c) in enumerate(zip(writers, clients, strict=True))],
                              args.duration)
        check = sc.verify_saves(app, sent, all_lessons)
        check["retries"] = retries
    finally:
        sc.cleanup_bench_rows(app)
    return _finish(s, mode or "?", {"writers": len(writers), "duration_s": args.duration, "check": check})


def _weekly_report_page(app, t: sc.Targets) -> dict[str, Any]:
    from bench import reports

    return reports.page(app, t)


def _weekly_report_batch(app, args) -> dict[str, Any]:
    from bench import reports

    return reports.district_batch(app, args.report_students)


def _monday_peak(args, app, t: sc.Targets, server) -> dict[str, Any]:
    from bench import peak

    if server is None:
        raise sc.Skip("over HTTP only")
    families = peak.pick_families(app, t.school_id, args.families, t.today)
    if len(families) < args.families:
        print(f"  monday_peak: only {len(families)} parents in school {t.school_id}", flush=True)
    print(f"  monday_peak: {len(families)} families over {args.peak_seconds:g} s …", flush=True)
    res = peak.run(server.port, families, t.password, window=args.peak_seconds, max_in_flight=args.peak_in_flight)
    res.pop("visits")
    res["mode"] = "http"
    res["families_wanted"] = args.families
    return res


# --- gunicorn -----------------------------------------------------------------------------------


class GunicornServer:
    """gunicorn on 127.0.0.1:<free port>, started and stopped by the benchmark."""

    def __init__(self, url: str, workers: int, stamp: str, log_dir: str | None = None):
        self.url, self.workers, self.stamp = url, workers, stamp
        self.log_dir = log_dir or os.path.join(ROOT, "bench", "results")

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        # TRUSTED_PROXIES=1: ProxyFix takes each client's X-Forwarded-For (sent as nginx would),
        # so the login rate limit (left as configured) counts per simulated user.
        env = dict(os.environ, DATABASE_URL=self.url, SECRET_KEY=SECRET_KEY, TRUSTED_PROXIES="1")
        self.log_path = os.path.join(self.log_dir, f"gunicorn-{self.stamp}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "120", "app:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                r = sc.HttpClient(self.port, timeout=5).request("GET", "/healthz")
                if r.status == 200 and len(self._workers()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer in 60 s; see {self.log_path}")

    def _workers(self) -> list[int]:
        out = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                            out.append(int(pid))
                except (OSError, ValueError, IndexError):
                    continue
        return out

    @staticmethod
    def _status_kb(pid: int, key: str) -> int:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def memory(self) -> dict[str, Any]:
        workers = self._workers()
        rss = sum(self._status_kb(p, "VmRSS") for p in [self.proc.pid, *workers])
        peak = max((self._status_kb(p, "VmHWM") for p in workers), default=0)
        return {"server_rss_mb": round(rss / 1024, 1), "server_worker_peak_mb": round(peak / 1024, 1)}

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return False


# --- Output -------------------------------------------------------------------------------------


def _git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except OSError:
        return "unknown"


def _machine(engine_name: str, url: str, load_start) -> dict[str, Any]:
    info: dict[str, Any] = {"cpus": sc.cpu_count(), "platform": platform.platform(),
                            "python": platform.python_version(), "load_avg_start": [round(x, 2) for x in load_start],
                            "load_avg_end": [round(x, 2) for x in os.getloadavg()],
                            "note": "shared with other engineers' work during the run"}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu_model"] = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
        with open("/proc/meminfo") as f:
            info["mem_total_mb"] = int(f.readline().split()[1]) // 1024
    except OSError:
        pass
    try:
        from sqlalchemy import text

        engine = make_engine(url)
        with engine.connect() as conn:
            info["database_version"] = conn.scalar(text(
                "SELECT version()" if engine_name == "postgresql" else "SELECT 'SQLite ' || sqlite_version()"))
        engine.dispose()
    except Exception as e:  # the version is informative only
        info["database_version"] = f"unknown ({e})"
    return info


def _judge(output: dict) -> None:
    """Add {"target": {...}, "met": bool} to each scenario that has a target (limits given per
    engine are resolved to this run's engine)."""
    per_1000 = 1000 / max(1, output["students"])
    for name, target in TARGETS.items():
        res = output["scenarios"].get(name)
        if not res or res.get("skipped"):
            continue
        target = {k: (v.get(output["engine"]) if isinstance(v, dict) else v) for k, v in target.items()}
        target = {k: v for k, v in target.items() if v is not None}
        http = res.get("http") or {}
        checks = []
        for key, limit in target.items():
            if key == "p95_ms" and res.get("p95_ms") is not None:
                checks.append(res["p95_ms"] <= limit)
            elif key == "p50_ms" and res.get("p50_ms") is not None:
                checks.append(res["p50_ms"] <= limit)
            elif key == "http_p95_ms" and http.get("p95_ms") is not None:
                checks.append(http["p95_ms"] <= limit)
            elif key == "http_wire_kb_max" and http.get("wire_kb_max") is not None:
                checks.append(http["wire_kb_max"] <= limit)
            elif key == "queries" and res.get("queries_max") is not None:
                checks.append(res["queries_max"] <= limit)
            elif key == "http_rps_min" and http.get("rps") is not None:
                checks.append(http["rps"] >= limit)
            elif key == "errors":
                checks.append((res.get("errors") or 0) == 0 and (http.get("errors") or 0) == 0
                              and (res.get("check") or {}).get("ok", True) and (http.get("check") or {}).get("ok", True))
            elif key == "seconds_per_1000_students" and res.get("school_seconds") is not None:
                checks.append(res["school_seconds"] * per_1000 <= limit)
            elif key == "district_seconds" and res.get("district_seconds") is not None:
                checks.append(res["district_seconds"] <= limit)
            elif key == "families_all" and http.get("families_wanted") is not None:
                checks.append(http["families_done"] == http["families_wanted"])
            elif key == "done_within_margin_s" and http.get("last_done_s") is not None:
                checks.append(http["last_done_s"] <= http["window_s"] + limit)
        res["target"] = target
        res["met"] = all(checks) if checks else None


def _fmt(v, digits=1) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def print_table(output: dict) -> None:
    print(f"{output['engine']} · {output['schools']} school(s) × {output['students']} students · "
          f"commit {output['commit'][:12]} · {output['machine'].get('cpus')} cpus")
    head = f"{'scenario':<22}{'mode':<11}{'p50 ms':>9}{'p95 ms':>9}{'rps':>8}{'queries':>9}{'errors':>8}  note"
    print(head)
    print("-" * len(head))
    for name, res in output["scenarios"].items():
        if res.get("skipped"):
            print(f"{name:<22}{'':<11}{'skipped: ' + res['skipped']:>}")
            continue
        rows = [("in-process", res)] if "p50_ms" in res else []
        if res.get("http"):
            rows.append(("http", res["http"]))
        for row, (mode, r) in enumerate(rows):
            if r.get("skipped"):
                print(f"{name:<22}{mode:<11}skipped: {r['skipped']}")
                continue
            note = []
            if "wire_kb_p50" in r:
                note.append(f"wire {r['wire_kb_p50']:g}/{r['wire_kb_max']:g} KB"
                            + (f" (HTML {r['html_kb']:g} KB)" if "html_kb" in r else ""))
            if "families" in r:
                note.append(f"{r['families_done']}/{r['families']} families, visit p95 {_fmt(r['visit']['p95_ms'])} ms, "
                            f"last done at {r['last_done_s']} s")
            if "check" in r:
                c = r["check"]
                note.append("stored exactly once" if c.get("ok") else
                            f"CHECK FAILED lost={c.get('lost')} dup={c.get('duplicated')} wrong={c.get('wrong_value')}")
            if mode == "http" and "server_worker_peak_mb" in r:
                note.append(f"worker peak {r['server_worker_peak_mb']} MB")
            if "peak_alloc_kb_per_request" in r:
                note.append(f"alloc {r['peak_alloc_kb_per_request']:.0f} KB/req")
            if "district_seconds" in r:
                note.append(f"district batch {r['district_seconds']:.0f} s ({r['schools']} school(s), one run)")
            elif "school_seconds" in r:
                note.append(f"school batch {r['school_seconds']:.0f} s")
            if row == len(rows) - 1 and res.get("met") is not None:
                note.append("target met" if res["met"] else "TARGET MISSED")
            print(f"{name:<22}{mode:<11}{_fmt(r.get('p50_ms')):>9}{_fmt(r.get('p95_ms')):>9}{_fmt(r.get('rps')):>8}"
                  f"{_fmt(r.get('queries')):>9}{_fmt(r.get('errors')):>8}  {'; '.join(note)}")


def print_markdown(outputs: list[dict]) -> None:
    """One row per scenario and mode, one column group per result file."""
    heads = [f"{o['engine']} {o['schools']}×{o['students']}" for o in outputs]
    print("| scenario | mode | " + " | ".join(f"{h}: p50 / p95 ms · rps · queries · errors" for h in heads) + " |")
    print("|---|---|" + "---|" * len(outputs))
    for name in SCENARIOS:
        for mode in ("in-process", "http"):
            cells, any_value = [], False
            for o in outputs:
                res = o["scenarios"].get(name) or {}
                r = res if mode == "in-process" else (res.get("http") or {})
                if res.get("skipped"):
                    cells.append("skipped")
                    continue
                if name == "weekly_report_batch" and mode == "in-process" and r.get("seconds") is not None:
                    if "district_seconds" in r:
                        cells.append(f"{r['district_seconds']:.0f} s for the {r['schools']} school(s) "
                                     f"({r['seconds_per_page']:.2f} s/page, {r['report_workers']} processes, "
                                     f"{r['students']} students run)")
                    else:
                        cells.append(f"{r['school_seconds']:.0f} s for the school ({r['seconds_per_page']:.2f} s/page, "
                                     f"{r['report_workers']} processes, {r['students']} students run)")
                    any_value = True
                    continue
                if r.get("p50_ms") is None:
                    cells.append("—")
                    continue
                any_value = True
                q = "" if r.get("queries") is None else f" · {r['queries']:g} q"
                check = ""
                if "check" in r:
                    check = " · stored once ✓" if r["check"].get("ok") else " · CHECK FAILED"
                wire = f" · {r['wire_kb_max']:g} KB" if "wire_kb_max" in r else ""
                cells.append(f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} · {r['rps']:g} rps{q}{wire} · {r['errors']} err{check}")
            if any_value:
                print(f"| {name} | {mode} | " + " | ".join(cells) + " |")


def print_compare(old: dict, new: dict) -> None:
    """Ratios new/old per scenario; and the same normalised by each run's baseline."""
    print(f"\nchange against {old.get('date')} ({old.get('engine')}, {old.get('schools')} × {old.get('students')}, "
          f"commit {str(old.get('commit'))[:12]}): ratio new/old (<1 faster for ms, >1 better for rps)")
    print(f"{'scenario':<22}{'mode':<11}{'p50':>8}{'p95':>8}{'rps':>8}{'queries':>9}{'p50/baseline':>14}")

    def ratio(a, b):
        return f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "—"

    for name in SCENARIOS:
        n, o = new["scenarios"].get(name), old.get("scenarios", {}).get(name)
        if not n or not o:
            continue
        for mode, nr, orr, nb, ob in (
            ("in-process", n, o, new["scenarios"].get("baseline", {}), old["scenarios"].get("baseline", {})),
            ("http", n.get("http") or {}, o.get("http") or {}, (new["scenarios"].get("baseline") or {}).get("http") or {},
             (old["scenarios"].get("baseline") or {}).get("http") or {}),
        ):
            if nr.get("p50_ms") is None or orr.get("p50_ms") is None:
                continue
            norm = "—"
            if nb.get("p50_ms") and ob.get("p50_ms"):
                norm = ratio(nr["p50_ms"] / nb["p50_ms"], orr["p50_ms"] / ob["p50_ms"])
            print(f"{name:<22}{mode:<11}{ratio(nr.get('p50_ms'), orr.get('p50_ms')):>8}"
                  f"{ratio(nr.get('p95_ms'), orr.get('p95_ms')):>8}{ratio(nr.get('rps'), orr.get('rps')):>8}"
                  f"{ratio(nr.get('queries'), orr.get('queries')):>9}{norm:>14}")


def _print_line(mode: str, name: str, res: dict) -> None:
    if res.get("skipped"):
        print(f"  {name}: skipped — {res['skipped']}", flush=True)
        return
    extra = ""
    if "check" in res:
        extra = "  check: " + ("ok" if res["check"].get("ok") else json.dumps(res["check"]))
    print(f"  {name}: p50 {_fmt(res.get('p50_ms'))} ms, p95 {_fmt(res.get('p95_ms'))} ms, {_fmt(res.get('rps'))} rps, "
          f"queries {_fmt(res.get('queries'))}, errors {res.get('errors')}{extra}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
