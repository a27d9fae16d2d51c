"""Russian names of codes shown in the interface: one template filter, `{{ code|label("role") }}`,
over the named lists of labels. An area registers its own list where it defines it
(`labels.register("note_status", STATUS_LABELS)`); a code without a label is shown as it is."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from blueprints.main import bp
from domain import attendance
from domain.grading import format_average

ROLE_LABELS = {
    "director": _l("Директор"),
    "deputy": _l("Заместитель директора"),
    "methodist": _l("Методист"),
    "journal_admin": _l("Администратор ЭЖ"),
    "tech_admin": _l("Технический администратор"),
    "class_teacher": _l("Классный руководитель"),
    "teacher": _l("Учитель-предметник"),
    "extra_teacher": _l("Педагог доп. образования"),
    "student": _l("Обучающийся"),
    "parent": _l("Родитель (законный представитель)"),
}

LOGIN_EVENT_LABELS = {
    "success": _l("вход"),
    "failure": _l("неверный пароль"),
    "lock": _l("блокировка после неудачных попыток"),
    "locked": _l("попытка входа при блокировке"),
    "throttled": _l("попытка до истечения задержки"),
    "blocked": _l("попытка входа в заблокированную запись"),
    "inactive": _l("попытка входа в отключённую запись"),
    "logout": _l("выход"),
    "idle": _l("выход по бездействию"),
    "expired": _l("выход по истечении срока сеанса"),
    "compromise": _l("сообщение о компрометации"),
}

# kind -> code -> label: lazy strings, or N_-marked texts of domain/ (translated when shown)
LABELS: dict[str, Mapping] = {
    "role": ROLE_LABELS,
    "login_event": LOGIN_EVENT_LABELS,
    "attendance": attendance.LABELS,
}


def register(kind: str, labels: Mapping) -> Mapping:
    """Name a list of labels for the `label` filter; the same list twice is harmless, another
    list under a taken name is a mistake."""
    if LABELS.setdefault(kind, labels) is not labels:
        raise ValueError(f"labels {kind!r} are registered already")
    return labels


@bp.app_template_global()
def attendance_notations(notations: dict[str, str]) -> dict[str, str]:
    """Attendance code -> the school's notation, in the order of the legends."""
    return attendance.notations_of(notations)


@bp.app_template_filter("label")
def label(code, kind: str) -> str:
    """The label of `code` in the list `kind`; the code itself when it has none."""
    text = LABELS[kind].get(code)
    if text is None:
        return "" if code is None else str(code)
    return gettext(text) if isinstance(text, str) else str(text)


# `{{ value|average }}`: every average on a page or on paper, «4,67» (domain.grading)
bp.add_app_template_filter(format_average, "average")
