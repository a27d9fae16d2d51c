from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from blueprints.auth import bp, operations
from blueprints.auth.forms import ChangePasswordForm, CompromiseForm, LoginForm
from blueprints.auth.operations import attempt_login, log_login_event, report_compromise
from extensions import db, limiter, login_manager
from models import User

# Pages a user who must change the password may still open.
_OPEN_WHILE_PASSWORD_EXPIRED = {"auth.change_password", "auth.logout", "auth.switch_user", "static"}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version:
        return None  # password changed or account blocked since this session began
    return user


def _idle_limit(user: User) -> timedelta:
    minutes = current_app.config["STAFF_IDLE_MINUTES" if user.is_staff else "FAMILY_IDLE_MINUTES"]
    return timedelta(minutes=minutes)


@bp.before_app_request
def enforce_idle_timeout_and_password_change():
    """Shared classroom tablets: an idle session ends by itself (001:2.5.11, 002:3.6)."""
    if request.endpoint in ("static", "healthz") or not current_user.is_authenticated:
        return None
    now = datetime.now(timezone.utc)
    last_seen = session.get("last_seen")
    if last_seen is not None:
        idle = now - datetime.fromtimestamp(last_seen, timezone.utc)
        if idle > _idle_limit(current_user):
            log_login_event(current_user.login, "idle", current_user)
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Сеанс завершён из-за бездействия. Войдите снова."), "info")
            if request.headers.get("HX-Request") == "true":
                response = current_app.response_class(status=401)
                response.headers["HX-Redirect"] = url_for("auth.login")
                return response
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["last_seen"] = now.timestamp()
    if current_user.must_change_password and request.endpoint not in _OPEN_WHILE_PASSWORD_EXPIRED:
        flash(_("Задайте свой пароль вместо выданного."), "info")
        return redirect(url_for("auth.change_password"))
    return None


def _safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect through ?next=."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = attempt_login(form.login.data, form.password.data)
        db.session.commit()
        if result.user is not None:
            session.clear()
            login_user(result.user)
            session.permanent = True
            session["last_seen"] = datetime.now(timezone.utc).timestamp()
            return redirect(_safe_next(request.args.get("next")))
        flash(result.error, "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    log_login_event(current_user.login, "logout", current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Вы вышли из системы."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/switch")
@login_required
def switch_user():
    """One tap on a shared tablet: end this session and hand the login form to the next person."""
    log_login_event(current_user.login, "logout", current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Сеанс завершён. Следующий пользователь может войти под своей учётной записью."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Текущий пароль введён неверно."))
            status = 400
        else:
            user = current_user._get_current_object()
            operations.change_password(user, form.new_password.data)
            db.session.commit()
            login_user(user)  # the session id carries the new version
            flash(_("Пароль изменён."), "success")
            return redirect(url_for("main.dashboard"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status


@bp.route("/compromised", methods=["GET", "POST"])
@login_required
def report_compromised():
    form = CompromiseForm()
    if form.validate_on_submit():
        report_compromise(current_user, form.details.data or "")
        db.session.commit()
        logout_user()
        session.clear()
        flash(
            _("Учётная запись заблокирована, администратор школы уведомлён. Получите у него новый пароль."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/compromised.html", form=form), (400 if request.method == "POST" else 200)
