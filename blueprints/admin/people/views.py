"""People administration: accounts and roles, block and reset, parents of students, exports and
credential slips (ADM-3, ADM-4, ADM-7, PD-4); the people import is in imports/people.py. Views
are thin: load and check the object, call an operation from people/operations.py, commit once,
render."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only
from blueprints.admin.imports.reading import (
    KIND_LABELS,
)
from blueprints.admin.people import operations as ops
from blueprints.admin.people import records as record_operations
from blueprints.admin.people.forms import (
    BlockForm,
    ClassSlipsForm,
    ConfirmForm,
    ExportForm,
    ParentLinkForm,
    PeopleSearchForm,
    ResetPasswordForm,
    RolesForm,
)
from domain.messages import Refusal
from domain.personal_data import PARENTS_CATEGORIES, STUDENT_RECORD_CATEGORIES
from extensions import db
from models import (
    AdminAlert,
    ClassGroup,
    ParentLink,
    Student,
    User,
    UserRole,
)
from utils import pd_access
from utils.family import children_of
from utils.paging import contains, page_number, paginate
from utils.pd_access import personal_data_view
from utils.pdf import render_pdf

PAGE_SIZE = 50  # the people list, a page at a time (issue 9)


def actor() -> User:
    return current_user._get_current_object()


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # the passwords on it are shown once
    return response


def _site_url() -> str:
    return current_app.config.get("SITE_URL") or request.host_url


def slips_pdf(issued: list[tuple[User, str]], filename: str):
    rows = ops.slip_rows(issued, current_user.school, _site_url())
    pdf = render_pdf("pdf/credentials.html", slips=rows)
    db.session.commit()  # passwords replaced and disclosures registered only once the PDF exists
    return _pdf_response(pdf, filename)


# People -------------------------------------------------------------------------------------


@bp.get("/people/")
@admin_only
def people_index():
    form = PeopleSearchForm(request.args)
    query = select(User).where(User.school_id == current_user.school_id)
    if form.validate():
        for term in (form.q.data or "").split()[:4]:
            query = query.where(
                or_(*(contains(c, term) for c in (User.last_name, User.first_name, User.middle_name, User.login)))
            )
        if form.role.data:
            query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == form.role.data)))
    page = paginate(query.order_by(User.last_name, User.first_name, User.id), page_number(request.args.get("page")),
                    PAGE_SIZE)
    alerts = db.session.scalar(
        select(db.func.count())
        .select_from(AdminAlert)
        .where(AdminAlert.school_id == current_user.school_id, AdminAlert.is_resolved.is_(False))
    )
    return render_template(
        "admin/people/index.html", form=form, users=page.items, page=page, open_alerts=alerts
    )


def _render_user(user: User, status: int = 200, **forms):
    student = db.session.scalar(
        select(Student).where(Student.user_id == user.id).options(selectinload(Student.current_class))
    )
    children = children_of(user)
    alerts = db.session.scalars(
        select(AdminAlert).where(AdminAlert.user_id == user.id).order_by(AdminAlert.at.desc()).limit(20)
    ).all()
    roles_form = forms.get("roles_form") or RolesForm(roles=sorted(user.roles))
    return render_template(
        "admin/people/user.html",
        person=user,
        student=student,
        children=children,
        alerts=alerts,
        roles_form=roles_form,
        block_form=forms.get("block_form") or BlockForm(),
        reset_form=ResetPasswordForm(),
        can_reset=policy.can_reset_password(current_user, user),
        confirm_form=ConfirmForm(),
        history=record_operations.history("user", user.id),
    ), status


@bp.get("/people/users/<int:user_id>")
@admin_only
def people_user(user_id: int):
    return _render_user(policy.load(User, user_id, policy.in_own_school, current_user))


@bp.post("/people/users/<int:user_id>/roles")
@admin_only
def people_roles(user_id: int):
    user = policy.load(User, user_id, policy.in_own_school, current_user)
    form = RolesForm()
    if not form.validate_on_submit():
        return _render_user(user, 400, roles_form=form)
    try:
        ops.set_roles(user, form.roles.data, actor())
    except Refusal as e:  # NotYourRights, PeopleError
        db.session.rollback()
        flash(_(e.message, **e.params), "error")
        return _render_user(user, e.status, roles_form=form)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # keep this session: its id carries the new session version
    flash(_("Роли сохранены."), "success")
    return redirect(url_for("admin.people_user", user_id=user.id))


@bp.post("/people/users/<int:user_id>/block")
@admin_only
def people_block(user_id: int):
    user = policy.load(User, user_id, policy.in_own_school, current_user)
    form = BlockForm()
    if not form.validate_on_submit():
        return _render_user(user, 400, block_form=form)
    try:
        ops.block_user(user, form.reason.data, actor())
    except Refusal as e:
        db.session.rollback()
        flash(_(e.message, **e.params), "error")
        return _render_user(user, e.status)
    db.session.commit()
    flash(_("Учётная запись заблокирована; все её сеансы завершены."), "success")
    return redirect(url_for("admin.people_user", user_id=user.id))


@bp.post("/people/users/<int:user_id>/unblock")
@admin_only
def people_unblock(user_id: int):
    user = policy.load(User, user_id, policy.in_own_school, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.unblock_user(user)
    except Refusal as e:
        flash(_(e.message, **e.params), "error")
        return _render_user(user, e.status)
    db.session.commit()
    flash(_("Учётная запись разблокирована."), "success")
    return redirect(url_for("admin.people_user", user_id=user.id))


@bp.post("/people/users/<int:user_id>/password")
@admin_only
def people_reset_password(user_id: int):
    """A new password, answered at once as a slip: it is shown only on that paper (ADM-7)."""
    user = policy.load(User, user_id, policy.in_own_school, current_user)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _render_user(user, 400)
    try:
        password = ops.reset_password(user, actor(), form.reason.data or "")
    except Refusal as e:  # NotYourRights
        db.session.rollback()
        flash(_(e.message, **e.params), "error")
        return _render_user(user, e.status)
    return slips_pdf([(user, password)], f"password-{user.login}.pdf")


@bp.get("/people/alerts")
@admin_only
def people_alerts():
    alerts = db.session.scalars(
        select(AdminAlert)
        .where(AdminAlert.school_id == current_user.school_id)
        .options(selectinload(AdminAlert.user))
        .order_by(AdminAlert.is_resolved, AdminAlert.at.desc())
        .limit(200)
    ).all()
    return render_template("admin/people/alerts.html", alerts=alerts, confirm_form=ConfirmForm())


@bp.post("/people/alerts/<int:alert_id>/resolve")
@admin_only
def people_resolve_alert(alert_id: int):
    alert = policy.load(AdminAlert, alert_id, policy.in_own_school, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.resolve_alert(alert)
    except Refusal as e:
        flash(_(e.message, **e.params), "error")
        return people_alerts(), e.status
    db.session.commit()
    flash(_("Уведомление отмечено как решённое."), "success")
    if alert.user_id and request.form.get("back") == "user":
        return redirect(url_for("admin.people_user", user_id=alert.user_id))
    return redirect(url_for("admin.people_alerts"))


# Students and parents -----------------------------------------------------------------------


def _render_student(student: Student, status: int = 200, link_form: ParentLinkForm | None = None):
    # The student's record (1.1); the parents' section only for those named for 2.1 (PD-3).
    shown = pd_access.require(current_user, STUDENT_RECORD_CATEGORIES | PARENTS_CATEGORIES,
                              students=[student.id], what="admin.people_student")
    show_parents = bool(shown & PARENTS_CATEGORIES)
    queries.load_shown_with(student, selectinload(Student.current_class), selectinload(Student.user))
    links = queries.parent_links(student) if show_parents else []
    return render_template(
        "admin/people/student.html",
        student=student,
        links=links,
        link_form=link_form or ParentLinkForm(),
        confirm_form=ConfirmForm(),
        history=record_operations.history("student", student.id),
        can_open_diary=policy.can_view_student(current_user, student),
        show_parents=show_parents,
    ), status


@bp.get("/people/students/<int:student_id>")
@admin_only
@personal_data_view(*STUDENT_RECORD_CATEGORIES)
def people_student(student_id: int):
    return _render_student(policy.load(Student, student_id, policy.in_own_school, current_user))


@bp.post("/people/students/<int:student_id>/parents")
@admin_only
def people_link_parent(student_id: int):
    student = policy.load(Student, student_id, policy.in_own_school, current_user)
    form = ParentLinkForm()
    if not form.validate_on_submit():
        return _render_student(student, 400, form)
    parent = ops.find_parent(student.school_id, form.parent_login.data)
    if parent is None:
        form.parent_login.errors.append(_("Нет пользователя с таким логином в вашей школе."))
        return _render_student(student, 400, form)
    try:
        ops.link_parent(student, parent, form.relation.data or "")
        db.session.commit()
    except Refusal as e:
        db.session.rollback()
        form.parent_login.errors.append(_(e.message, **e.params))
        return _render_student(student, e.status, form)
    except IntegrityError:
        db.session.rollback()
        form.parent_login.errors.append(_("Этот родитель уже связан с обучающимся."))
        return _render_student(student, 400, form)
    flash(_("Родитель связан с обучающимся."), "success")
    return redirect(url_for("admin.people_student", student_id=student.id))


@bp.post("/people/parent-links/<int:link_id>/delete")
@admin_only
def people_unlink_parent(link_id: int):
    link = policy.load(ParentLink, link_id, policy.owns_parent_link, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    student_id = link.student_id
    ops.unlink_parent(link)
    db.session.commit()
    flash(_("Связь родителя с обучающимся удалена."), "success")
    return redirect(url_for("admin.people_student", student_id=student_id))


# Credential slips of a class (ADM-3) --------------------------------------------------------


@bp.get("/people/slips")
@admin_only
def people_slips():
    year = ops.current_year(current_user.school_id)
    classes = (
        []
        if year is None
        else db.session.scalars(
            select(ClassGroup).where(ClassGroup.year_id == year.id).order_by(ClassGroup.grade, ClassGroup.name)
        ).all()
    )
    return render_template("admin/people/slips.html", classes=classes, year=year)


def _render_class_slips(class_group: ClassGroup, form: ClassSlipsForm, status: int = 200):
    students = ops.class_people(class_group, True, False)
    parents = ops.class_people(class_group, False, True)
    without_login = db.session.scalar(
        select(db.func.count())
        .select_from(Student)
        .where(Student.current_class_id == class_group.id, Student.is_withdrawn.is_(False), Student.user_id.is_(None))
    )
    return render_template(
        "admin/people/class_slips.html",
        class_group=class_group,
        form=form,
        students=students,
        parents=parents,
        without_login=without_login,
        blocked=[u for u in students + parents if u.is_blocked],
    ), status


@bp.get("/people/classes/<int:class_id>/slips")
@admin_only
def people_class_slips(class_id: int):
    class_group = policy.load(ClassGroup, class_id, policy.in_own_school, current_user)
    return _render_class_slips(class_group, ClassSlipsForm(formdata=None, students=True))


@bp.post("/people/classes/<int:class_id>/slips")
@admin_only
def people_class_slips_print(class_id: int):
    class_group = policy.load(ClassGroup, class_id, policy.in_own_school, current_user)
    form = ClassSlipsForm()
    if not form.validate_on_submit():
        return _render_class_slips(class_group, form, 400)
    users = [u for u in ops.class_people(class_group, form.students.data, form.parents.data) if not u.is_blocked]
    # A parent who is also the deputy (or the administrator himself) gets no slip here.
    users = [u for u in users if policy.can_reset_password(current_user, u)]
    if not users:
        flash(_("В классе нет учётных записей для печати карточек."), "error")
        return _render_class_slips(class_group, form, 400)
    issued = ops.issue_passwords(users, _("Карточки доступа класса %(c)s", c=class_group.name), actor())
    return slips_pdf(issued, f"credentials-{class_group.id}.pdf")


# Export (ADM-4, PD-4) -----------------------------------------------------------------------


# What each list of the export carries (PD-3: all of them needed in the order).
EXPORT_CATEGORIES = {
    "students": STUDENT_RECORD_CATEGORIES | PARENTS_CATEGORIES,  # with the parents' names
    "parents": PARENTS_CATEGORIES,
}


@bp.route("/people/export", methods=["GET", "POST"])
@admin_only
@personal_data_view(*sorted(STUDENT_RECORD_CATEGORIES | PARENTS_CATEGORIES))
def people_export():
    form = ExportForm()
    if request.method == "GET":
        return render_template("admin/people/export.html", form=form)
    if not form.validate_on_submit():
        return render_template("admin/people/export.html", form=form), 400
    kind, fmt = form.kind.data, form.fmt.data
    school = current_user.school
    subjects = ops.export_subjects(kind, school)
    only, left_out = None, 0
    if form.third_party.data and subjects:
        # line 6.8 of the consent sheet: only those whose consent in force grants a transfer
        only = ops.transferable(subjects, ops.school_today(school))
        left_out, subjects = len(subjects - only), only
    if kind in EXPORT_CATEGORIES:
        pd_access.require(current_user, EXPORT_CATEGORIES[kind], all_of=True, action="export",
                          what=f"admin.people_export:{kind}", students=subjects)
    table = ops.export_table(kind, school, only)
    if fmt == "csv":
        data, mimetype = ops.export_csv(table), "text/csv"
    else:
        data = ops.export_xlsx(table, str(KIND_LABELS[kind]))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ops.record_export(kind, fmt, len(table.rows), form.purpose.data)
    ops.register_export(kind, fmt, str(KIND_LABELS[kind]), subjects, recipient=form.recipient.data,
                        purpose=form.purpose.data, ground=form.ground.data or "", third_party=form.third_party.data)
    db.session.commit()
    response = make_response(data)
    response.mimetype = mimetype
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    # how many students were left out for want of consent to a transfer (line 6.8)
    response.headers["X-Left-Out"] = str(left_out)
    if left_out:
        flash(_("Не выгружены данные %(n)s обучающихся: их согласие не разрешает передачу третьим лицам (п. 6.8).",
                n=left_out), "warning")
    return response
