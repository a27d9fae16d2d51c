"""The register of disclosures of personal data (PD-4, 000:5.5.4): one call per export, print,
e-mail or transfer, in the same transaction as the disclosure itself.

    disclosures.record("export", document=_("Список обучающихся (xlsx)"), categories={"1.1", "2.1"},
                       students=[s.id for s in students], recipient=..., purpose=..., ground=...)
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context
from flask_login import current_user

from extensions import db
from models import User
from models.pd_register import Disclosure, DisclosureSubject

KINDS = ("export", "print", "email", "transfer", "extract", "paper")


def record(
    kind: str,
    *,
    document: str,
    categories: Iterable[str],
    students: Iterable[int],
    recipient: str = "",
    purpose: str = "",
    ground: str = "",
    school_id: int | None = None,
    user: User | None = None,
    is_manual: bool = False,
    printout_id: int | None = None,
) -> Disclosure:
    """Write one row of the register with its subjects (one DisclosureSubject per student)."""
    if kind not in KINDS:
        raise ValueError(f"unknown disclosure kind {kind!r}")
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    if school_id is None:
        if user is None:
            raise ValueError("a disclosure needs its school")
        school_id = user.school_id
    student_ids = sorted({int(i) for i in students})
    disclosure = Disclosure(
        school_id=school_id,
        user_id=user.id if user is not None else None,
        kind=kind,
        document=str(document)[:300],
        categories=sorted({str(c) for c in categories}),
        recipient=str(recipient)[:300],
        purpose=str(purpose),
        ground=str(ground)[:300],
        subject_count=len(student_ids),
        is_manual=is_manual,
        printout_id=printout_id,
        subjects=[DisclosureSubject(student_id=i) for i in student_ids],
    )
    db.session.add(disclosure)
    db.session.flush()
    return disclosure
