"""A week of 5А for the weekly-report, mail and admin-jobs tests: lessons, marks, an absence,
homework, and three families who refused electronic access — one wants paper, one e-mail with
consent item 6.9, one e-mail without it."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from blueprints.journal import operations as journal_ops
from blueprints.personal_data import operations as pd_ops
from extensions import db
from models import Homework, WorkKind
from tests.clock import school_date, school_moment

MONDAY = school_date(2026, 11, 16)
FRIDAY = school_date(2026, 11, 20)
SATURDAY = school_date(2026, 11, 21)
# Saturday 10:00 in Moscow: the slot the scheduler computes for WEEKLY_REPORTS_CRON.
SLOT = school_moment(2026, 11, 21, 7, 0)
TODAY = school_date(2026, 11, 21)


def pdf_pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def give_consent(s, student, parent, codes, given_on=school_date(2026, 9, 1), confirm_replace=False):
    third_parties = "Управление образования" if "6.8" in codes else ""  # line 6.8 names them
    consent = pd_ops.record_consent(student, parent.id, set(codes), given_on, None, "1", s.admin, TODAY,
                                    confirm_replace=confirm_replace, third_parties=third_parties)
    db.session.commit()
    return consent


def apply(s, student, parent, delivery, email="", given_on=school_date(2026, 9, 2)):
    access = "electronic" if delivery == "electronic" else "none"
    application = pd_ops.record_application(
        student, parent.id, given_on, access, delivery, email, ["marks", "attendance", "homework"], s.admin, TODAY
    )
    db.session.commit()
    return application


@pytest.fixture
def report_week(app, small_school, create_user):
    """5А in the week 16-21.11.2026:
    Петров Пётр   — mother Петрова Елена (parent_a) asked for paper;
    Борисов Борис — father Борисов Роман asked for e-mail and consented to 6.9;
    Васильева Вера — mother Васильева Галина asked for e-mail but ticked only 6.10 (paper);
    Алексеева Анна — no application: electronic access, no report."""
    app.config["REPORT_WORKERS"] = 0  # the pool has its own test; the machine is shared
    s = small_school()
    s.school.address = "143000, Московская обл., г. Одинцово, ул. Школьная, д. 1"
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    petrov, alekseeva, borisov, vasilieva = s.pupils_5a
    s.petrov, s.alekseeva, s.borisov, s.vasilieva = petrov, alekseeva, borisov, vasilieva

    s.maths_fri = journal_ops.create_lesson(s.maths_5a, s.maths_teacher, FRIDAY, 2, "Сложение дробей", [kinds["test"], kinds["oral"]])
    s.russian_mon = journal_ops.create_lesson(s.russian_5a, s.russian_teacher, MONDAY, 3, "Падежи", [kinds["oral"]])
    db.session.add(Homework(lesson=s.maths_fri, text="Решить задачи на дроби", pages="45", exercises="3, 5"))
    db.session.commit()
    journal_ops.save_cell(s.maths_fri, petrov, s.maths_teacher, "5/4", "k-petrov", None)
    journal_ops.save_cell(s.russian_mon, petrov, s.russian_teacher, "3", "k-petrov-ru", None)
    journal_ops.save_cell(s.maths_fri, borisov, s.maths_teacher, "4", "k-borisov", None)
    journal_ops.save_cell(s.maths_fri, vasilieva, s.maths_teacher, "б", "k-vasilieva", None)
    db.session.commit()

    s.father_b = create_user(s.school, "parent", login="father_b", last_name="Борисов", first_name="Роман", middle_name="Ильич")
    s.mother_v = create_user(s.school, "parent", login="mother_v", last_name="Васильева", first_name="Галина", middle_name="Олеговна")
    from models import ParentLink

    db.session.add_all([
        ParentLink(parent_id=s.father_b.id, student_id=borisov.id, relation="отец"),
        ParentLink(parent_id=s.mother_v.id, student_id=vasilieva.id, relation="мать"),
    ])
    db.session.commit()
    apply(s, petrov, s.parent_a, "print")
    apply(s, borisov, s.father_b, "email", "borisov@example.ru")
    give_consent(s, borisov, s.father_b, ["4.3", "6.1", "6.4", "6.6", "6.9"])
    apply(s, vasilieva, s.mother_v, "email", "vasilieva@example.ru")
    give_consent(s, vasilieva, s.mother_v, ["4.3", "6.10"])
    return s
