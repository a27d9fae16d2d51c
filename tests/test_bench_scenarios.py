"""The benchmark's HTTP client and its Monday-morning peak (bench/scenarios.py, bench/peak.py):
the client asks for br/gzip like a browser, decodes the body and counts its size on the wire;
families of a tiny generated school log in through gunicorn, each from its own forwarded
address, and reach their child's diary with the login rate limit left on."""
from __future__ import annotations

import gzip
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scenarios as sc  # noqa: E402

PAGE = ("<html><body>" + "Дневник ученика 5А, неделя " * 400 + "</body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Handler.seen.append(dict(self.headers))
        coding = self.path.strip("/")
        body = {"br": brotli.compress(PAGE), "gzip": gzip.compress(PAGE), "identity": PAGE}[coding]
        self.send_response(200)
        if coding != "identity":
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("coding", ["br", "gzip", "identity"])
def test_the_http_client_decodes_br_and_gzip_and_counts_the_wire_size(server, coding):
    _Handler.seen.clear()
    client = sc.HttpClient(server, timeout=5, forwarded_for="10.1.2.3")
    r = client.request("GET", f"/{coding}")
    assert r.status == 200
    assert r.text == PAGE.decode()
    assert r.body_bytes == len(PAGE)
    expected = {"br": brotli.compress(PAGE), "gzip": gzip.compress(PAGE), "identity": PAGE}[coding]
    assert r.wire_bytes == len(expected)
    if coding != "identity":
        assert r.wire_bytes < len(PAGE) / 5
    sent = _Handler.seen[-1]
    assert sent["Accept-Encoding"] == "br, gzip"
    assert sent["X-Forwarded-For"] == "10.1.2.3"

    samples = sc.Samples(latencies=[0.01])
    samples.add_sizes(r)
    summary = samples.summary()
    assert summary["wire_kb_max"] == round(len(expected) / 1024, 1)


def test_each_client_has_its_own_forwarded_address():
    assert sc.forwarded_address(1) == "10.1.1.1"
    assert sc.forwarded_address(251) == "10.1.2.1"
    assert len({sc.forwarded_address(n) for n in range(1, 301)}) == 300


def test_monday_peak_families_reach_their_childs_diary(tmp_path):
    from bench import peak
    from bench.__main__ import GunicornServer, _dispose, _make_app
    from bench.generate import BENCH_PASSWORD

    url = f"sqlite:///{tmp_path / 'bench.sqlite'}"
    generated = subprocess.run([sys.executable, "-m", "bench", "generate", "--students", "50", "--database-url", url],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert generated.returncode == 0, generated.stderr[-2000:]
    app = _make_app(url)
    today = sc.pick_targets(app, BENCH_PASSWORD, 1).today
    families = peak.pick_families(app, 1, 6, today)
    _dispose(app)
    assert len(families) == 6 and len({f["login"] for f in families}) == 6

    with GunicornServer(url, 1, "test", log_dir=str(tmp_path)) as server:
        result = peak.run(server.port, families, BENCH_PASSWORD, window=3, max_in_flight=4, margin=20)
        # the limiter is on: one address is refused after LOGIN_RATE_LIMIT (20 per minute) posts,
        # even right ones (each family above posted once, from an address of its own)
        statuses = [_login_status(server.port, "10.9.9.9", families[0]["login"], BENCH_PASSWORD)
                    for _ in range(21)]

    assert result["errors"] == 0, result.get("error_examples")
    assert result["families_done"] == 6 and result["children_seen"] == 6
    assert sorted(v["login"] for v in result["visits"]) == sorted(f["login"] for f in families)
    for visit in result["visits"]:
        assert visit["diary_status"] == 200 and visit["child_seen"], visit
        assert set(visit["steps"]) == {"login_page", "login_post", "diary"}
    assert len({v["address"] for v in result["visits"]}) == 6
    assert result["last_done_s"] < 3 + 5
    assert statuses[:20] == [302] * 20 and statuses[20] == 429


def _login_status(port: int, address: str, login: str, password: str) -> int:
    client = sc.HttpClient(port, timeout=10, forwarded_for=address)
    page = client.request("GET", "/auth/login")
    data = {"login": login, "password": password, "csrf_token": sc.form_csrf_token(page.text)}
    return client.request("POST", "/auth/login", data).status


def test_a_districts_weekly_batch_is_one_run_of_the_job_for_every_school(tmp_path):
    """As the scheduler runs it: one run over every school with one PDF pool (a run per school
    started a pool per school, and scaling each school's sample multiplied those start-ups).
    Every school's sampled students get their page; the applications filed for it are removed."""
    from sqlalchemy import func, select

    from bench import reports
    from bench.__main__ import _dispose, _make_app

    url = f"sqlite:///{tmp_path / 'bench.sqlite'}"
    generated = subprocess.run([sys.executable, "-m", "bench", "generate", "--students", "30", "--schools", "2",
                                "--database-url", url], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert generated.returncode == 0, generated.stderr[-2000:]
    app = _make_app(url)
    try:
        result = reports.district_batch(app, limit=3, workers=1)
        from extensions import db
        from models import JobRun
        from models.personal_data import ParentApplication

        with app.app_context():
            left = db.session.scalar(select(func.count()).select_from(ParentApplication))
            runs = db.session.scalar(select(func.count()).select_from(JobRun))
    finally:
        _dispose(app)
    assert result["schools"] == 2 and result["errors"] == 0 and result["status"] == "succeeded"
    assert result["students"] == 6 and result["pages"] == 6
    assert result["district_students"] == 60
    assert result["district_seconds"] == pytest.approx(result["seconds"] * 60 / 6, rel=0.1)  # seconds are rounded
    assert "one run" in result["mode"]
    assert left == 0 and runs == 0
