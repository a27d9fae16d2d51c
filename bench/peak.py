"""The Monday-morning peak (`monday_peak`, HTTP only): N families of one school arrive spread
evenly over a window (300 over 60 s by default), each with its own parent account and its own
client address, and each opens the login page, logs in (the server verifies the real scrypt
hash) and opens their child's diary week.

Bounded: at most `max_in_flight` families at once (a thread pool), every request with a timeout,
and a hard deadline after which nothing new starts and the run stops by itself. All traffic goes
to 127.0.0.1; each family sends `X-Forwarded-For: 10.1.x.y` as nginx would, and the benchmark's
gunicorn trusts that one hop (TRUSTED_PROXIES=1), so the login rate limit applies per family as
it does in production (the limiter stays on)."""
from __future__ import annotations

import math
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from sqlalchemy import select

from bench import scenarios as sc

STEPS = ("login_page", "login_post", "diary")


def pick_families(app, school_id: int, count: int, today: date) -> list[dict[str, Any]]:
    """`count` distinct parents of the school (logins `s<school>.parent<n>`, in order of n) with
    their first child still in a class, and the path of that child's diary week."""
    from extensions import db
    from models import ParentLink, Student, User

    prefix = f"s{school_id}.parent"
    with app.app_context():
        rows = db.session.execute(
            select(User.login, Student.id, Student.last_name, Student.first_name)
            .join(ParentLink, ParentLink.parent_id == User.id)
            .join(Student, Student.id == ParentLink.student_id)
            .where(User.login.like(prefix + "%"), Student.school_id == school_id,
                   Student.is_withdrawn.is_(False), Student.current_class_id.is_not(None))
            .order_by(ParentLink.id)
        ).all()
    first: dict[str, tuple[int, str]] = {}
    for login, student_id, last_name, first_name in rows:
        first.setdefault(login, (student_id, f"{last_name} {first_name}"))
    logins = sorted(first, key=lambda s: int(s[len(prefix):]) if s[len(prefix):].isdigit() else math.inf)
    return [{"login": login, "child_id": first[login][0], "child_name": first[login][1],
             "path": sc.diary_path(app, "week", first[login][0], today)}
            for login in logins[:count]]


def _visit(port: int, family: dict, password: str, address: str, deadline: float, timeout: float) -> dict[str, Any]:
    """One family: GET the login page, POST the form, GET the child's diary week."""
    out: dict[str, Any] = {"login": family["login"], "address": address, "steps": {}, "error": None,
                           "diary_status": None, "child_seen": False, "wire_bytes": 0}
    client = sc.HttpClient(port, timeout=timeout, forwarded_for=address)

    def step(name: str, method: str, path: str, data: dict | None = None) -> sc.Response:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"hard deadline reached before {name}")
        t = time.perf_counter()
        r = client.request(method, path, data)
        out["steps"][name] = time.perf_counter() - t
        out["wire_bytes"] += r.wire_bytes or 0
        if not 200 <= r.status < 400:
            raise RuntimeError(f"{name}: HTTP {r.status} {method} {path}")
        return r

    start = time.perf_counter()
    try:
        page = step("login_page", "GET", "/auth/login")
        r = step("login_post", "POST", "/auth/login",
                 {"login": family["login"], "password": password, "csrf_token": sc.form_csrf_token(page.text)})
        location = r.header("Location")
        if r.status not in (302, 303) or "/auth/login" in location:
            raise RuntimeError(f"login of {family['login']} did not land: HTTP {r.status} → {location or '-'}")
        diary = step("diary", "GET", family["path"])
        out["diary_status"] = diary.status
        out["child_seen"] = diary.status == 200 and family["child_name"] in diary.text
        if not out["child_seen"]:
            raise RuntimeError(f"diary of {family['login']}: HTTP {diary.status} without {family['child_name']!r}")
        out["visit"] = time.perf_counter() - start
    except Exception as e:  # an error of this family, recorded; the others go on
        out["error"] = f"{type(e).__name__}: {e}"[:300]
    out["finished_at"] = time.perf_counter()
    return out


def _ms(values: list[float]) -> dict[str, Any]:
    lat = sorted(values)
    n = len(lat)
    return {"p50_ms": round(statistics.median(lat) * 1000, 1) if n else None,
            "p95_ms": round(lat[min(n - 1, math.ceil(0.95 * n) - 1)] * 1000, 1) if n else None,
            "max_ms": round(lat[-1] * 1000, 1) if n else None, "n": n}


def run(port: int, families: list[dict], password: str, window: float = 60, max_in_flight: int = 50,
        margin: float = 30, timeout: float = 20) -> dict[str, Any]:
    """Family i starts at i × window / N (or as soon as one of `max_in_flight` slots is free);
    nothing starts after window + margin, and every request has `timeout` seconds."""
    n = len(families)
    t0 = time.perf_counter()
    deadline = t0 + window + margin
    visits: list[dict] = []
    lock = threading.Lock()
    in_flight = {"now": 0, "max": 0}

    def family_task(i: int, family: dict, due: float) -> None:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            lag = time.perf_counter() - due
            if time.perf_counter() > deadline:
                v = {"login": family["login"], "steps": {}, "error": "TimeoutError: not started by the hard deadline",
                     "child_seen": False, "diary_status": None, "wire_bytes": 0, "finished_at": time.perf_counter()}
            else:
                v = _visit(port, family, password, sc.forwarded_address(i + 1), deadline,
                           max(1.0, min(timeout, deadline - time.perf_counter())))
            v["start_lag"] = lag
            with lock:
                visits.append(v)
        finally:
            with lock:
                in_flight["now"] -= 1

    with ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="family") as pool:
        futures = []
        for i, family in enumerate(families):
            due = t0 + i * window / max(1, n)
            while (now := time.perf_counter()) < due:  # the dispatcher sleeps until the next arrival
                time.sleep(min(0.05, due - now))
            futures.append(pool.submit(family_task, i, family, due))
        for f in futures:
            f.result()  # each visit ends by the hard deadline plus one request's timeout
    wall = time.perf_counter() - t0

    requests = [d for v in visits for d in v["steps"].values()]
    errors = [v for v in visits if v["error"]]
    done = [v for v in visits if not v["error"]]
    out: dict[str, Any] = {
        **{k: v for k, v in _ms(requests).items() if k != "n"},
        "rps": round(len(requests) / wall, 1) if wall else None,
        "queries": None,
        "errors": len(errors) + (n - len(visits)),
        "requests": len(requests),
        "families": n,
        "families_done": len(done),
        "children_seen": sum(1 for v in visits if v["child_seen"]),
        "window_s": window,
        "max_in_flight": max_in_flight,
        "in_flight_peak": in_flight["max"],
        "wall_s": round(wall, 1),
        "last_done_s": round(max((v["finished_at"] for v in done), default=t0) - t0, 1),
        "steps": {name: _ms([v["steps"][name] for v in visits if name in v["steps"]]) for name in STEPS},
        "visit": _ms([v["visit"] for v in done]),
        "start_lag": _ms([v["start_lag"] for v in visits]),
        "wire_kb_per_visit": round(statistics.mean([v["wire_bytes"] for v in done]) / 1024, 1) if done else None,
    }
    if errors:
        out["error_examples"] = [v["error"] for v in errors[:5]]
    out["visits"] = visits  # for the tests; dropped from the JSON by the caller
    return out
