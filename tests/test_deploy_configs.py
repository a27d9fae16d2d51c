"""The deployment configs in deploy/ (issue 16, item 3): deploy/check passes (nginx -t,
systemd-analyze verify, gunicorn --check-config, postgres -C); the environment file example
names every setting config.py reads; the scheduler unit runs exactly one process; and the nginx
site, run for real on free ports, redirects to HTTPS, compresses, caches hashed static files for a
year and passes the client's address to the application."""
from __future__ import annotations

import contextlib
import gzip
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
REQUIRED = os.environ.get("DEPLOY_CHECK_REQUIRED") == "1"


def _need_nginx():
    if NGINX is None:
        if REQUIRED:
            pytest.fail("nginx is not installed and DEPLOY_CHECK_REQUIRED=1")
        pytest.skip("nginx is not installed (apt-get install nginx libnginx-mod-http-brotli-filter)")


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _config_env_names() -> set[str]:
    source = (ROOT / "config.py").read_text()
    pattern = r'(?:os\.environ\.get\(|os\.environ\[|_int\(|_bool\()\s*"([A-Z][A-Z0-9_]*)"'
    return set(re.findall(pattern, source))


def _env_example_names() -> set[str]:
    names = set()
    for line in (DEPLOY / "school-journal.env.example").read_text().splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_deploy_check_passes():
    _need_nginx()
    result = subprocess.run([str(DEPLOY / "check")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: nginx -t" in result.stdout
    assert "OK: gunicorn --check-config" in result.stdout


def test_the_env_example_names_every_setting_config_reads():
    names = _config_env_names()
    assert {"DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "BACKUP_DESTINATIONS"} <= names
    missing = names - _env_example_names()
    assert not missing, f"add to deploy/school-journal.env.example: {sorted(missing)}"


def test_the_env_example_sets_what_a_district_must_set():
    active = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in (DEPLOY / "school-journal.env.example").read_text().splitlines()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line)
    }
    assert active["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert active["TRUSTED_PROXIES"] == "1"
    assert active["SESSION_COOKIE_SECURE"] == "1"
    assert active["DATABASE_URL"].startswith("postgresql://")
    for name in ("SECRET_KEY", "PD_ENCRYPTION_KEYS", "PD_INDEX_KEY"):
        assert name in active
    assert len(active["BACKUP_DESTINATIONS"].split(":")) == 2


def test_the_scheduler_unit_runs_exactly_one_scheduler_process():
    unit = _unit("school-journal-scheduler.service")
    assert len(unit["ExecStart"]) == 1
    assert unit["ExecStart"][0].endswith("/.venv/bin/flask --app app scheduler")
    assert unit["Type"] == ["simple"]
    assert not any(key.startswith("ExecStart") and key != "ExecStart" for key in unit)
    assert not list((DEPLOY / "systemd").glob("*@*"))  # no template that could start several
    web = _unit("school-journal-web.service")
    assert "scheduler" not in " ".join(web["ExecStart"])
    gunicorn_conf = (DEPLOY / "gunicorn.conf.py").read_text()
    assert "build_scheduler" not in gunicorn_conf and "apscheduler" not in gunicorn_conf.lower()
    assert not re.search(r"^def (on_starting|when_ready|post_fork|post_worker_init)", gunicorn_conf, re.M)


@pytest.mark.parametrize("name", ["school-journal-web.service", "school-journal-scheduler.service"])
def test_units_are_hardened(name):
    unit = _unit(name)
    assert unit["User"] == ["school-journal"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["PrivateTmp"] == ["yes"]
    assert unit["Restart"] == ["on-failure"]
    assert "/var/lib/school-journal" in unit["ReadWritePaths"][0].split()
    assert unit["EnvironmentFile"] == ["/etc/school-journal/school-journal.env"]


def test_gunicorn_config_values(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["workers"] == os.cpu_count() * 2 + 1
    assert namespace["bind"] == "127.0.0.1:8000"
    assert namespace["timeout"] >= 60  # PDF rendering
    assert namespace["max_requests"] > 0 and namespace["max_requests_jitter"] > 0
    assert namespace["forwarded_allow_ips"] == "127.0.0.1"
    assert "x-forwarded-for" in namespace["access_log_format"]


def test_nginx_body_limit_follows_the_application():
    from config import Config

    site = (DEPLOY / "nginx" / "school-journal.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    app_megabytes = Config.MAX_CONTENT_LENGTH // (1024 * 1024)
    assert app_megabytes <= megabytes <= app_megabytes + 1


# --- nginx running for real ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Echo(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers a large HTML page naming the headers it received."""

    def do_GET(self):  # noqa: N802
        seen = {k.lower(): v for k, v in self.headers.items()}
        body = ("<!doctype html><p>" + json.dumps(seen) + "</p>" + "<p>журнал</p>" * 500).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _nginx(tmp_path: Path, backend_port: int):
    """The site with its ports, certificate and folders moved into tmp_path, run in the foreground."""
    _need_nginx()
    http_port, https_port = _free_port(), _free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=journal.example.ru",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True,
    )
    site = (DEPLOY / "nginx" / "school-journal.conf").read_text()
    site = (
        site.replace("/etc/letsencrypt/live/journal.example.ru/", f"{tmp_path}/")
        .replace("/opt/school-journal/", f"{ROOT}/")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("server 127.0.0.1:8000", f"server 127.0.0.1:{backend_port}")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    )
    (tmp_path / "site.conf").write_text(site)
    modules = "include /etc/nginx/modules-enabled/*.conf;" if os.path.isdir("/etc/nginx/modules-enabled") else ""
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read this checkout's static files
    (tmp_path / "nginx.conf").write_text(f"""{modules}
{user}
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    process = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        _wait_for_port(https_port, process)
        yield http_port, https_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail((process.stderr.read() or b"").decode() if process.stderr else "exited")
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port} after {seconds} s")


@pytest.fixture
def running_nginx(tmp_path):
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    try:
        with _nginx(tmp_path, backend.server_address[1]) as ports:
            yield ports
    finally:
        backend.shutdown()


def _https(port: int, path: str, headers: dict | None = None, method: str = "GET", body: str | None = None,
           source: str = "127.0.0.1") -> http.client.HTTPResponse:
    context = ssl._create_unverified_context()  # the throwaway self-signed certificate
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, context=context, timeout=30, source_address=(source, 0),
    )
    connection.request(method, path, body=body, headers={"Host": "journal.example.ru", **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_nginx_redirects_http_to_https(running_nginx):
    http_port, _ = running_nginx
    connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    connection.request("GET", "/journal?x=1", headers={"Host": "journal.example.ru"})
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://journal.example.ru/journal?x=1"


def test_nginx_hashed_static_files_are_immutable_for_a_year(running_nginx):
    _, port = running_nginx
    hashed = _https(port, "/static/css/app.css?v=0123abcd", {"Accept-Encoding": "gzip"})
    assert hashed.status == 200
    assert hashed.getheader("Content-Encoding") == "gzip"
    cache = ", ".join(hashed.headers.get_all("Cache-Control"))
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    assert "max-age=63072000" in hashed.getheader("Strict-Transport-Security")
    plain = _https(port, "/static/css/app.css")
    cache = ", ".join(plain.headers.get_all("Cache-Control"))
    assert "max-age=3600" in cache and "immutable" not in cache
    assert plain.body == (ROOT / "static" / "css" / "app.css").read_bytes()
    for path in ("/static/../config.py", "/static/..%2fconfig.py", "/static//../config.py"):
        assert b"class Config" not in _https(port, path).body  # nothing outside static/ is served


def test_nginx_passes_the_client_and_compresses_pages(running_nginx):
    _, port = running_nginx
    response = _https(port, "/journal", {"Accept-Encoding": "gzip", "X-Forwarded-For": "6.6.6.6"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert "max-age=63072000" in response.getheader("Strict-Transport-Security")
    page = gzip.decompress(response.body).decode()
    seen = json.loads(page.split("<p>", 1)[1].split("</p>", 1)[0])
    # The application (TRUSTED_PROXIES=1) takes the last hop: the address nginx saw, not the forged one.
    assert seen["x-forwarded-for"].split(", ")[-1] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "https"
    assert seen["host"] == "journal.example.ru"
    assert "accept-encoding" not in seen or seen["accept-encoding"] == ""  # nginx compresses, not the app
    assert len(response.body) * 10 < len(page.encode())


def test_nginx_brotli_when_the_module_is_installed(running_nginx):
    if not os.path.exists("/etc/nginx/modules-enabled/50-mod-http-brotli-filter.conf"):
        pytest.skip("libnginx-mod-http-brotli-filter is not installed")
    _, port = running_nginx
    response = _https(port, "/journal", {"Accept-Encoding": "br, gzip"})
    assert response.getheader("Content-Encoding") == "br"


def test_gunicorn_behind_nginx_rate_limits_each_real_client(tmp_path):
    """The whole chain as deployed: nginx (the site) -> gunicorn (deploy/gunicorn.conf.py) -> the
    application with TRUSTED_PROXIES=1 from the env example. Two clients on different addresses
    (127.0.0.2 and 127.0.0.3, both loopback): the login limit counts each apart, so the limiter
    sees the real client and not nginx's 127.0.0.1."""
    _need_nginx()
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path}/deploy.db",
        SECRET_KEY="deploy-test-secret",
        PD_ENCRYPTION_KEYS="a:dGVzdC1rZXktYS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0",
        PD_INDEX_KEY="dGVzdC1pbmRleC1rZXktLS0tLS0tLS0tLS0tLS0tLS0tLQ",
        TRUSTED_PROXIES="1",
        LOGIN_RATE_LIMIT="2 per minute",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        ARCHIVE_SIGNING_KEY_PATH=str(tmp_path / "archive_key.pem"),
        MAINTENANCE_FILE=str(tmp_path / "maintenance.json"),
    )
    env.pop("TEST_DATABASE_URL", None)
    env.pop("RUNTIME_DIRECTORY", None)
    bin_dir = ROOT / ".venv" / "bin"
    log_file = open(tmp_path / "gunicorn.log", "w")
    subprocess.run([str(bin_dir / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    gunicorn = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "app:create_app()"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, gunicorn, seconds=60)
        with _nginx(tmp_path, port) as (_, https_port):
            assert _https(https_port, "/healthz").status == 200

            def login(source):
                form = _https(https_port, "/auth/login", source=source)
                cookie = form.getheader("Set-Cookie").split(";", 1)[0]
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.body.decode()).group(1)
                return _https(
                    https_port, "/auth/login", method="POST", source=source,
                    body=f"csrf_token={token}&login=nobody&password=wrong",
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "6.6.6.6",
                        "Cookie": cookie, "Referer": "https://journal.example.ru/auth/login",
                    },
                ).status

            first = [login("127.0.0.2") for _ in range(3)]
            assert first[:2] != [429, 429] and first[2] == 429
            assert login("127.0.0.3") != 429  # another client behind the same nginx
        log = (tmp_path / "gunicorn.log").read_text()
        # The access log names the real client, and keeps the forged header apart.
        assert re.search(r'^127\.0\.0\.2 "POST /auth/login .*xff="6\.6\.6\.6, 127\.0\.0\.2"$', log, re.M), log
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        log_file.close()
    assert "Control socket" not in (tmp_path / "gunicorn.log").read_text()  # none in the home folder
