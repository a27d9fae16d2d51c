"""The benchmark's HTTP client (bench/scenarios.py): it asks for br/gzip like a browser, decodes
the body and counts its size on the wire, and sends an X-Forwarded-For of its own."""
from __future__ import annotations

import gzip
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
