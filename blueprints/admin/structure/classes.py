"""Classes, subgroups, curriculum and the movement of students (ADM-1, ADM-5). Views parse,
load through policy.load, call an operation, commit."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import admin_only, apply, edit_page
from blueprints.admin.structure import club_operations, operations
from blueprints.admin.structure.forms import (
    ClassEditForm,
    ClassForm,
    CurriculumForm,
    EnrolForm,
    SubgroupForm,
    SubgroupMembersForm,
    TransferForm,
    WithdrawForm,
)
from blueprints.admin.structure.helpers import (
    class_label,
    current_actor,
    current_school,
    load_class,
    unbound,
)
from extensions import db
from models import (
    AcademicYear,
    ClassGroup,
    CurriculumItem,
    EnrolmentEvent,
    Student,
    Subgroup,
    Subject,
    User,
)
from utils.forms import options
from utils.timeutil import school_today

# Classes and subgroups -------------------------------------------------------------------------


@bp.get("/classes")
@admin_only
def classes():
    school_id = current_user.school_id
    all_years = db.session.scalars(
        select(AcademicYear).where(AcademicYear.school_id == school_id).order_by(AcademicYear.start_date.desc())
    ).all()
    selected = request.args.get("year_id", type=int)
    year = next((y for y in all_years if y.id == selected), None) or queries.latest_year(school_id)
    rows, counts = [], {}
    if year is not None:
        rows = db.session.scalars(
            select(ClassGroup)
            .where(ClassGroup.year_id == year.id)
            .options(selectinload(ClassGroup.class_teacher))
            .order_by(ClassGroup.kind, ClassGroup.grade, ClassGroup.name)
        ).all()
        counts = dict(
            db.session.execute(
                select(Student.current_class_id, func.count(Student.id))
                .join(ClassGroup, ClassGroup.id == Student.current_class_id)
                .where(ClassGroup.year_id == year.id, Student.is_withdrawn.is_(False))
                .group_by(Student.current_class_id)
            ).all()
        )
        # a club's members stay in their classes: counted by their stays in the club
        counts.update(club_operations.member_counts(year, school_today(current_school().timezone)))
    return render_template("admin/classes.html", years=all_years, year=year, classes=rows, counts=counts)


def _fill_class_choices(form: ClassForm, school_id: int) -> None:
    if form.year_id is not None:
        form.year_id.choices = options(
            (y.id, y.name)
            for y in db.session.scalars(
                select(AcademicYear)
                .where(AcademicYear.school_id == school_id, AcademicYear.is_closed.is_(False))
                .order_by(AcademicYear.is_current.desc(), AcademicYear.start_date.desc())
            )
        )
    form.class_teacher_id.choices = options(
        [(0, _("— не назначен —"))] + [(t.id, t.full_name) for t in queries.teachers(school_id)]
    )


def _class_teacher(form: ClassForm) -> User | None:
    if not form.class_teacher_id.data:
        return None
    return policy.load(User, form.class_teacher_id.data, policy.in_own_school, current_user)


@bp.route("/classes/new", methods=["GET", "POST"])
@admin_only
def class_new():
    form = ClassForm()
    _fill_class_choices(form, current_user.school_id)

    def create():
        year = policy.load(AcademicYear, form.year_id.data, policy.owns_year, current_user)
        return operations.create_class(
            current_school(),
            year,
            name=form.name.data or "",
            grade=form.grade.data,
            letter=form.letter.data or "",
            kind=form.kind.data,
            period_scheme=form.period_scheme.data,
            attendance_only=form.attendance_only_value(),
            class_teacher=_class_teacher(form),
            shift=form.shift.data,
        )

    return edit_page(
        form,
        create,
        title=_("Новый класс"),
        back_url=url_for("admin.classes"),
        submit_label=_("Создать класс"),
        success=_("Класс создан."),
        to=lambda class_group: url_for("admin.class_page", class_id=class_group.id),
    )


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@admin_only
def class_edit(class_id: int):
    class_group = load_class(class_id)
    form = ClassEditForm(
        data={
            "grade": class_group.grade,
            "letter": class_group.letter,
            "name": class_group.name,
            "kind": class_group.kind,
            "period_scheme": class_group.period_scheme,
            "attendance_only": "yes" if class_group.attendance_only else "no",
            "class_teacher_id": class_group.class_teacher_id or 0,
            "shift": class_group.shift,
        }
    )
    _fill_class_choices(form, current_user.school_id)

    return edit_page(
        form,
        lambda: operations.update_class(
            class_group,
            name=form.name.data or "",
            grade=form.grade.data,
            letter=form.letter.data or "",
            kind=form.kind.data,
            period_scheme=form.period_scheme.data,
            attendance_only=form.attendance_only_value(),
            class_teacher=_class_teacher(form),
            shift=form.shift.data,
        ),
        title=_("Класс %(name)s", name=class_group.name),
        subtitle=class_group.year.name,
        back_url=url_for("admin.class_page", class_id=class_id),
        success=_("Класс сохранён."),
    )


def _fill_movement_choices(
    class_group: ClassGroup,
    students: list[Student],
    transfer: TransferForm | None = None,
    withdraw: WithdrawForm | None = None,
) -> None:
    student_choices = options((s.id, f"{s.full_name} (№ {s.book_number})") for s in students)
    if transfer is not None:
        transfer.student_id.choices = student_choices
        transfer.to_class_id.choices = options(
            (c.id, class_label(c))
            for c in queries.open_classes(class_group.school_id)
            if c.id != class_group.id and c.kind == "class"
        )
    if withdraw is not None:
        withdraw.student_id.choices = student_choices


def _class_page(class_group: ClassGroup, status: int = 200, **forms: FlaskForm):
    class_group = db.session.scalar(
        select(ClassGroup)
        .where(ClassGroup.id == class_group.id)
        .options(selectinload(ClassGroup.year), selectinload(ClassGroup.class_teacher))
    )
    students = operations.class_students(class_group)
    # An additional-education group lists its members of every class (structure/clubs.py).
    club_members = (
        club_operations.current_members(class_group, school_today(class_group.school.timezone))
        if club_operations.is_club(class_group)
        else []
    )
    subgroups = db.session.scalars(
        select(Subgroup)
        .where(Subgroup.class_id == class_group.id)
        .options(selectinload(Subgroup.members))
        .order_by(Subgroup.name)
    ).all()
    curriculum = db.session.scalars(
        select(CurriculumItem)
        .join(Subject, Subject.id == CurriculumItem.subject_id)
        .where(CurriculumItem.class_id == class_group.id)
        .options(selectinload(CurriculumItem.subject))
        .order_by(Subject.name)
    ).all()
    events = db.session.scalars(
        select(EnrolmentEvent)
        .where(or_(EnrolmentEvent.from_class_id == class_group.id, EnrolmentEvent.to_class_id == class_group.id))
        .options(
            selectinload(EnrolmentEvent.student),
            selectinload(EnrolmentEvent.from_class),
            selectinload(EnrolmentEvent.to_class),
        )
        .order_by(EnrolmentEvent.date.desc(), EnrolmentEvent.id.desc())
        .limit(100)
    ).all()
    context: dict[str, Any] = {
        "enrol_form": unbound(EnrolForm),
        "transfer_form": unbound(TransferForm),
        "withdraw_form": unbound(WithdrawForm),
        "subgroup_form": unbound(SubgroupForm),
        "curriculum_form": unbound(CurriculumForm),
        **forms,
    }
    _fill_movement_choices(class_group, students, context["transfer_form"], context["withdraw_form"])
    context["curriculum_form"].subject_id.choices = options(
        (s.id, s.name) for s in queries.active_subjects(class_group.school_id)
    )
    return render_template(
        "admin/class.html",
        class_group=class_group,
        students=students,
        club_members=club_members,
        subgroups=subgroups,
        curriculum=curriculum,
        events=events,
        **context,
    ), status


@bp.get("/classes/<int:class_id>")
@admin_only
def class_page(class_id: int):
    return _class_page(load_class(class_id))


@bp.post("/classes/<int:class_id>/subgroups")
@admin_only
def subgroup_add(class_id: int):
    class_group = load_class(class_id)
    form = SubgroupForm()
    return apply(
        form,
        lambda: operations.add_subgroup(class_group, form.name.data),
        lambda status: _class_page(class_group, status, subgroup_form=form),
        _("Подгруппа создана; отметьте её состав."),
        lambda subgroup: url_for("admin.subgroup_edit", subgroup_id=subgroup.id),
    )


@bp.route("/subgroups/<int:subgroup_id>", methods=["GET", "POST"])
@admin_only
def subgroup_edit(subgroup_id: int):
    subgroup = policy.load(Subgroup, subgroup_id, policy.owns_subgroup, current_user)
    class_group = subgroup.class_group
    queries.load_shown_with(class_group, selectinload(ClassGroup.year))
    students = operations.class_students(class_group)
    form = SubgroupMembersForm(data={"name": subgroup.name, "members": [m.student_id for m in subgroup.members]})
    form.members.choices = options((s.id, s.full_name) for s in students)

    def page(status: int):
        return render_template(
            "admin/subgroup.html", form=form, subgroup=subgroup, class_group=class_group, students=students
        ), status

    if request.method == "GET":
        return page(200)
    by_id = {s.id: s for s in students}
    return apply(
        form,
        lambda: operations.update_subgroup(subgroup, form.name.data, [by_id[i] for i in form.members.data or []]),
        page,
        _("Подгруппа сохранена."),
        url_for("admin.class_page", class_id=class_group.id),
    )


@bp.post("/classes/<int:class_id>/curriculum")
@admin_only
def curriculum_set(class_id: int):
    class_group = load_class(class_id)
    form = CurriculumForm()
    form.subject_id.choices = options((s.id, s.name) for s in queries.active_subjects(class_group.school_id))

    def set_hours():
        subject = policy.load(Subject, form.subject_id.data, policy.in_own_school, current_user)
        return operations.set_curriculum_hours(class_group, subject, form.hours.data)

    return apply(
        form,
        set_hours,
        lambda status: _class_page(class_group, status, curriculum_form=form),
        _("Учебный план сохранён."),
        url_for("admin.class_page", class_id=class_id) + "#curriculum",
    )


@bp.post("/curriculum/<int:item_id>/delete")
@admin_only
def curriculum_delete(item_id: int):
    item = policy.load(CurriculumItem, item_id, policy.owns_curriculum_item, current_user)
    class_group = item.class_group
    return apply(
        None,
        lambda: operations.remove_curriculum_item(item),
        lambda status: _class_page(class_group, status),
        _("Предмет убран из учебного плана класса."),
        url_for("admin.class_page", class_id=class_group.id) + "#curriculum",
    )


# Movement of students (ADM-5) ------------------------------------------------------------------


@bp.post("/classes/<int:class_id>/enrol")
@admin_only
def student_enrol(class_id: int):
    class_group = load_class(class_id)
    form = EnrolForm()
    return apply(
        form,
        lambda: operations.enrol_student(
            class_group,
            last_name=form.last_name.data,
            first_name=form.first_name.data,
            middle_name=form.middle_name.data or "",
            birth_date=form.birth_date.data,
            book_number=form.book_number.data,
            day=form.date.data,
            order_number=form.order_number.data,
            user=current_actor(),
        ),
        lambda status: _class_page(class_group, status, enrol_form=form),
        _("Обучающийся зачислен."),
        url_for("admin.class_page", class_id=class_id),
    )


@bp.post("/classes/<int:class_id>/transfer")
@admin_only
def student_transfer(class_id: int):
    class_group = load_class(class_id)
    form = TransferForm()
    _fill_movement_choices(class_group, operations.class_students(class_group), transfer=form)

    def transfer():
        student = policy.load(Student, form.student_id.data, policy.in_own_school, current_user)
        to_class = load_class(form.to_class_id.data)
        return operations.transfer_student(student, to_class, form.date.data, form.order_number.data, current_actor())

    return apply(
        form,
        transfer,
        lambda status: _class_page(class_group, status, transfer_form=form),
        _("Обучающийся переведён."),
        url_for("admin.class_page", class_id=class_id),
    )


@bp.post("/classes/<int:class_id>/withdraw")
@admin_only
def student_withdraw(class_id: int):
    class_group = load_class(class_id)
    form = WithdrawForm()
    _fill_movement_choices(class_group, operations.class_students(class_group), withdraw=form)

    def withdraw():
        student = policy.load(Student, form.student_id.data, policy.in_own_school, current_user)
        return operations.withdraw_student(student, form.date.data, form.order_number.data, form.reason.data, current_actor())

    return apply(
        form,
        withdraw,
        lambda status: _class_page(class_group, status, withdraw_form=form),
        _("Выбытие оформлено."),
        url_for("admin.class_page", class_id=class_id),
    )
