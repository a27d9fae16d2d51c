"""The application factory: configuration, extensions, blueprints, CLI and error pages.
Nothing runs at import time; migrations and the scheduler are commands of their own."""
from __future__ import annotations

import gc
import os
import secrets

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from domain.messages import Refusal
from extensions import babel, csrf, db, limiter, login_manager, migrate
from utils import htmx, static_files

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "school.db")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    if not app.config.get("PD_ENCRYPTION_KEYS") or not app.config.get("PD_INDEX_KEY"):
        keys, index_key = _instance_pd_keys(app.instance_path)
        app.config["PD_ENCRYPTION_KEYS"] = app.config.get("PD_ENCRYPTION_KEYS") or keys
        app.config["PD_INDEX_KEY"] = app.config.get("PD_INDEX_KEY") or index_key
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")

    if app.config.get("TRUSTED_PROXIES", 0) > 0:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_error_pages(app)
    _register_security_headers(app)
    htmx.init_app(app)
    static_files.init_app(app)
    _register_access_log(app)
    _register_cli(app)

    @app.get("/healthz")
    @limiter.exempt
    def healthz():
        """200: this process can write to the database and has disk space; 503 with Retry-After
        and the reasons otherwise (README, «Production»). No personal data, no paths."""
        from utils import health

        result = health.check(app)
        if result.ok:
            return jsonify(status="ok"), 200
        response = jsonify(status="unavailable", problems=result.problems)
        response.status_code = 503
        response.headers["Retry-After"] = str(app.config["BUSY_RETRY_AFTER_SECONDS"])
        response.headers["Cache-Control"] = "no-store"
        return response

    # Everything loaded so far lives as long as the process: keep it out of the cyclic garbage
    # collector's full passes, which otherwise double the time of one grid page in five
    # (measured: p95 140 → 69 ms on a 25 × 46 grid, bench/README.md).
    gc.collect()
    gc.freeze()
    return app


def _instance_secret(instance_path: str) -> str:
    """A secret key generated once per installation and kept in the instance folder."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()


def _register_access_log(app: Flask) -> None:
    from utils import pd_access

    pd_access.init_app(app)


def _instance_pd_keys(instance_path: str) -> tuple[str, str]:
    """The personal-data keys (utils/encryption.py) generated once per installation, kept in the
    instance folder next to the secret key and never in the database or its backups."""
    from utils.encryption import new_index_key, new_key_entry

    path = os.path.join(instance_path, "pd_keys")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{new_key_entry('k1')}\n{new_index_key()}\n")
    with open(path) as f:
        keys, index_key = (f.read().split() + ["", ""])[:2]
    return keys, index_key


def _init_extensions(app: Flask) -> None:
    import models  # noqa: F401  (every table registered before create_all/migrations)
    from database import init_database
    from utils import compression

    # First of the after_request hooks, so it runs last, on the final body and headers.
    compression.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=lambda: app.config["BABEL_DEFAULT_LOCALE"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Войдите, чтобы открыть эту страницу.")
    login_manager.login_message_category = "info"
    init_database(app)
    from utils import maintenance

    maintenance.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from blueprints.admin import bp as admin_bp
    from blueprints.archive import bp as archive_bp
    from blueprints.assignments import bp as assignments_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.diary import bp as diary_bp
    from blueprints.journal import bp as journal_bp
    from blueprints.main import bp as main_bp
    from blueprints.messages import bp as messages_bp
    from blueprints.personal_data import bp as personal_data_bp
    from blueprints.polls import bp as polls_bp
    from blueprints.quizzes import bp as quizzes_bp
    from blueprints.reports import bp as reports_bp

    for bp in (main_bp, auth_bp, admin_bp, journal_bp, diary_bp, personal_data_bp, reports_bp, archive_bp,
               messages_bp, polls_bp, assignments_bp, quizzes_bp):
        app.register_blueprint(bp)


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: _l("Запрос не понят. Проверьте введённые данные и попробуйте ещё раз."),
        403: _l("У вас нет доступа к этой странице."),
        404: _l("Страница не найдена."),
        405: _l("Так обратиться к этой странице нельзя."),
        413: _l("Файл слишком большой. Максимальный размер — %(mb)s МБ."),
        429: _l("Слишком много попыток. Подождите немного и попробуйте снова."),
        500: _l("Внутренняя ошибка. Данные не изменены; сообщите администратору."),
        503: _l("Сервер временно занят. Данные не сохранены; повторите через несколько секунд."),
    }

    def render_error(code: int, message: str):
        if htmx.sent_by_htmx():
            return render_template("errors/_message.html", code=code, message=message), code
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return render_error(400, _("Форма устарела или отправлена не со страницы школы. Обновите страницу и повторите."))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = e.code or 500
        message = messages.get(code, e.description or "")
        if code == 413:
            message = _(
                "Файл слишком большой. Максимальный размер — %(mb)s МБ.",
                mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            )
        if isinstance(e, ServiceUnavailable):
            # Busy database or maintenance: the grid's outbox retries after Retry-After.
            message = e.description if e.description != ServiceUnavailable.description else messages[503]
            response = make_response(render_error(code, message))
            if e.retry_after is not None:
                response.headers["Retry-After"] = str(int(e.retry_after))
            return response
        return render_error(code, message)

    @app.errorhandler(OperationalError)
    def database_error(e: OperationalError):
        """A lock held too long by another transaction (SQLite "database is locked",
        PostgreSQL lock_timeout): nothing was stored, the request may be repeated — 503 with
        Retry-After, not a 500."""
        from database import is_busy_error, read_only_from_now

        if not is_busy_error(e):
            return server_error(e)
        db.session.rollback()
        read_only_from_now()  # the error page reads (the user, the menu) without the lock
        app.logger.warning("database busy: %s %s (%s)", request.method, request.path, e.orig)
        return http_error(ServiceUnavailable(
            _("База данных занята другой операцией. Данные не сохранены; повторите через несколько секунд."),
            retry_after=app.config["BUSY_RETRY_AFTER_SECONDS"],
        ))

    @app.errorhandler(Refusal)
    def refused(e: Refusal):
        """A refusal no view answered itself (e.g. utils/pd_access.require): its own message and
        status on the error page; whatever the request did is rolled back."""
        from utils import refusals

        return render_error(e.status, refusals.undo(e))

    @app.errorhandler(Exception)
    def server_error(e: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500, messages[500])


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Every answer but a static file may carry personal data (a page, a PDF, an export, a
        # scanned note): no browser or proxy keeps it (152-ФЗ). One rule here, so a new route
        # cannot forget it; send_file's own "no-cache" is replaced too.
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response


def _register_cli(app: Flask) -> None:
    from cli import register_cli

    register_cli(app)
