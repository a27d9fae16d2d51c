"""What the consent in force allows, for any number of students in one statement (PD-1).

Processing is checked against the consent sheet where it happens: an export or transfer of a
category, a photo on a page, an e-mail of marks. Parents' pages and the journal's own marking
need no consent check (the journal is kept by law, 273-ФЗ ст. 28 ч. 3 п. 11)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from extensions import db
from models.personal_data import ConsentRecord


def consents_in_force(student_ids: Iterable[int], on_date: date) -> dict[int, ConsentRecord]:
    """Each student's consent sheet in force on the date (the latest one), if any."""
    ids = sorted({int(i) for i in student_ids})
    if not ids:
        return {}
    found: dict[int, ConsentRecord] = {}
    for consent in db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.student_id.in_(ids), ConsentRecord.given_on <= on_date)
        .order_by(ConsentRecord.given_on, ConsentRecord.id)
    ):
        if consent.is_in_force(on_date):
            found[consent.student_id] = consent  # the latest wins
    return found


def consenting(student_ids: Iterable[int], codes: Iterable[str], on_date: date) -> set[int]:
    """The students whose consent in force grants every one of these lines of the sheet."""
    codes = tuple(codes)
    return {sid for sid, consent in consents_in_force(student_ids, on_date).items() if consent.grants(*codes)}


def withdrawn(student_ids: Iterable[int], on_date: date) -> set[int]:
    """The students whose latest consent sheet was withdrawn by the date and not replaced by a
    newer one: processing of their data has stopped (PD-2) — the card shows nothing of it to
    staff (blocking, line 6.14 of the sheet) until the destruction task is executed."""
    ids = sorted({int(i) for i in student_ids})
    if not ids:
        return set()
    latest: dict[int, ConsentRecord] = {}
    for consent in db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.student_id.in_(ids), ConsentRecord.given_on <= on_date)
        .order_by(ConsentRecord.given_on, ConsentRecord.id)
    ):
        latest[consent.student_id] = consent
    return {
        sid
        for sid, consent in latest.items()
        if consent.withdrawn_at is not None and consent.replaced_at is None and not consent.is_in_force(on_date)
    }
