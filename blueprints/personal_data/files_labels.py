"""Labels of the council's decisions as the personal file shows them (REP-6)."""
from flask_babel import lazy_gettext as _l

from blueprints.main import labels

DECISION_LABELS = labels.register("pf_decision", {
    "promoted": _l("переведён(а) в следующий класс"),
    "promoted_conditionally": _l("переведён(а) условно"),
    "repeat": _l("оставлен(а) на повторное обучение"),
    "graduated": _l("выпущен(а)"),
    "individual_plan": _l("продолжит обучение по индивидуальному плану"),
})
