"""Russian names of codes shown in the interface."""
from flask_babel import lazy_gettext as _l

from blueprints.main import bp
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


@bp.app_template_filter("role_label")
def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


@bp.app_template_filter("login_event_label")
def login_event_label(code: str) -> str:
    return str(LOGIN_EVENT_LABELS.get(code, code))


@bp.app_template_filter("average")
def average(value) -> str:
    """`{{ forecast.average|average }}`: every average on a page or on paper (domain.grading)."""
    return format_average(value)
