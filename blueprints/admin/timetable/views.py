"""The weekly timetable of the school (ADM-9, issue 10): the rooms list, the editor of a class's
week from a date (one cell at a time, with htmx), and the printed timetable of a class and of a
teacher. Views parse, load through policy, call timetable/operations.py, commit once."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

import policy
from blueprints.admin import bp, queries
from blueprints.admin.common import apply, edit_page
from blueprints.admin.timetable import operations as ops
from blueprints.admin.timetable.forms import NONE, CellForm, RoomForm
from blueprints.admin.timetable.operations import CellChoice, TimetableError
from blueprints.auth.access import roles_required
from blueprints.main import labels
from domain import timetable as rules
from extensions import db
from models import AcademicYear, ClassGroup, Room, StudyPeriod, User
from utils.bells import school_bells
from utils.forms import options
from utils.htmx import is_htmx

EDITOR_ROLES = policy.SCHEDULE_MANAGER_ROLES | policy.ADMIN_ROLES
VIEWER_ROLES = EDITOR_ROLES | policy.JOURNAL_READER_ROLES | policy.TEACHING_ROLES
editors_only = roles_required(*EDITOR_ROLES)
viewers_only = roles_required(*VIEWER_ROLES)


labels.register("weekday", rules.WEEKDAY_NAMES)
labels.register("weekday_short", rules.WEEKDAY_SHORT)


def _user() -> User:
    return current_user._get_current_object()


def _today() -> date:
    return ops.today_of(current_user.school)


def _date_arg(default: date) -> date:
    """?from=YYYY-MM-DD; a malformed date is refused in Russian."""
    text = request.args.get("from", "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, description=_("Дата указана неверно: нужна дата вида ГГГГ-ММ-ДД."))


def _load_class(class_id: int, check) -> ClassGroup:
    return policy.load(ClassGroup, class_id, check, current_user)


def _current_classes(school_id: int) -> list[ClassGroup]:
    return list(
        db.session.scalars(
            select(ClassGroup)
            .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
            .where(ClassGroup.school_id == school_id, AcademicYear.is_current.is_(True))
            .order_by(ClassGroup.kind, ClassGroup.grade, ClassGroup.name)
        )
    )


def _start_choices(class_group: ClassGroup | None, today: date) -> list[tuple[date, str]]:
    """Quick picks for "valid from": the next Monday, today, the start of the next period."""
    choices = [(rules.next_monday(today), _("со следующего понедельника")), (today, _("с сегодняшнего дня"))]
    year_id = class_group.year_id if class_group is not None else None
    query = select(StudyPeriod).where(StudyPeriod.start_date > today).order_by(StudyPeriod.start_date).limit(1)
    if year_id is not None:
        query = query.where(StudyPeriod.year_id == year_id, StudyPeriod.scheme == class_group.period_scheme)
    else:
        query = query.join(AcademicYear).where(AcademicYear.school_id == current_user.school_id, AcademicYear.is_current.is_(True))
    period = db.session.scalar(query)
    if period is not None:
        choices.append((period.start_date, _("с начала периода «%(name)s»", name=period.name)))
    return choices


# Rooms ----------------------------------------------------------------------------------------


def _rooms_page(status: int = 200, form: RoomForm | None = None):
    rooms = ops.school_rooms(current_user.school_id)
    return render_template("admin/timetable_rooms.html", rooms=rooms, form=form or RoomForm(formdata=None)), status


@bp.get("/rooms")
@editors_only
def rooms():
    return _rooms_page()


@bp.post("/rooms")
@editors_only
def room_create():
    form = RoomForm()
    return apply(
        form,
        lambda: ops.add_room(current_user.school, form.name.data, form.note.data or ""),
        lambda status: _rooms_page(status, form),
        _("Кабинет добавлен."),
        url_for("admin.rooms"),
    )


def _load_room(room_id: int) -> Room:
    return policy.load(Room, room_id, policy.can_edit_room, current_user)


@bp.route("/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@editors_only
def room_edit(room_id: int):
    room = _load_room(room_id)
    form = RoomForm(obj=room)
    return edit_page(
        form,
        lambda: ops.update_room(room, form.name.data, form.note.data or "", _today()),
        title=_("Кабинет %(name)s", name=room.name),
        back_url=url_for("admin.rooms"),
        success=_("Кабинет сохранён."),
    )


@bp.post("/rooms/<int:room_id>/deactivate")
@editors_only
def room_deactivate(room_id: int):
    room = _load_room(room_id)
    return apply(None, lambda: ops.set_room_active(room, False), _rooms_page, _("Кабинет «%(name)s» больше не предлагается в расписании.", name=room.name), url_for("admin.rooms"))


@bp.post("/rooms/<int:room_id>/activate")
@editors_only
def room_activate(room_id: int):
    room = _load_room(room_id)
    return apply(None, lambda: ops.set_room_active(room, True), _rooms_page, _("Кабинет «%(name)s» снова используется.", name=room.name), url_for("admin.rooms"))


# The timetable: index and the editor of a class's week -----------------------------------------


@bp.get("/timetable")
@viewers_only
def timetable():
    today = _today()
    can_edit = policy.can_edit_timetable(current_user)
    day = _date_arg(rules.next_monday(today) if can_edit else today)
    return render_template(
        "admin/timetable_index.html",
        day=day,
        today=today,
        classes=_current_classes(current_user.school_id),
        teachers=[t for t in queries.teachers(current_user.school_id, lazyload(User.role_rows)) if policy.can_print_teacher_timetable(current_user, t)],
        can_edit=can_edit,
        starts=_start_choices(None, today) if can_edit else [],
    )


def _grid_context(class_group: ClassGroup, day: date) -> dict:
    today = _today()
    slots = ops.class_slots(class_group, day)
    return {
        "class_group": class_group,
        "day": day,
        "today": today,
        "editable": day >= today,
        "cells": ops.grid(slots),
        "weekdays": rules.WEEKDAYS,
        "numbers": ops.lesson_numbers(class_group.school_id, slots),
    }


@bp.get("/timetable/classes/<int:class_id>")
@editors_only
def timetable_class(class_id: int):
    class_group = _load_class(class_id, policy.can_edit_class_timetable)
    today = _today()
    day = _date_arg(rules.next_monday(today))
    return render_template(
        "admin/timetable_class.html",
        starts=_start_choices(class_group, today),
        assignments_count=len(ops.class_assignments(class_group)),
        **_grid_context(class_group, day),
    )


def _cell_slots(class_group: ClassGroup, day: date, weekday: int, number: int):
    return [s for s in ops.class_slots(class_group, day) if (s.weekday, s.lesson_number) == (weekday, number)]


def _cell_form(class_group: ClassGroup, day: date, slots, formdata=None) -> CellForm:
    assignments = ops.class_assignments(class_group)
    assignments.sort(key=lambda a: (a.subject.name, a.subgroup.name if a.subgroup else "", a.teacher.short_name))
    rooms = ops.school_rooms(class_group.school_id, active_only=True)
    kwargs = {}
    if formdata is None:
        kwargs = {"valid_from": day}
        for i, slot in enumerate(slots[:2], start=1):
            kwargs[f"assignment_{i}"] = slot.assignment_id
            kwargs[f"room_{i}"] = slot.room_id or NONE
    form = CellForm(formdata=formdata, **kwargs) if formdata is not None else CellForm(formdata=None, **kwargs)
    lesson_choices = [(NONE, _("— нет урока —"))] + [(a.id, ops.assignment_label(a)) for a in assignments]
    room_choices = [(NONE, _("— кабинет не указан —"))] + [(r.id, r.name) for r in rooms]
    # a room switched off since keeps being shown in the cell that has it
    for slot in slots:
        if slot.room_id and slot.room_id not in {r.id for r in rooms}:
            room_choices.append((slot.room_id, slot.room))
    form.assignment_1.choices = form.assignment_2.choices = options(lesson_choices)
    form.room_1.choices = form.room_2.choices = options(room_choices)
    form.by_id = {a.id: a for a in assignments}
    form.rooms_by_id = {r.id: r for r in rooms}
    return form


def _check_cell(weekday: int, number: int) -> None:
    if weekday not in rules.WEEKDAYS or not 1 <= number <= rules.MAX_LESSON_NUMBER:
        abort(404)


def _render_cell(class_group, day, weekday, number, slots=None, form=None, error=None, status=200, editing=False):
    slots = _cell_slots(class_group, day, weekday, number) if slots is None else slots
    context = dict(class_group=class_group, day=day, weekday=weekday, number=number, slots=slots, form=form,
                   error=error, editable=day >= _today(), editing=editing)
    if is_htmx():
        template = "admin/_timetable_cell_form.html" if editing else "admin/_timetable_cell.html"
        response = render_template(template, **context)
    else:
        response = render_template("admin/timetable_cell.html", **context)
    return response, status


@bp.get("/timetable/classes/<int:class_id>/cells/<int:weekday>/<int:number>")
@editors_only
def timetable_cell(class_id: int, weekday: int, number: int):
    """The cell as shown in the grid (htmx, for "Отмена"), or its form (?edit=1, or without htmx)."""
    class_group = _load_class(class_id, policy.can_edit_class_timetable)
    _check_cell(weekday, number)
    day = _date_arg(rules.next_monday(_today()))
    slots = _cell_slots(class_group, day, weekday, number)
    editing = request.args.get("edit") == "1" or not is_htmx()
    form = _cell_form(class_group, day, slots) if editing else None
    return _render_cell(class_group, day, weekday, number, slots, form, editing=editing)


@bp.post("/timetable/classes/<int:class_id>/cells/<int:weekday>/<int:number>")
@editors_only
def timetable_cell_save(class_id: int, weekday: int, number: int):
    class_group = _load_class(class_id, policy.can_edit_class_timetable)
    _check_cell(weekday, number)
    form = _cell_form(class_group, date.min, [], formdata=request.form)
    day = form.valid_from.data if isinstance(form.valid_from.data, date) else None
    if not form.validate_on_submit() or day is None:
        error = _("Проверьте поля: выберите урок и кабинет из списка и укажите дату.")
        return _render_cell(class_group, day or _today(), weekday, number, [], form, error, 400, editing=True)
    choices = []
    for assignment_field, room_field in ((form.assignment_1, form.room_1), (form.assignment_2, form.room_2)):
        if assignment_field.data != NONE:
            choices.append(CellChoice(form.by_id[assignment_field.data], form.rooms_by_id.get(room_field.data)))
        elif room_field.data != NONE:
            error = _("Кабинет указан без урока: выберите урок или уберите кабинет.")
            return _render_cell(class_group, day, weekday, number, [], form, error, 400, editing=True)
    try:
        ops.set_cell(class_group, weekday, number, day, choices, _today())
        db.session.commit()
    except TimetableError as refusal:
        db.session.rollback()
        return _render_cell(class_group, day, weekday, number, [], form, _(refusal.message, **refusal.params),
                            refusal.status, editing=True)
    if not is_htmx():
        flash(_("Урок сохранён."), "success")
        return redirect(url_for("admin.timetable_class", class_id=class_group.id, **{"from": day.isoformat()}))
    return _render_cell(class_group, day, weekday, number)


# Printed timetables ------------------------------------------------------------------------------


def _print_context(day: date, slots) -> dict:
    return {
        "day": day,
        "school": current_user.school,
        "cells": ops.grid(slots),
        "weekdays": [d for d in rules.WEEKDAYS if d <= 5 or any(s.weekday == d for s in slots)],
        # a printed sheet ends with the last lesson of the week
        "numbers": list(range(1, max((s.lesson_number for s in slots), default=0) + 1)),
        "since": max((s.valid_from for s in slots), default=None),
        "bells": _usual_bells(slots),
    }


def _usual_bells(slots) -> dict[int, tuple[str, str]]:
    """The bell times printed beside the lesson numbers: those of the classes' shift and level on
    an ordinary day; none when the sheet's classes follow different bells (a teacher of both
    shifts), rather than one shift's times printed for the other's lessons."""
    book = school_bells(current_user.school_id)
    classes = {(s.assignment.class_group.shift, s.assignment.class_group.grade) for s in slots}
    sets = [book.usual_bells(shift, grade) for shift, grade in classes]
    if not sets or any(other != sets[0] for other in sets[1:]):
        return {}
    return sets[0]


@bp.get("/timetable/classes/<int:class_id>/print")
@viewers_only
def timetable_class_print(class_id: int):
    class_group = _load_class(class_id, policy.can_view_class_timetable)
    day = _date_arg(_today())
    slots = ops.class_slots(class_group, day)
    if class_group.kind == "extra":
        title = _("Расписание занятий объединения «%(name)s»", name=class_group.name)
    else:
        title = _("Расписание уроков %(name)s класса", name=class_group.name)
    return render_template(
        "admin/timetable_print.html", mode="class", title=title,
        class_group=class_group, **_print_context(day, slots)
    )


@bp.get("/timetable/teachers/<int:teacher_id>/print")
@viewers_only
def timetable_teacher_print(teacher_id: int):
    teacher = policy.load(User, teacher_id, policy.can_print_teacher_timetable, current_user)
    day = _date_arg(_today())
    slots = ops.teacher_slots(teacher, day)
    return render_template(
        "admin/timetable_print.html", mode="teacher", title=_("Расписание учителя"),
        teacher=teacher, **_print_context(day, slots)
    )
