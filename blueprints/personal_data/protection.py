"""Protection pages (PD-6): the director's view of the access log — who opened which student's
personal data — and finding a student by SNILS through its keyed hash (the SNILS itself is
stored encrypted and cannot be searched)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import exists, func, literal_column, select, text
from sqlalchemy.orm import joinedload, selectinload

import policy
from blueprints.main import labels
from blueprints.personal_data import bp
from domain.snils import digits
from extensions import db
from models import Student, User
from models.pd_register import AccessLogEntry
from models.personal_data import StudentProfile
from utils.encryption import blind_index
from utils.paging import page_number, paginate
from utils.pd_access import personal_data_view, require

# `{{ e.action|label("access_action") }}`, `{{ e.what|label("access_what") }}` on the log's page
labels.register("access_action", {
    "view": _l("просмотр"),
    "edit": _l("изменение"),
    "export": _l("выгрузка"),
    "print": _l("печать"),
    "extract": _l("выписка"),
    "destroy": _l("уничтожение"),
})
labels.register("access_what", {
    "card": _l("карточка персональных данных"),
    "photo": _l("фотография"),
    "card extract": _l("выписка из личного дела"),
    "consent": _l("лист согласия"),
    "consent scan": _l("скан листа согласия"),
    "consents missing": _l("обучающиеся без согласия"),
    "applications": _l("заявления родителей"),
    "access log": _l("журнал доступа к персональным данным"),
    "search by SNILS": _l("поиск по СНИЛС"),
    "destruction_tasks": _l("задачи уничтожения данных"),
    "Данные о ребёнке": _l("данные о ребёнке (страница родителя)"),
    "admin.people_student": _l("учётная запись обучающегося"),
    "admin.student_record_edit": _l("исправление записи обучающегося"),
    "admin.parent_record_edit": _l("исправление записи родителя"),
    "admin.people_import_result": _l("импорт списков людей"),
})

ACCESS_LOG_PAGE_SIZE = 50


def _date_arg(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=_("Дата указана неверно: нужна дата вида ГГГГ-ММ-ДД."))


def _int_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        abort(400, description=_("Неверный отбор: обучающийся или сотрудник указан неверно."))
    return int(raw)


def _mentions_student(student_id: int):
    """The entry's student list (JSON) holds this student, on either engine."""
    if db.session.get_bind().dialect.name == "postgresql":
        return text("CAST(access_log_entry.student_ids AS JSONB) @> CAST(:sid AS JSONB)").bindparams(
            sid=f"[{int(student_id)}]"
        )
    each = func.json_each(AccessLogEntry.student_ids).table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == student_id))


@bp.get("/access-log")
@login_required
@personal_data_view("1.1")
def access_log():
    user = current_user._get_current_object()
    if not policy.can_view_access_log(user):
        abort(403)
    school_id = user.school_id
    student_id, user_id = _int_arg("student"), _int_arg("user")
    since, until = _date_arg("from"), _date_arg("to")
    if since and until and since > until:
        abort(400, description=_("Начало периода позже его конца."))
    zone = ZoneInfo(user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])
    # the opening of the log is itself logged, committed before anything is loaded to show
    require(user, {"1.1"}, action="view", what="access log")
    db.session.commit()
    query = select(AccessLogEntry).where(AccessLogEntry.school_id == school_id)
    if student_id is not None:
        query = query.where(_mentions_student(student_id))
    if user_id is not None:
        query = query.where(AccessLogEntry.user_id == user_id)
    if since:
        query = query.where(AccessLogEntry.at >= datetime.combine(since, time(), zone))
    if until:
        query = query.where(AccessLogEntry.at < datetime.combine(until + timedelta(days=1), time(), zone))
    query = query.options(joinedload(AccessLogEntry.user)).order_by(AccessLogEntry.seq.desc())
    page = paginate(query, page_number(request.args.get("page")), ACCESS_LOG_PAGE_SIZE)
    ids = {i for entry in page.items for i in entry.student_ids or []}
    names = {
        s.id: s
        for s in db.session.scalars(
            select(Student).where(Student.id.in_(ids), Student.school_id == school_id)
            .options(selectinload(Student.current_class))
        )
    } if ids else {}
    students = db.session.scalars(
        select(Student).where(Student.school_id == school_id).order_by(Student.last_name, Student.first_name)
    ).all()
    users = db.session.scalars(
        select(User).where(User.school_id == school_id, User.id.in_(
            select(AccessLogEntry.user_id).where(AccessLogEntry.school_id == school_id).distinct()
        )).order_by(User.last_name, User.first_name)
    ).all()
    return render_template(
        "personal_data/access_log.html",
        page=page, names=names, students=students, users=users, zone=zone,
        filters={"student": student_id, "user": user_id, "from": since, "to": until},
    )


@bp.get("/search")
@login_required
@personal_data_view("5.1")
def search():
    user = current_user._get_current_object()
    if not policy.can_search_by_snils(user):
        abort(403)
    raw = (request.args.get("snils") or "").strip()
    found: list[tuple[str, str]] = []  # (name, class): read before the log's commit
    error = ""
    if raw:
        number = digits(raw)
        if len(number) != 11 or len(number) != len("".join(ch for ch in raw if ch not in " -")):
            error = _("СНИЛС — 11 цифр, например 112-233-445 95.")
        else:
            cards = list(db.session.scalars(
                select(StudentProfile)
                .where(StudentProfile.school_id == user.school_id, StudentProfile.snils_index == blind_index(number))
                .options(joinedload(StudentProfile.student).joinedload(Student.current_class))
            ))
            found = [(c.student.full_name, c.student.current_class.name if c.student.current_class else "") for c in cards]
            require(user, {"5.1"}, students=[c.student_id for c in cards], action="view", what="search by SNILS")
            db.session.commit()
    return render_template("personal_data/search.html", snils=raw, found=found, error=error), (400 if error else 200)
