"""The school settings page (issue 10): the conventions of the journal (rounding, minimum marks,
weights, notations, deadlines), the personal-data deadlines and the day of the weekly paper
reports, edited by the director and the journal administrator, section by section. Settings are
read per request, so a save takes effect at once; the weekly reports' scheduler picks its new
time up within a minute (jobs/schedule_settings.py)."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import policy
from blueprints.admin import bp
from blueprints.admin.structure import settings_operations as ops
from blueprints.auth.access import roles_required
from blueprints.main import labels
from domain import exams as exam_rules
from domain import settings_rules as rules
from domain.messages import Refusal
from domain.settings import defaults
from extensions import db

settings_editors = roles_required(*policy.SETTINGS_ROLES)
labels.register("notation", rules.NOTATION_LABELS)
labels.register("settings_weekday", rules.WEEKDAY_LABELS)
labels.register("final_mark_rule", exam_rules.FINAL_MARK_RULE_LABELS)


def _section(code: str) -> rules.Section:
    section = rules.SECTION_BY_CODE.get(code)
    if section is None:
        abort(404)
    return section


def _message(refusal: Refusal) -> str:
    return _(refusal.message, **refusal.params)


def _shown(field: rules.Field | None, value: Any) -> str:
    """A stored value as the page and the history show it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if field is not None and field.kind == "weekday":
        return labels.label(value, "settings_weekday")
    if field is not None and field.kind == "final_mark_rule":
        return labels.label(value, "final_mark_rule")
    if field is not None and field.kind == "monthday":
        return _day_month(value)
    return str(value).replace(".", ",") if field is None else str(value)


def _typed(field: rules.Field, value: Any) -> str:
    """A value as it goes back into its input."""
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if field.kind == "monthday" and value:
        return _day_month(value)
    return "" if value is None else str(value)


def _day_month(value: Any) -> str:
    """«06-25» as the page shows it: «25.06»."""
    month, _sep, day = str(value).partition("-")
    return f"{day}.{month}" if day else str(value)


def _sections(settings: dict[str, Any], kinds: list, posted: str | None = None, form: dict | None = None,
              errors: dict[str, Refusal] | None = None) -> list[dict]:
    """Plain data for the template; the posted section keeps what was typed, with its errors."""
    errors = errors or {}
    base = defaults(current_app.config)
    result = []
    for section in rules.SECTIONS:
        typed = form if section.code == posted and form is not None else None
        rows = []
        for field in section.fields:
            value = field.current(settings)
            rows.append({
                "name": field.name,
                "kind": field.kind,
                "label": _(field.label),
                "help": _(field.help) if field.help else "",
                "value": typed.get(field.name, "") if typed is not None else _typed(field, value),
                "checked": (typed.get(field.name) in {"y", "on", "1"}) if typed is not None else bool(value),
                "default": _shown(field, field.current(base)),
                "error": _message(errors[field.name]) if field.name in errors else "",
            })
        weights = []
        if section.code == "marks":
            for kind in kinds:
                name = f"{rules.WEIGHT_FIELD}{kind.id}"
                weights.append({
                    "name": name,
                    "label": kind.name,
                    "value": typed.get(name, "") if typed is not None else str(kind.weight.normalize()).replace(".", ","),
                    "error": _message(errors[name]) if name in errors else "",
                })
        first_error = next((r for r in [*rows, *weights] if r["error"]), None)
        if first_error is None and "" in errors and section.code == posted:
            first_error = rows[0]  # the section as a whole: its first field
        if first_error is not None:
            first_error["focus"] = True  # the browser scrolls to the field to correct
        result.append({
            "code": section.code,
            "title": _(section.title),
            "help": _(section.help),
            "rows": rows,
            "weights": weights,
            "error": _message(errors[""]) if "" in errors else "",
            "differs": any(k in (current_user.school.settings or {}) for k in section.keys),
        })
    return result


def _legend(settings: dict[str, Any]) -> list[tuple[str, str]]:
    """(the school's notation, its code) in the legend's order; the template names the code."""
    return [(settings["notations"].get(code, ""), code) for code in rules.NOTATION_LABELS]


def _history(entries, kinds: list) -> list[dict]:
    kinds = {k.code: k.name for k in kinds}
    rows = []
    for entry in entries:
        changes = []
        for name, after in (entry.after or {}).items():
            before = (entry.before or {}).get(name)
            field = rules.FIELD_BY_NAME.get(name)
            if field is not None:
                label = _(field.label)
            elif name.startswith(rules.WEIGHT_FIELD):
                code = name[len(rules.WEIGHT_FIELD):]
                label = _("Вес: %(name)s", name=kinds.get(code, code))
            else:
                label = name
            changes.append({"label": label, "before": _shown(field, before), "after": _shown(field, after)})
        section = rules.SECTION_BY_CODE.get(entry.reason)
        rows.append({
            "at": entry.at,
            "who": entry.user.full_name if entry.user else "—",
            "section": _(section.title) if section else entry.reason,
            "reset": entry.action == "reset",
            "changes": changes,
        })
    return rows


def _page(status: int = 200, posted: str | None = None, form: dict | None = None,
          errors: dict[str, Refusal] | None = None):
    school = current_user.school
    settings = ops.current(school)
    kinds = ops.work_kinds(school)
    preview = dict(settings["notations"])
    if posted == "notations" and form is not None:
        preview |= {f.subkey: form.get(f.name, "") for f in rules.SECTION_BY_CODE["notations"].fields}
    return render_template(
        "admin/settings.html",
        sections=_sections(settings, kinds, posted, form, errors),
        legend=_legend({"notations": preview}),
        weekdays=[(code, _(label)) for code, label in rules.WEEKDAY_LABELS.items()],
        final_mark_rules=[(code, _(label)) for code, label in exam_rules.FINAL_MARK_RULE_LABELS.items()],
        history=_history(ops.history(school), kinds),
    ), status


@bp.get("/settings")
@settings_editors
def school_settings_page():
    return _page()


@bp.post("/settings/<section_code>")
@settings_editors
def school_settings_save(section_code: str):
    section = _section(section_code)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        changed = ops.save_section(current_user.school, section, form, current_user._get_current_object())
        db.session.commit()
    except ops.SettingsRefused as refused:
        db.session.rollback()
        flash(_("Раздел «%(title)s» не сохранён: исправьте отмеченные поля.", title=_(section.title)), "error")
        return _page(400, section.code, form, refused.errors)
    if changed:
        flash(_("Раздел «%(title)s» сохранён; изменения действуют сразу.", title=_(section.title)), "success")
    else:
        flash(_("В разделе «%(title)s» ничего не изменилось.", title=_(section.title)), "info")
    return redirect(url_for("admin.school_settings_page", _anchor=f"section-{section.code}"), 303)


@bp.post("/settings/<section_code>/reset")
@settings_editors
def school_settings_reset(section_code: str):
    section = _section(section_code)
    changed = ops.reset_section(current_user.school, section, current_user._get_current_object())
    db.session.commit()
    if changed:
        flash(_("Раздел «%(title)s»: восстановлены значения по умолчанию.", title=_(section.title)), "success")
    else:
        flash(_("В разделе «%(title)s» и так значения по умолчанию.", title=_(section.title)), "info")
    return redirect(url_for("admin.school_settings_page", _anchor=f"section-{section.code}"), 303)
