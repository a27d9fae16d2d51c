from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

import policy
from blueprints.auth import bp, devices, operations, sessions
from blueprints.auth.forms import ChangePasswordForm, CompromiseForm, LoginForm
from blueprints.auth.operations import attempt_login, log_login_event, report_compromise
from extensions import db, limiter, login_manager
from models import User, UserSession
from models.base import utcnow
from utils.htmx import sent_by_htmx

# Pages a user who must change the password may still open.
_OPEN_WHILE_PASSWORD_EXPIRED = {"auth.change_password", "auth.logout", "auth.switch_user", "static"}


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The cookie names a session record; only an open, not idle one opens pages."""
    return sessions.load(token)


def _to_login_page():
    if sent_by_htmx():
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


@bp.before_app_request
def enforce_idle_timeout_and_password_change():
    """Shared classroom tablets: an idle session ends by itself (001:2.5.11, 002:3.6), by the
    server's record of the session's last activity."""
    if request.endpoint in ("static", "healthz"):
        return None
    authenticated = current_user.is_authenticated  # runs the user loader
    expired = g.pop("expired_session", None)
    if expired is not None:
        record, reason = expired

        def end_expired():
            sessions.end(record, reason)
            log_login_event(record.user.login, reason, record.user)

        sessions.write_now(end_expired)
        logout_user()
        session.clear()
        if reason == "idle":
            flash(_("Сеанс завершён из-за бездействия. Войдите снова."), "info")
        else:
            flash(_("Сеанс завершён: он длился дольше допустимого. Войдите снова."), "info")
        return _to_login_page()
    if not authenticated:
        return None
    sessions.touch(sessions.current(), utcnow())
    if current_user.must_change_password and request.endpoint not in _OPEN_WHILE_PASSWORD_EXPIRED:
        flash(_("Задайте свой пароль вместо выданного."), "info")
        return redirect(url_for("auth.change_password"))
    return None


def _end_this_session(reason: str) -> None:
    """End the current session on the server, then forget it in the cookie."""
    log_login_event(current_user.login, "logout", current_user)
    record = sessions.current()
    if record is not None:
        sessions.end(record, reason)
    db.session.commit()
    logout_user()
    session.clear()


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
        result = attempt_login(
            form.login.data, form.password.data, device=devices.device_id(), known_device=devices.is_known(form.login.data)
        )
        if result.user is not None:
            sessions.open_session(result.user)
            db.session.commit()
            session.clear()
            login_user(result.user)
            session.permanent = True
            if result.failures_since_last_login:
                flash(
                    _(
                        "После вашего прошлого входа было неудачных попыток войти под вашим логином: "
                        "%(n)s. Если это были не вы, смените пароль (адреса — в профиле).",
                        n=result.failures_since_last_login,
                    ),
                    "warning",
                )
            response = redirect(_safe_next(request.args.get("next")))
            devices.remember(response, result.user.login)
            return response
        db.session.commit()
        flash(result.error, "error")
        status = result.status
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    _end_this_session("logout")
    flash(_("Вы вышли из системы."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/switch")
@login_required
def switch_user():
    """One tap on a shared tablet: end this session and hand the login form to the next person."""
    _end_this_session("switch")
    flash(_("Сеанс завершён. Следующий пользователь может войти под своей учётной записью."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """«Завершить» in the profile's list of open sessions: a forgotten tablet, a lost phone."""
    record = policy.checked(db.session.get(UserSession, session_id), policy.can_end_session, current_user)
    if record is sessions.current():
        _end_this_session("logout")
        flash(_("Вы вышли из системы."), "info")
        return redirect(url_for("auth.login"))
    sessions.end(record, "ended")
    db.session.commit()
    flash(_("Сеанс завершён."), "success")
    return redirect(url_for("main.profile"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(user=current_user)
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Текущий пароль введён неверно."))
            status = 400
        else:
            user = current_user._get_current_object()
            operations.change_password(user, form.new_password.data)
            sessions.open_session(user)  # a new session id for the person who changed it
            db.session.commit()
            login_user(user)
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
