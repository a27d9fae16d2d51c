"""The demo families' paperwork: a consent sheet per student (003 Приложение 2) and a parent's
application (Приложение 1). Most families use the electronic diary; a few asked for a printed
weekly report, a few for e-mail — some of those without consenting to e-mail distribution
(item 6.9), who therefore get paper. The weekly job then has every case to handle."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from sqlalchemy import insert, select

from extensions import db
from models import ParentLink, User
from models.personal_data import CONSENT_ITEMS, ConsentItem, ConsentRecord, ParentApplication

GIVEN_ON = date(2026, 8, 31)
# Everything but publication on the Internet and the two mailing items, which differ per family.
USUAL_ITEMS = {code for code in CONSENT_ITEMS if code not in ("6.9", "6.10", "6.11")}


def record_family_paperwork(school_id: int, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    parents_of = defaultdict(list)
    for student_id, parent_id, login in db.session.execute(
        select(ParentLink.student_id, ParentLink.parent_id, User.login)
        .join(User, User.id == ParentLink.parent_id)
        .where(User.school_id == school_id)
        .order_by(ParentLink.student_id, ParentLink.id)
    ):
        parents_of[student_id].append((parent_id, login))
    counts = {"electronic": 0, "print": 0, "email": 0, "email_without_consent": 0}
    consents, items_for, applications = [], [], []
    for student_id, parents in parents_of.items():
        parent_id, login = parents[0]
        roll = rng.random()
        if login == "parent" or roll < 0.85:
            choice = "electronic"
        elif roll < 0.92:
            choice = "print"
        elif roll < 0.97:
            choice = "email"
        else:
            choice = "email_without_consent"
        counts[choice] += 1
        granted = set(USUAL_ITEMS)
        if choice == "email":
            granted.add("6.9")
        if choice in ("print", "email_without_consent"):
            granted.add("6.10")  # paper distribution of marks and attendance
        consents.append(ConsentRecord(school_id=school_id, student_id=student_id, given_by_id=parent_id,
                                      number=f"{len(consents) + 1}", given_on=GIVEN_ON))
        items_for.append(granted)
        delivery = "print" if choice == "print" else "email" if choice.startswith("email") else "electronic"
        applications.append(ParentApplication(
            school_id=school_id, parent_id=parent_id, student_id=student_id, submitted_on=GIVEN_ON,
            access_level="electronic" if delivery == "electronic" else "none", delivery=delivery,
            email=f"{login}@example.org" if delivery == "email" else "",
            scope=["marks", "attendance", "homework", "topics", "schedule", "period_results"],
        ))
    db.session.add_all(consents + applications)
    db.session.flush()
    db.session.execute(insert(ConsentItem), [
        {"consent_id": consent.id, "code": code, "granted": code in granted}
        for consent, granted in zip(consents, items_for, strict=True) for code in CONSENT_ITEMS
    ])
    return counts
