"""The school's bells (ADM-1, the schedule regime): a bell set per shift, per range of grades when
the levels differ, for the normal and the shortened day, and the dates of shortened days.
Open to the administrators and to those who enter the timetable (policy.can_edit_bells).
A set is named in the query string: ?shift=1&grade_from=1&grade_to=11&variant=normal."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import policy
from blueprints.admin import bp
from blueprints.admin.timetable import bell_operations as ops
from blueprints.auth.access import roles_required
from domain.bells import FIRST_GRADE, LAST_GRADE, NORMAL, SHORT, BellRefusal, BellSetKey, set_key
from domain.messages import N_
from extensions import db
from models import ShortenedDay
from utils.forms import options

bells_staff = roles_required(*(policy.ADMIN_ROLES | policy.SCHEDULE_MANAGER_ROLES))

MAX_ROWS = 16  # lessons 0 to 12 and a few blank lines
SHIFT_LABELS = {1: _l("1 смена"), 2: _l("2 смена")}
VARIANT_LABELS = {NORMAL: _l("обычный день"), SHORT: _l("сокращённый день")}
GRADE_CHOICES = options((g, str(g)) for g in range(FIRST_GRADE, LAST_GRADE + 1))


class NewSetForm(FlaskForm):
    class Meta:
        csrf = False  # opens the editing page (GET): it stores nothing

    shift = SelectField(_l("Смена"), coerce=int, choices=options(SHIFT_LABELS.items()))
    grade_from = SelectField(_l("С параллели"), coerce=int, choices=GRADE_CHOICES, default=FIRST_GRADE)
    grade_to = SelectField(_l("По параллель"), coerce=int, choices=GRADE_CHOICES, default=LAST_GRADE)
    variant = SelectField(_l("Вариант"), choices=options(VARIANT_LABELS.items()))


class ShortenForm(FlaskForm):
    minutes = IntegerField(
        _l("Минут в уроке"),
        validators=[InputRequired(_l("Укажите длительность урока в минутах.")),
                    NumberRange(10, 60, _l("Длительность урока — от 10 до 60 минут."))],
        default=30,
        render_kw={"inputmode": "numeric"},
    )
    replace = BooleanField(_l("Заменить уже заданный сокращённый день"))


class ShortenedDayForm(FlaskForm):
    date = DateField(_l("Дата"), validators=[InputRequired(_l("Укажите дату сокращённого дня."))])
    note = StringField(_l("Примечание"), validators=[Optional(), Length(max=ops.MAX_NOTE)],
                       render_kw={"placeholder": _l("предпраздничный день")})


@bp.app_template_filter("bell_set_label")
def bell_set_label(key: BellSetKey) -> str:
    grades = _("все классы") if key.all_grades else _("%(a)s–%(b)s классы", a=key.grade_from, b=key.grade_to)
    return f"{SHIFT_LABELS[key.shift]} · {grades} · {VARIANT_LABELS[key.variant]}"


def _set_args(key: BellSetKey, **extra) -> dict:
    return {"shift": key.shift, "grade_from": key.grade_from, "grade_to": key.grade_to, "variant": key.variant, **extra}


def _requested_key() -> BellSetKey:
    """The set the query string names; a Russian 400 for anything else (raised as BellRefusal)."""
    return set_key(
        request.args.get("shift"), request.args.get("grade_from"), request.args.get("grade_to"),
        request.args.get("variant"),
    )


def _refused(error: BellRefusal) -> str:
    return _(error.message, **error.params)


def _index_page(status: int = 200, shorten_forms: dict | None = None, day_form: ShortenedDayForm | None = None):
    school_id = current_user.school_id
    sets = ops.bell_sets(school_id)
    shorten_forms = shorten_forms or {}
    for key in sets:
        if key.variant == NORMAL and key not in shorten_forms:
            shorten_forms[key] = ShortenForm(formdata=None)
    return render_template(
        "admin/bells.html",
        sets=sets,
        shorten_forms=shorten_forms,
        new_set_form=NewSetForm(formdata=None),
        day_form=day_form or ShortenedDayForm(formdata=None),
        days=ops.shortened_days(school_id),
        set_args=_set_args,
    ), status


@bp.get("/bells")
@bells_staff
def bells():
    return _index_page()


def _edit_page(key: BellSetKey, rows: list[tuple[str, str, str]] | None = None, status: int = 200):
    stored = ops.bell_sets(current_user.school_id).get(key, [])
    if rows is None:
        rows = [(str(b.lesson_number), b.starts, b.ends) for b in stored]
        next_number = stored[-1].lesson_number + 1 if stored else 1
        blanks = 3 if not stored else 1
        rows += [(str(n), "", "") for n in range(next_number, min(next_number + blanks, 13))]
    return render_template(
        "admin/bells_edit.html",
        key=key,
        rows=rows,
        stored_numbers={b.lesson_number for b in stored},
        set_args=_set_args(key),
        is_new=not stored,
    ), status


def _posted_rows() -> list[tuple[str, str, str]]:
    """The table as posted: number-i, starts-i, ends-i."""
    rows = []
    for i in range(MAX_ROWS + 1):
        if f"number-{i}" not in request.form and f"starts-{i}" not in request.form:
            continue
        if i == MAX_ROWS:
            raise BellRefusal(N_("Слишком много строк: уроков не больше %(n)s."), n=MAX_ROWS)
        rows.append((request.form.get(f"number-{i}", "").strip(), request.form.get(f"starts-{i}", "").strip(),
                     request.form.get(f"ends-{i}", "").strip()))
    return rows


@bp.route("/bells/set", methods=["GET", "POST"])
@bells_staff
def bell_set():
    try:
        key = _requested_key()
    except BellRefusal as error:
        flash(_refused(error), "error")
        return _index_page(400)
    if request.method == "GET":
        return _edit_page(key)
    rows: list[tuple[str, str, str]] = []
    try:
        rows = _posted_rows()
        filled = [row for row in rows if row[1] or row[2]]  # a number alone is a blank line
        ops.save_set(current_user.school, key, filled)
        db.session.commit()
    except BellRefusal as error:
        db.session.rollback()
        flash(_refused(error), "error")
        return _edit_page(key, rows or None, 400)
    flash(_("Звонки сохранены: %(label)s.", label=bell_set_label(key)), "success")
    return redirect(url_for("admin.bell_set", **_set_args(key)), 303)


def _change(action, success: str, status_page, to: str):
    try:
        action()
        db.session.commit()
    except BellRefusal as error:
        db.session.rollback()
        flash(_refused(error), "error")
        return status_page(error.status)
    flash(success, "success")
    return redirect(to, 303)


@bp.post("/bells/set/remove")
@bells_staff
def bell_remove_lesson():
    try:
        key = _requested_key()
        number = int(request.args.get("lesson_number", ""))
    except (BellRefusal, ValueError):
        flash(_("Не указано, какой урок убрать."), "error")
        return _index_page(400)
    return _change(
        lambda: ops.remove_lesson(current_user.school, key, number),
        _("Урок %(n)s убран из расписания звонков.", n=number),
        lambda status: _edit_page(key, status=status),
        url_for("admin.bell_set", **_set_args(key)),
    )


@bp.post("/bells/set/delete")
@bells_staff
def bell_set_delete():
    try:
        key = _requested_key()
    except BellRefusal as error:
        flash(_refused(error), "error")
        return _index_page(400)
    return _change(
        lambda: ops.delete_set(current_user.school, key),
        _("Расписание звонков удалено: %(label)s.", label=bell_set_label(key)),
        _index_page,
        url_for("admin.bells"),
    )


@bp.post("/bells/set/shorten")
@bells_staff
def bell_set_shorten():
    try:
        key = _requested_key()
    except BellRefusal as error:
        flash(_refused(error), "error")
        return _index_page(400)
    form = ShortenForm()
    if not form.validate_on_submit():
        flash(_("Проверьте поля формы."), "error")
        return _index_page(400, shorten_forms={key: form})
    target = key.with_variant(SHORT)
    return _change(
        lambda: ops.copy_to_shortened(current_user.school, key, form.minutes.data, bool(form.replace.data)),
        _("Сокращённый день записан: %(label)s.", label=bell_set_label(target)),
        lambda status: _index_page(status, shorten_forms={key: form}),
        url_for("admin.bell_set", **_set_args(target)),
    )


@bp.post("/bells/days")
@bells_staff
def bell_days_add():
    form = ShortenedDayForm()
    if not form.validate_on_submit():
        flash(_("Проверьте поля формы."), "error")
        return _index_page(400, day_form=form)
    day = form.date.data
    return _change(
        lambda: ops.mark_shortened_day(current_user.school, day, form.note.data or ""),
        _("%(d)s отмечен как сокращённый день.", d=day.strftime("%d.%m.%Y")),
        lambda status: _index_page(status, day_form=form),
        url_for("admin.bells") + "#shortened-days",
    )


@bp.post("/bells/days/<int:day_id>/delete")
@bells_staff
def bell_day_delete(day_id: int):
    marked = policy.load(ShortenedDay, day_id, policy.can_edit_shortened_day, current_user)
    text = marked.date.strftime("%d.%m.%Y")
    return _change(
        lambda: ops.unmark_shortened_day(marked),
        _("%(d)s больше не сокращённый день.", d=text),
        _index_page,
        url_for("admin.bells") + "#shortened-days",
    )

