"""Settings. Everything comes from the environment with a safe default, so a fresh clone runs
with nothing configured and production overrides only what it must."""
import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: app.py keeps one in the instance folder
    # None: SQLite file in the instance folder, set by create_app().
    SQLALCHEMY_DATABASE_URI = (
        normalise_database_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
    )
    # How long a writer waits for a lock held by another transaction before the request is
    # answered 503 with Retry-After (the grid retries it). Keep both well under gunicorn's
    # worker timeout (30 s by default), or the worker is killed and the client sees a 502.
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 15000)
    PG_LOCK_TIMEOUT_MS = _int("PG_LOCK_TIMEOUT_MS", 15000)
    BUSY_RETRY_AFTER_SECONDS = _int("BUSY_RETRY_AFTER_SECONDS", 5)

    # /healthz (README, «Production»): the write probe's own lock timeout and the free space
    # the database folder (SQLite) and the uploads folder must keep.
    HEALTH_DB_TIMEOUT_MS = _int("HEALTH_DB_TIMEOUT_MS", 1000)
    HEALTH_MIN_FREE_MB = _int("HEALTH_MIN_FREE_MB", 500)
    # A restore's marker (utils/maintenance.py); None: instance/maintenance.json. With several
    # hosts, a path on a folder they share.
    MAINTENANCE_FILE = os.environ.get("MAINTENANCE_FILE") or None
    MAINTENANCE_RETRY_AFTER_SECONDS = _int("MAINTENANCE_RETRY_AFTER_SECONDS", 60)

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("SCHOOL_TIMEZONE", "Europe/Moscow")
    SCHOOL_TIMEZONE = os.environ.get("SCHOOL_TIMEZONE", "Europe/Moscow")

    # Sessions: personal credentials on shared tablets (001:2.5.11-2.5.13, 004:2.13).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)  # true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PREFERRED_URL_SCHEME = "https" if _bool("SESSION_COOKIE_SECURE", False) else "http"
    STAFF_IDLE_MINUTES = _int("STAFF_IDLE_MINUTES", 15)
    FAMILY_IDLE_MINUTES = _int("FAMILY_IDLE_MINUTES", 60)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # A session's last_seen is written at most this often (pages do not write on every request).
    SESSION_TOUCH_SECONDS = _int("SESSION_TOUCH_SECONDS", 60)

    # Login throttling (ASVS 2.2.1) without a lock that anyone could set off for someone else's
    # account: requests per address by Flask-Limiter; growing delays per login and address
    # after LOGIN_FREE_FAILURES failures (1, 2, 4… s up to LOGIN_MAX_DELAY_SECONDS); and per
    # login across all addresses at most LOGIN_ACCOUNT_FAILURES_PER_HOUR failures, beyond which
    # only browsers where the account logged in before are still checked (their own failures
    # are delayed apart from their address's, which pupils may share behind a NAT). From
    # LOGIN_ALERT_FAILURES failures in an hour the administrators get an alert.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")
    LOGIN_FREE_FAILURES = _int("LOGIN_FREE_FAILURES", 3)
    LOGIN_MAX_DELAY_SECONDS = _int("LOGIN_MAX_DELAY_SECONDS", 300)
    LOGIN_ACCOUNT_FAILURES_PER_HOUR = _int("LOGIN_ACCOUNT_FAILURES_PER_HOUR", 100)
    LOGIN_ALERT_FAILURES = _int("LOGIN_ALERT_FAILURES", 10)
    # Reverse proxies in front of the application (0: clients connect directly). Only that many
    # X-Forwarded-For/-Proto hops are trusted; the client's address is the one the outermost
    # trusted proxy saw, used by the rate limits, the login log and the history.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Where the rate limits count (Flask-Limiter): memory:// for one process (the embedded
    # default); with several app servers or gunicorn workers, redis://host:6379/N so that every
    # process counts against the same limits (README, «Несколько серверов»). The prefix keeps
    # districts or test runs sharing one Redis apart. If Redis goes away, each process counts in
    # its own memory until it is back, rather than refusing logins.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "school")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = _bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True

    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's scrypt (n=2^15, r=8, p=1)
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds the token
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 5) * 1024 * 1024
    # Uploaded files (scans, homework, message attachments, printouts, pending imports). None:
    # instance/uploads. With several app servers, a folder every host mounts (NFS or the like).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or None
    # Imported tables (people lists, the calendar-thematic plan): bounds checked before anything
    # is parsed, so a hostile file cannot exhaust the server (utils/spreadsheets.py). Sized for a
    # school of a few thousand people.
    IMPORT_MAX_FILE_MB = _int("IMPORT_MAX_FILE_MB", 2)  # also never above MAX_UPLOAD_MB
    IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 5000)
    IMPORT_MAX_COLUMNS = _int("IMPORT_MAX_COLUMNS", 50)
    IMPORT_MAX_CELL_CHARS = _int("IMPORT_MAX_CELL_CHARS", 1000)
    IMPORT_MAX_CELLS = _int("IMPORT_MAX_CELLS", 150_000)
    IMPORT_MAX_TEXT_CHARS = _int("IMPORT_MAX_TEXT_CHARS", 5_000_000)
    IMPORT_MAX_UNCOMPRESSED_MB = _int("IMPORT_MAX_UNCOMPRESSED_MB", 20)  # XLSX unpacked
    IMPORT_MAX_RATIO = _int("IMPORT_MAX_RATIO", 100)  # XLSX: unpacked size / packed size of a part
    IMPORT_MAX_SECONDS = _int("IMPORT_MAX_SECONDS", 15)  # parse-time budget

    # Personal data (152-ФЗ): the consent form of 003 (10 working days) is stricter than
    # the law (30 days), so it is the default. Both are school settings (the settings page,
    # domain/settings.py CONFIG_DEFAULTS); these are the defaults of a school that set nothing.
    PD_DESTROY_WORKING_DAYS = _int("PD_DESTROY_WORKING_DAYS", 10)
    PD_DESTROY_CALENDAR_DAYS_LEGAL = _int("PD_DESTROY_CALENDAR_DAYS_LEGAL", 30)
    # Encryption at rest of the most sensitive fields (utils/encryption.py, PD-6): "id:base64key"
    # entries, comma-separated, the first encrypts; and the key of the searchable keyed hashes.
    # None: generated once and kept in the instance folder (pd_keys), never in the database or
    # its backups — keep a copy of them apart from the backups, or the backups cannot be read.
    PD_ENCRYPTION_KEYS = os.environ.get("PD_ENCRYPTION_KEYS")
    PD_INDEX_KEY = os.environ.get("PD_INDEX_KEY")
    # The school's Ed25519 key that signs archive packages (utils/archive_packages.py): created
    # once at this path, outside the database. None: instance/archive_signing_key.pem.
    ARCHIVE_SIGNING_KEY_PATH = os.environ.get("ARCHIVE_SIGNING_KEY_PATH")

    # Scheduled jobs (crontab syntax, school time): weekly paper reports on Saturday 10:00
    # (003:2.6-2.7), weekly backup on Sunday 02:00 (ARC-4). The reports' day and time are a
    # school setting; this is its default (jobs/schedule_settings.py).
    WEEKLY_REPORTS_CRON = os.environ.get("WEEKLY_REPORTS_CRON", "0 10 * * sat")
    BACKUP_CRON = os.environ.get("BACKUP_CRON", "0 2 * * sun")
    # Daily at 07:00: overdue destruction tasks after a withdrawal of consent warn the director (PD-2).
    PD_DESTRUCTION_CRON = os.environ.get("PD_DESTRUCTION_CRON", "0 7 * * *")
    # The retention review (ARC-2): monthly, the 1st at 06:00 school time.
    RETENTION_CRON = os.environ.get("RETENTION_CRON", "0 6 1 * *")
    # Daily at 06:30: from the school's date on, the year's results go into the personal files (REP-6).
    PERSONAL_FILES_CRON = os.environ.get("PERSONAL_FILES_CRON", "30 6 * * *")
    # The archive packages queued by closing a year (jobs/archive_builds.py): looked for every minute.
    ARCHIVE_BUILDS_CRON = os.environ.get("ARCHIVE_BUILDS_CRON", "* * * * *")
    # The parents' e-mail notices of new messages (jobs/message_notices.py): sent every minute.
    MESSAGE_NOTICES_CRON = os.environ.get("MESSAGE_NOTICES_CRON", "* * * * *")

    # Weekly reports (DIA-4): where the class batches are kept (None: instance/reports) and how
    # many processes render the pages (None: one per CPU; 0: render in the job's own process).
    REPORTS_FOLDER = os.environ.get("REPORTS_FOLDER") or None
    REPORT_WORKERS = _int("REPORT_WORKERS", 0) if os.environ.get("REPORT_WORKERS") else None

    # Certified printouts (REP-4, utils/printouts.py): every printed document's PDF is kept here,
    # one file per verification code, never overwritten. None: `printouts` inside the uploads
    # folder, which the weekly backup packs (jobs/backup.py); a folder elsewhere must be backed up
    # on its own. The code lookup at /verify/<code> is rate-limited per address against guessing.
    PRINTOUTS_DIR = os.environ.get("PRINTOUTS_DIR") or None
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    # Messages (COM-1): a per-user limit on sending against spam, the longest text, the largest
    # attachment, and how often an open conversation asks for new messages (htmx polling).
    MESSAGE_RATE_LIMIT = os.environ.get("MESSAGE_RATE_LIMIT", "20 per minute; 200 per day")
    MESSAGE_MAX_CHARS = _int("MESSAGE_MAX_CHARS", 4000)
    MESSAGE_FILE_MAX_BYTES = _int("MESSAGE_FILE_MAX_MB", 3) * 1024 * 1024
    MESSAGE_POLL_SECONDS = _int("MESSAGE_POLL_SECONDS", 5)

    # Compressed answers (utils/compression.py, Flask-Compress): brotli when the browser takes it,
    # gzip otherwise; only text formats (PDFs, XLSX and images are compressed already).
    COMPRESS_ENABLED = _bool("COMPRESS_ENABLED", True)  # off behind a proxy that compresses itself
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_BR_LEVEL = _int("COMPRESS_BR_LEVEL", 5)
    COMPRESS_LEVEL = _int("COMPRESS_LEVEL", 6)  # gzip
    COMPRESS_MIN_SIZE = 500
    COMPRESS_MIMETYPES = [
        "text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
        "application/json", "text/csv",
    ]
    # Static files (utils/static_files.py): a URL with the file's content hash (?v=…) is cached
    # for a year, unchanged ("immutable"); without it, a browser revalidates by ETag every time.
    STATIC_IMMUTABLE_MAX_AGE = 31536000
    SEND_FILE_MAX_AGE_DEFAULT = None

    # E-mail (smtplib). No MAIL_SERVER: e-mail is disabled, reports go on paper and every
    # message is recorded as not sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@localhost")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)

    # Backups (ARC-4): every copy is written to each destination. None: two folders in the
    # instance folder (backups-a, backups-b), for a trial only; in production two disks or
    # mounts in different rooms, separated by os.pathsep (":" on Linux).
    BACKUP_DESTINATIONS = [p for p in os.environ.get("BACKUP_DESTINATIONS", "").split(os.pathsep) if p.strip()] or None
    BACKUP_KEEP_WEEKLY = _int("BACKUP_KEEP_WEEKLY", 8)  # the newest N copies
    BACKUP_KEEP_MONTHLY = _int("BACKUP_KEEP_MONTHLY", 12)  # plus the newest of each of M months
    BACKUP_MAX_AGE_DAYS = _int("BACKUP_MAX_AGE_DAYS", 8)  # older: a warning on the dashboard
    # PostgreSQL: also restore each dump into a scratch database to prove it loads.
    BACKUP_VERIFY_RESTORE = _bool("BACKUP_VERIFY_RESTORE", True)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = None  # set by the test fixtures
    WTF_CSRF_ENABLED = False  # switched back on by the CSRF tests
    RATELIMIT_ENABLED = False  # switched back on by the throttling tests
    PD_DESTROY_WORKING_DAYS = 10
    # Fixed test keys (32 bytes each, base64): "a" is current, "old" is there for rotation tests.
    PD_ENCRYPTION_KEYS = "a:dGVzdC1rZXktYS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0," + "old:dGVzdC1rZXktb2xkLS0tLS0tLS0tLS0tLS0tLS0tLS0"
    PD_INDEX_KEY = "dGVzdC1pbmRleC1rZXktLS0tLS0tLS0tLS0tLS0tLS0tLQ"
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # still scrypt, at a test-only cost
    MAIL_SERVER = None  # the e-mail tests start their own SMTP server
    MESSAGE_POLL_SECONDS = 1  # the browser test waits for a conversation's poll (COM-1)
