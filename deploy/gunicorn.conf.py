"""gunicorn for the school journal (README, «Развёртывание для района / Deploying a district»).

Started by deploy/systemd/school-journal-web.service:
    gunicorn -c deploy/gunicorn.conf.py "app:create_app()"
Every value can be overridden from the environment file (GUNICORN_*), so one file serves a
2-core school server and an 8-core district host alike."""
import multiprocessing
import os

# 127.0.0.1:8000 when nginx runs on the same host. With several application hosts behind one
# nginx, bind to the host's private address (GUNICORN_BIND=10.0.0.11:8000) and firewall it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: every request is short database work or CPU (PDF rendering), which sync workers
# suit; nginx buffers slow clients, so a worker is never held by a slow phone. 2 × cores + 1 is
# gunicorn's rule of thumb; each worker holds about one PostgreSQL connection at a time
# (deploy/postgresql/district.conf counts max_connections from this).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A journal page or a certificate rendered to PDF by xhtml2pdf can take tens of seconds on a
# busy host; 120 s leaves room for it (nginx's proxy_read_timeout is the same), while the
# database lock timeouts (PG_LOCK_TIMEOUT_MS, 15 s) stay far below it, so a request waiting
# for a lock answers 503 itself instead of being killed. Weekly report batches are rendered by
# the scheduler, never in a web worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30  # a restart lets running requests finish
keepalive = 5  # only nginx talks to gunicorn

# Recycle a worker after about a thousand requests (jitter: not all at once), so a slow leak in
# a library (PDF rendering, openpyxl) never grows without bound.
max_requests = 1000
max_requests_jitter = 100

# preload_app off: each worker imports the app and opens its own database connections after the
# fork (a connection pool created before a fork must not be shared between processes), and
# `systemctl reload` (HUP) then loads new code into new workers without a full restart. The cost
# is a few seconds of start-up and some memory per worker.
preload_app = False

# The heartbeat file on tmpfs: a worker's heartbeat never waits on a busy disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Whom gunicorn believes for X-Forwarded-Proto (wsgi.url_scheme): the local nginx only. The
# application itself applies werkzeug's ProxyFix for TRUSTED_PROXIES hops (app.py), which is
# what the rate limits and the login log use; set TRUSTED_PROXIES=1 in the environment file.
# With nginx on another host, list its address here (GUNICORN_FORWARDED_ALLOW_IPS=10.0.0.10).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr: journald keeps them (journalctl -u school-journal-web). %(h)s is the
# real client: the application's ProxyFix (TRUSTED_PROXIES=1) has already replaced nginx's
# address by the one nginx saw when the line is written; xff= keeps the header as it came, with
# whatever a client forged in front of it.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" xff="%({x-forwarded-for}i)s"'

proc_name = "school-journal-web"

# gunicorn 24+'s control socket (gunicornc): in the unit's RuntimeDirectory (/run/school-journal,
# systemd sets $RUNTIME_DIRECTORY); elsewhere none, rather than one in the home folder, which the
# unit makes inaccessible (ProtectHome=yes).
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")
else:
    control_socket_disable = True
