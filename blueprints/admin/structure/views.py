"""Administration of the school's structure: years, periods, holidays, classes, subgroups,
subjects, curriculum, kinds of work, scales, teaching assignments and the movement of students
(ADM-1, ADM-2, ADM-5, ADM-8). Views parse, load through policy.load, call an operation, commit."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import apply, edit_page
from blueprints.admin.structure import club_operations, operations
from blueprints.admin.structure.forms import (
    KIND_LABELS,
    SCHEME_LABELS,
    AssignmentForm,
    ClassEditForm,
    ClassForm,
    CloseYearForm,
    CurriculumForm,
    EnrolForm,
    HolidayForm,
    PeriodEditForm,
    PeriodForm,
    SubgroupForm,
    SubgroupMembersForm,
    SubjectForm,
    TransferForm,
    WithdrawForm,
    WorkKindEditForm,
    WorkKindForm,
    YearForm,
    options,
)
from blueprints.auth.access import roles_required
from extensions import db
from models import (
    AcademicYear,
    ClassGroup,
    CurriculumItem,
    EnrolmentEvent,
    Holiday,
    MarkingScale,
    School,
    Student,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
    User,
    WorkKind,
)
from utils.timeutil import school_today

admin_only = roles_required(*policy.ADMIN_ROLES)


@bp.app_template_filter("scheme_label")
def scheme_label(code: str) -> str:
    return str(SCHEME_LABELS.get(code, code))


@bp.app_template_filter("class_kind_label")
def class_kind_label(code: str) -> str:
    return str(KIND_LABELS.get(code, code))


# Helpers ---------------------------------------------------------------------------------------


def _school() -> School:
    return current_user.school


def _user() -> User:
    return current_user._get_current_object()


def _unbound(form_class: type[FlaskForm], **kwargs: Any) -> FlaskForm:
    """A form that ignores the request: the page shows several forms, only one was posted."""
    return form_class(formdata=None, **kwargs)


def _open_classes(school_id: int) -> list[ClassGroup]:
    """Classes of the years not yet closed, for pickers."""
    return list(
        db.session.scalars(
            select(ClassGroup)
            .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
            .where(ClassGroup.school_id == school_id, AcademicYear.is_closed.is_(False))
            .options(selectinload(ClassGroup.year))
            .order_by(AcademicYear.start_date, ClassGroup.grade, ClassGroup.name)
        )
    )


def _class_label(class_group: ClassGroup) -> str:
    return f"{class_group.name} ({class_group.year.name})"


def _active_subjects(school_id: int) -> list[Subject]:
    return list(
        db.session.scalars(
            select(Subject).where(Subject.school_id == school_id, Subject.is_active.is_(True)).order_by(Subject.name)
        )
    )


# Academic years --------------------------------------------------------------------------------


def _years_page(status: int = 200, form: FlaskForm | None = None):
    years = db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.school_id == current_user.school_id)
        .order_by(AcademicYear.start_date.desc())
    ).all()
    return render_template("admin/years.html", years=years, form=form or _unbound(YearForm)), status


@bp.get("/years")
@admin_only
def years():
    return _years_page()


@bp.post("/years")
@admin_only
def year_open():
    form = YearForm()
    return apply(
        form,
        lambda: operations.open_year(_school(), form.name.data, form.start_date.data, form.end_date.data),
        lambda status: _years_page(status, form),
        _("Учебный год открыт."),
        lambda year: url_for("admin.year", year_id=year.id),
    )


def _load_year(year_id: int) -> AcademicYear:
    return policy.load(AcademicYear, year_id, policy.owns_year, current_user)


def _year_page(year: AcademicYear, status: int = 200, **forms: FlaskForm):
    year = db.session.scalar(
        select(AcademicYear)
        .where(AcademicYear.id == year.id)
        .options(selectinload(AcademicYear.periods), selectinload(AcademicYear.holidays))
    )
    by_scheme = {scheme: [p for p in year.periods if p.scheme == scheme] for scheme in SCHEME_LABELS}
    from blueprints.admin.structure.new_year_operations import next_year_name

    # What the page offers is what the operations allow: the year closes only after its end, and
    # a next year is opened from it once (afterwards the page leads to that year).
    next_year = db.session.scalar(
        select(AcademicYear).where(AcademicYear.school_id == year.school_id, AcademicYear.name == next_year_name(year))
    )
    context = {
        "closable": school_today(year.school.timezone) > year.end_date,
        "next_year": next_year,
        "period_form": _unbound(PeriodForm),
        "holiday_form": _unbound(HolidayForm),
        "close_form": _unbound(CloseYearForm),
        **forms,
    }
    return render_template("admin/year.html", year=year, by_scheme=by_scheme, **context), status


@bp.get("/years/<int:year_id>")
@admin_only
def year(year_id: int):
    return _year_page(_load_year(year_id))


@bp.post("/years/<int:year_id>/current")
@admin_only
def year_make_current(year_id: int):
    year = _load_year(year_id)
    return apply(
        None,
        lambda: operations.make_current(year),
        lambda status: _year_page(year, status),
        _("Учебный год %(name)s стал текущим.", name=year.name),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/years/<int:year_id>/close")
@admin_only
def year_close(year_id: int):
    year = _load_year(year_id)
    form = CloseYearForm()
    return apply(
        form,
        lambda: operations.close_year(year),
        lambda status: _year_page(year, status, close_form=form),
        _("Учебный год %(name)s закрыт.", name=year.name),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/years/<int:year_id>/periods")
@admin_only
def period_add(year_id: int):
    year = _load_year(year_id)
    form = PeriodForm()
    return apply(
        form,
        lambda: operations.add_period(
            year, form.scheme.data, form.number.data, form.name.data or "", form.start_date.data, form.end_date.data
        ),
        lambda status: _year_page(year, status, period_form=form),
        _("Период добавлен."),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/years/<int:year_id>/quarters")
@admin_only
def quarters_fill(year_id: int):
    year = _load_year(year_id)
    return apply(
        None,
        lambda: operations.fill_standard_quarters(year),
        lambda status: _year_page(year, status),
        _("Четверти и каникулы заполнены; проверьте даты по приказу вашего региона."),
        url_for("admin.year", year_id=year_id),
    )


@bp.route("/periods/<int:period_id>/edit", methods=["GET", "POST"])
@admin_only
def period_edit(period_id: int):
    period = policy.load(StudyPeriod, period_id, policy.owns_period, current_user)
    form = PeriodEditForm(obj=period)
    return edit_page(
        form,
        lambda: operations.update_period(
            period, form.number.data, form.name.data or "", form.start_date.data, form.end_date.data
        ),
        title=_("Период: %(name)s", name=period.name),
        subtitle=f"{scheme_label(period.scheme)}, {period.year.name}",
        back_url=url_for("admin.year", year_id=period.year_id),
        success=_("Период сохранён."),
    )


@bp.post("/years/<int:year_id>/holidays")
@admin_only
def holiday_add(year_id: int):
    year = _load_year(year_id)
    form = HolidayForm()
    return apply(
        form,
        lambda: operations.add_holiday(year, form.name.data, form.start_date.data, form.end_date.data),
        lambda status: _year_page(year, status, holiday_form=form),
        _("Каникулы добавлены."),
        url_for("admin.year", year_id=year_id),
    )


@bp.post("/holidays/<int:holiday_id>/delete")
@admin_only
def holiday_delete(holiday_id: int):
    holiday = policy.load(Holiday, holiday_id, policy.owns_holiday, current_user)
    year = holiday.year
    return apply(
        None,
        lambda: operations.delete_holiday(holiday),
        lambda status: _year_page(year, status),
        _("Каникулы удалены."),
        url_for("admin.year", year_id=year.id),
    )


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
        counts.update(club_operations.member_counts(year, school_today(_school().timezone)))
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
            _school(),
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


def _load_class(class_id: int) -> ClassGroup:
    return policy.load(ClassGroup, class_id, policy.owns_class, current_user)


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@admin_only
def class_edit(class_id: int):
    class_group = _load_class(class_id)
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
            (c.id, _class_label(c))
            for c in _open_classes(class_group.school_id)
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
        "enrol_form": _unbound(EnrolForm),
        "transfer_form": _unbound(TransferForm),
        "withdraw_form": _unbound(WithdrawForm),
        "subgroup_form": _unbound(SubgroupForm),
        "curriculum_form": _unbound(CurriculumForm),
        **forms,
    }
    _fill_movement_choices(class_group, students, context["transfer_form"], context["withdraw_form"])
    context["curriculum_form"].subject_id.choices = options(
        (s.id, s.name) for s in _active_subjects(class_group.school_id)
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
    return _class_page(_load_class(class_id))


@bp.post("/classes/<int:class_id>/subgroups")
@admin_only
def subgroup_add(class_id: int):
    class_group = _load_class(class_id)
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
    class_group = _load_class(class_id)
    form = CurriculumForm()
    form.subject_id.choices = options((s.id, s.name) for s in _active_subjects(class_group.school_id))

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
    class_group = _load_class(class_id)
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
            user=_user(),
        ),
        lambda status: _class_page(class_group, status, enrol_form=form),
        _("Обучающийся зачислен."),
        url_for("admin.class_page", class_id=class_id),
    )


@bp.post("/classes/<int:class_id>/transfer")
@admin_only
def student_transfer(class_id: int):
    class_group = _load_class(class_id)
    form = TransferForm()
    _fill_movement_choices(class_group, operations.class_students(class_group), transfer=form)

    def transfer():
        student = policy.load(Student, form.student_id.data, policy.in_own_school, current_user)
        to_class = _load_class(form.to_class_id.data)
        return operations.transfer_student(student, to_class, form.date.data, form.order_number.data, _user())

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
    class_group = _load_class(class_id)
    form = WithdrawForm()
    _fill_movement_choices(class_group, operations.class_students(class_group), withdraw=form)

    def withdraw():
        student = policy.load(Student, form.student_id.data, policy.in_own_school, current_user)
        return operations.withdraw_student(student, form.date.data, form.order_number.data, form.reason.data, _user())

    return apply(
        form,
        withdraw,
        lambda status: _class_page(class_group, status, withdraw_form=form),
        _("Выбытие оформлено."),
        url_for("admin.class_page", class_id=class_id),
    )


# Subjects --------------------------------------------------------------------------------------


def _subjects_page(status: int = 200, form: FlaskForm | None = None):
    subjects = db.session.scalars(
        select(Subject)
        .where(Subject.school_id == current_user.school_id)
        .order_by(Subject.is_active.desc(), Subject.name)
    ).all()
    return render_template("admin/subjects.html", subjects=subjects, form=form or _unbound(SubjectForm)), status


@bp.get("/subjects")
@admin_only
def subjects():
    return _subjects_page()


@bp.post("/subjects")
@admin_only
def subject_create():
    form = SubjectForm()
    return apply(
        form,
        lambda: operations.create_subject(_school(), form.name.data, form.short_name.data or ""),
        lambda status: _subjects_page(status, form),
        _("Предмет добавлен."),
        url_for("admin.subjects"),
    )


def _load_subject(subject_id: int) -> Subject:
    return policy.load(Subject, subject_id, policy.in_own_school, current_user)


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
@admin_only
def subject_edit(subject_id: int):
    subject = _load_subject(subject_id)
    form = SubjectForm(obj=subject)
    return edit_page(
        form,
        lambda: operations.update_subject(subject, form.name.data, form.short_name.data or ""),
        title=_("Предмет: %(name)s", name=subject.name),
        back_url=url_for("admin.subjects"),
        success=_("Предмет сохранён."),
    )


@bp.post("/subjects/<int:subject_id>/deactivate")
@admin_only
def subject_deactivate(subject_id: int):
    subject = _load_subject(subject_id)
    return apply(
        None,
        lambda: operations.set_subject_active(subject, False),
        _subjects_page,
        _("Предмет «%(name)s» отключён.", name=subject.name),
        url_for("admin.subjects"),
    )


@bp.post("/subjects/<int:subject_id>/activate")
@admin_only
def subject_activate(subject_id: int):
    subject = _load_subject(subject_id)
    return apply(
        None,
        lambda: operations.set_subject_active(subject, True),
        _subjects_page,
        _("Предмет «%(name)s» снова используется.", name=subject.name),
        url_for("admin.subjects"),
    )


# Kinds of work and marking scales --------------------------------------------------------------


def _work_kinds_page(status: int = 200, form: FlaskForm | None = None):
    kinds = db.session.scalars(
        select(WorkKind)
        .where(WorkKind.school_id == current_user.school_id)
        .order_by(WorkKind.is_active.desc(), WorkKind.name)
    ).all()
    return render_template("admin/work_kinds.html", kinds=kinds, form=form or _unbound(WorkKindForm)), status


@bp.get("/work-kinds")
@admin_only
def work_kinds():
    return _work_kinds_page()


@bp.post("/work-kinds")
@admin_only
def work_kind_create():
    form = WorkKindForm()
    return apply(
        form,
        lambda: operations.create_work_kind(_school(), form.name.data, form.code.data or "", form.weight.data),
        lambda status: _work_kinds_page(status, form),
        _("Вид работы добавлен."),
        url_for("admin.work_kinds"),
    )


@bp.route("/work-kinds/<int:kind_id>/edit", methods=["GET", "POST"])
@admin_only
def work_kind_edit(kind_id: int):
    kind = policy.load(WorkKind, kind_id, policy.in_own_school, current_user)
    form = WorkKindEditForm(obj=kind)
    return edit_page(
        form,
        lambda: operations.update_work_kind(kind, form.name.data, form.weight.data, form.is_active.data),
        title=_("Вид работы: %(name)s", name=kind.name),
        subtitle=_("Код: %(code)s", code=kind.code),
        back_url=url_for("admin.work_kinds"),
        success=_("Вид работы сохранён."),
    )


@bp.get("/scales")
@admin_only
def scales():
    rows = queries.school_scales(current_user.school_id)
    return render_template("admin/scales.html", scales=rows, missing=queries.missing_scale_codes(rows))


@bp.post("/scales")
@admin_only
def scales_ensure():
    added = operations.ensure_scales(_school())
    db.session.commit()
    if added:
        flash(_("Добавлены шкалы: %(names)s.", names=", ".join(s.name for s in added)), "success")
    else:
        flash(_("Все шкалы отметок уже есть."), "info")
    return redirect(url_for("admin.scales"))


# Teaching assignments --------------------------------------------------------------------------


def _fill_assignment_choices(form: AssignmentForm, school_id: int) -> None:
    classes = _open_classes(school_id)
    subgroups = db.session.scalars(
        select(Subgroup).where(Subgroup.class_id.in_([c.id for c in classes])).order_by(Subgroup.name)
    ).all()
    class_names = {c.id: c.name for c in classes}
    form.teacher_id.choices = options((t.id, t.full_name) for t in queries.teachers(school_id))
    form.class_id.choices = options((c.id, _class_label(c)) for c in classes)
    form.subgroup_id.choices = options(
        [(0, _("Весь класс"))]
        + sorted(((g.id, f"{class_names[g.class_id]}: {g.name}") for g in subgroups), key=lambda choice: choice[1])
    )
    form.subject_id.choices = options((s.id, s.name) for s in _active_subjects(school_id))
    form.scale_id.choices = options(
        (s.id, s.name)
        for s in db.session.scalars(
            select(MarkingScale).where(MarkingScale.school_id == school_id).order_by(MarkingScale.id)
        )
    )


def _assignments_page(status: int = 200, form: AssignmentForm | None = None):
    school_id = current_user.school_id
    year = queries.latest_year(school_id)
    class_id = request.args.get("class_id", type=int)
    rows, year_classes = [], []
    if year is not None:
        year_classes = db.session.scalars(
            select(ClassGroup).where(ClassGroup.year_id == year.id).order_by(ClassGroup.grade, ClassGroup.name)
        ).all()
        query = (
            select(TeachingAssignment)
            .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .where(TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year.id)
            .options(
                selectinload(TeachingAssignment.class_group),
                selectinload(TeachingAssignment.subgroup),
                selectinload(TeachingAssignment.subject),
                selectinload(TeachingAssignment.teacher),
                selectinload(TeachingAssignment.scale),
            )
            .order_by(
                TeachingAssignment.is_active.desc(),
                ClassGroup.grade,
                ClassGroup.name,
                Subject.name,
                TeachingAssignment.id,
            )
        )
        if class_id:
            query = query.where(TeachingAssignment.class_id == class_id)
        rows = db.session.scalars(query).all()
    if form is None:
        form = _unbound(AssignmentForm, class_id=class_id)
        _fill_assignment_choices(form, school_id)
    return render_template(
        "admin/assignments.html",
        year=year,
        assignments=rows,
        classes=year_classes,
        class_id=class_id,
        form=form,
    ), status


@bp.get("/assignments")
@admin_only
def assignments():
    return _assignments_page()


@bp.post("/assignments")
@admin_only
def assignment_create():
    form = AssignmentForm()
    _fill_assignment_choices(form, current_user.school_id)

    def create():
        teacher = policy.load(User, form.teacher_id.data, policy.in_own_school, current_user)
        class_group = _load_class(form.class_id.data)
        subgroup = None
        if form.subgroup_id.data:
            subgroup = policy.load(Subgroup, form.subgroup_id.data, policy.owns_subgroup, current_user)
        subject = _load_subject(form.subject_id.data)
        scale = policy.load(MarkingScale, form.scale_id.data, policy.in_own_school, current_user)
        return operations.create_assignment(_school(), teacher, class_group, subgroup, subject, scale)

    return apply(
        form,
        create,
        lambda status: _assignments_page(status, form),
        _("Назначение добавлено."),
        lambda assignment: url_for("admin.assignments", class_id=assignment.class_id),
    )


def _load_assignment(assignment_id: int) -> TeachingAssignment:
    return policy.load(TeachingAssignment, assignment_id, policy.in_own_school, current_user)


@bp.post("/assignments/<int:assignment_id>/deactivate")
@admin_only
def assignment_deactivate(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    return apply(
        None,
        lambda: operations.set_assignment_active(assignment, False),
        _assignments_page,
        _("Назначение отключено: %(title)s.", title=assignment.title),
        url_for("admin.assignments", class_id=assignment.class_id),
    )


@bp.post("/assignments/<int:assignment_id>/activate")
@admin_only
def assignment_activate(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    return apply(
        None,
        lambda: operations.set_assignment_active(assignment, True),
        _assignments_page,
        _("Назначение снова действует: %(title)s.", title=assignment.title),
        url_for("admin.assignments", class_id=assignment.class_id),
    )
