"""What the structure pages' views share: the label filters, the current school and actor,
unbound forms and the loaders that check the object through policy (ADM-1)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_wtf import FlaskForm

import policy
from blueprints.admin.structure.forms import (
    KIND_LABELS,
    SCHEME_LABELS,
)
from blueprints.main import labels
from models import (
    AcademicYear,
    ClassGroup,
    School,
    Subject,
    User,
)

labels.register("period_scheme", SCHEME_LABELS)
labels.register("class_kind", KIND_LABELS)


def current_school() -> School:
    return current_user.school


def current_actor() -> User:
    return current_user._get_current_object()


def unbound(form_class: type[FlaskForm], **kwargs: Any) -> FlaskForm:
    """A form that ignores the request: the page shows several forms, only one was posted."""
    return form_class(formdata=None, **kwargs)


def class_label(class_group: ClassGroup) -> str:
    return f"{class_group.name} ({class_group.year.name})"


def load_year(year_id: int) -> AcademicYear:
    return policy.load(AcademicYear, year_id, policy.owns_year, current_user)


def load_class(class_id: int) -> ClassGroup:
    return policy.load(ClassGroup, class_id, policy.owns_class, current_user)


def load_subject(subject_id: int) -> Subject:
    return policy.load(Subject, subject_id, policy.in_own_school, current_user)
