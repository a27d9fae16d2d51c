from __future__ import annotations

from datetime import timedelta

from flask import has_request_context, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import policy
from blueprints.auth import sessions
from blueprints.main import bp, home_queries
from extensions import db
from models import AdminAlert, LoginEvent
from models.base import utcnow
from utils import pd_access
from utils.family import children_of
from utils.htmx import is_htmx
from utils.timeutil import school_today

# A reset of one's own password stays on the main page for this long (then on the profile).
RESET_NOTICE_DAYS = timedelta(days=30)


@bp.app_context_processor
def navigation():
    """The header's navigation and `may`, the user's permissions as flags (policy.user_may):
    computed here, before rendering, so that templates read booleans and run no checks."""
    if not has_request_context() or current_user is None:
        # a document rendered outside a request (an archive package's PDFs): no menu, no rights
        return {"nav_items": [], "section_items": [], "brand_name": None, "may": policy.May()}
    may = policy.user_may(current_user)
    if not current_user.is_authenticated:
        return {"nav_items": [], "section_items": [], "brand_name": None, "may": may}
    if is_htmx():
        # an htmx fragment (a saved cell, a swapped form) has no header: no menu, badge or banner
        return {"nav_items": [], "section_items": [], "brand_name": None, "may": may, "messages_unread": 0,
                "pd_suspension": None}
    items = [("main.dashboard", _("Главная"))]
    if current_user.has_role(*policy.TEACHING_ROLES) or policy.can_read_all_journals(current_user):
        items.append(("journal.index", _("Журнал")))
    if may.view_results_list:
        items.append(("reports.summary_index", _("Сводные ведомости")))
    if current_user.has_role(*policy.STATISTICS_ROLES, "class_teacher"):
        items.append(("reports.statistics", _("Статистика")))
    if current_user.has_role("student", "parent"):
        items.append(("diary.index", _("Дневник")))
    if may.administer:
        items.append(("admin.index", _("Администрирование")))
    # Sections reached from the home page's «Разделы» only: the header stays one line on a
    # tablet (1024 px) for the teacher and the office.
    more = [("main.verify_index", _("Проверка документа"))] if may.verify_printouts else []
    if policy.can_manage_exam_results(current_user):  # JRN-11: the state exam protocols
        more.append(("reports.exams_index", _("Результаты ГИА")))
    if may.view_pd_orders:
        more.append(("personal_data.orders", _("Допуск к персональным данным")))
    # the personal-data register (PD-4) and the parents' correction requests (PD-7)
    if policy.can_keep_disclosure_register(current_user):
        more.append(("personal_data.disclosures_register", _("Журнал передачи персональных данных")))
    if policy.can_handle_corrections(current_user):
        more.append(("personal_data.corrections", _("Исправление персональных данных")))
    if policy.can_follow_consents(current_user):
        more.append(("personal_data.consents_missing", _("Обучающиеся без согласия на обработку ПД")))
    if may.manage_destruction:
        more.append(("personal_data.destruction_tasks", _("Уничтожение персональных данных")))
    if policy.can_view_retention(current_user):
        more.append(("archive.destruction", _("Сроки хранения и акты об уничтожении")))
    if policy.can_manage_pd_register(current_user):
        more.append(("personal_data.suspensions", _("Приостановка доступа к персональным данным")))
    if policy.can_view_access_log(current_user):
        more.append(("personal_data.access_log", _("Журнал доступа к персональным данным")))
    if policy.can_manage_archive(current_user):  # the year's signed packages (ARC-1, ARC-3)
        more.append(("archive.index", _("Архив")))
    if policy.can_list_clubs(current_user):  # JRN-9: the additional-education groups' journal
        more.append(("journal.clubs", _("Объединения доп. образования")))
    if current_user.has_role("parent"):
        more.append(("personal_data.my", _("Заявления и согласия, данные о ребёнке")))
    if current_user.has_role(*policy.TEACHING_ROLES, "student", "parent"):  # distance assignments (JRN-10)
        more.append(("assignments.index", _("Задания")))
    more.append(("polls.index", _("Опросы")))  # COM-2: polls to answer, polls run
    # COM-1: the header's «Сообщения» link with the unread badge: one count query, here before
    # rendering (templates run no queries); none for an htmx fragment (answered above)
    from blueprints.messages.operations import unread_count

    path = request.path
    return {
        "messages_unread": unread_count(current_user),
        "may": may,
        "pd_suspension": _pd_suspension_notice(),
        # the header's school name, read here (per request, before rendering), not by the layout
        "brand_name": current_user.school.short_name,
        "nav_items": [
            {"url": url_for(endpoint), "label": label, "active": path.startswith(url_for(endpoint)) and endpoint != "main.dashboard"}
            for endpoint, label in items
        ],
        "section_items": [
            {"url": url_for(endpoint), "label": label}
            for endpoint, label in items + more if endpoint != "main.dashboard"
        ],
    }


def _pd_suspension_notice() -> str | None:
    """The banner of an active suspension of access to personal data that concerns this member
    of staff (PD-5): the school's, their own or a category's, with the reason (one query)."""
    if not current_user.is_staff:
        return None
    for suspension in pd_access.active_suspensions(current_user.school_id):
        if suspension.scope == "school" or suspension.user_id == current_user.id:
            return _("Доступ к персональным данным приостановлен директором. Причина: %(reason)s", reason=suspension.reason)
        if suspension.scope == "category":
            return _("Доступ к персональным данным категории %(c)s приостановлен директором. Причина: %(reason)s",
                     c=suspension.category, reason=suspension.reason)
    return None


@bp.get("/")
@login_required
def dashboard():
    user = current_user
    now = utcnow()
    today = school_today(user.school.timezone)
    # What to do today, by role (issue 12, item 5): home_queries.py builds it, the parts show it.
    teacher = home_queries.teacher_home(user, today, now) if user.has_role(*policy.TEACHING_ROLES) else None
    office = home_queries.office_home(user, today, now) if user.has_role(*policy.STATISTICS_ROLES) else None
    children = []
    if user.has_role("parent"):
        children = children_of(user)
    alerts = []
    backup = None
    if policy.can_administer(user):
        from jobs.backup import backup_status

        backup = backup_status(user.school)
        alerts = db.session.scalars(
            select(AdminAlert)
            .where(AdminAlert.school_id == user.school_id, AdminAlert.is_resolved.is_(False))
            .order_by(AdminAlert.at.desc())
            .limit(20)
        ).all()
    return render_template(
        "main/dashboard.html",
        teacher=teacher,
        office=office,
        children=children,
        alerts=alerts,
        backup=backup,
        missing_consents=home_queries.missing_consents(user, today),
        resets=_password_resets(user, since=utcnow() - RESET_NOTICE_DAYS),
    )


def _password_resets(user, since=None) -> list[AdminAlert]:
    """The resets of the user's own password by an administrator: the owner learns that
    someone was handed a slip with a password to their account."""
    query = select(AdminAlert).where(AdminAlert.user_id == user.id, AdminAlert.kind == AdminAlert.PASSWORD_RESET)
    if since is not None:
        query = query.where(AdminAlert.at >= since)
    return db.session.scalars(query.order_by(AdminAlert.at.desc()).limit(10)).all()


@bp.get("/profile")
@login_required
def profile():
    logins = db.session.scalars(
        select(LoginEvent)
        .where(LoginEvent.user_id == current_user.id)
        .order_by(LoginEvent.at.desc())
        .limit(15)
    ).all()
    return render_template(
        "main/profile.html", logins=logins, resets=_password_resets(current_user),
        open_sessions=sessions.open_sessions(current_user), this_session=sessions.current(),
    )
