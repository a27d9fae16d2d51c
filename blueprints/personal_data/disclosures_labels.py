"""Labels of the register's kinds, for `{{ code|label("disclosure_kind") }}`."""
from flask_babel import lazy_gettext as _l

from blueprints.main import labels
from models.personal_data import CONSENT_CATEGORIES

KIND_LABELS = labels.register("disclosure_kind", {
    "export": _l("выгрузка"),
    "print": _l("печать"),
    "email": _l("письмо"),
    "transfer": _l("передача"),
    "extract": _l("выписка субъекту"),
    "paper": _l("передача на бумаге"),
})
labels.register("pd_category", CONSENT_CATEGORIES)
