"""Every path that hands personal data out writes a row of the register of disclosures (PD-4,
000:5.5.4) naming the right students. One case per path in CASES: a new export or print adds
a case (a function doing it and returning the rows it expects), nothing else."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from extensions import db
from jobs import weekly_reports
from models import Student
from models.pd_register import Disclosure
from tests.test_mail import smtp_server, use_server  # noqa: F401  (the SMTP fixture)
from tests.weekly_fixtures import MONDAY, SLOT, give_consent


@dataclass
class Expected:
    kind: str
    students: set[int]
    recipient: str = ""  # a part of the recipient
    ground: str = ""  # a part of the ground


def _school_students(s) -> set[int]:
    return set(db.session.scalars(select(Student.id).where(Student.school_id == s.school.id,
                                                           Student.is_withdrawn.is_(False))))


def people_export(ctx):
    s = ctx.s
    ctx.auth.login(s.admin)
    response = ctx.client.post("/admin/people/export", data={
        "kind": "students", "fmt": "csv", "recipient": "Управление образования", "purpose": "Отчёт о контингенте"})
    assert response.status_code == 200
    return [Expected("export", _school_students(s), "Управление образования")]


def people_export_to_a_third_party(ctx):
    """Only the students whose consent in force grants a transfer (6.8) are exported."""
    s = ctx.s
    give_consent(s, s.petrov, s.parent_a, ["1.1", "6.8"])
    ctx.auth.login(s.admin)
    response = ctx.client.post("/admin/people/export", data={
        "kind": "students", "fmt": "csv", "recipient": "Спортивная школа № 2", "purpose": "Соревнования",
        "ground": "договор № 5", "third_party": "y"})
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    assert "Петров" in text and "Борисов" not in text
    assert int(response.headers["X-Left-Out"]) == len(_school_students(s)) - 1
    return [Expected("transfer", {s.petrov.id}, "Спортивная школа", "договор № 5")]


def weekly_email(ctx):
    use_server(ctx.app, ctx.smtp.port)
    run = weekly_reports.run_scheduled(ctx.app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors
    return [Expected("email", {ctx.s.borisov.id}, "borisov@example.ru", "согласие, п. 6.9")]


def weekly_print(ctx):
    use_server(ctx.app, ctx.smtp.port)
    run = weekly_reports.run_scheduled(ctx.app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors
    s = ctx.s
    return [Expected("print", {s.petrov.id}, "Петрова"), Expected("print", {s.vasilieva.id}, "Васильева")]


def diary_weekly_report_pdf(ctx):
    s = ctx.s
    ctx.auth.login(s.parent_a)
    response = ctx.client.get(f"/diary/students/{s.petrov.id}/weekly-report", query_string={"date": MONDAY.isoformat()})
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    return [Expected("print", {s.petrov.id}, s.parent_a.last_name)]


def subjects_extract(ctx):
    s = ctx.s
    ctx.auth.login(s.parent_a)
    assert ctx.client.post(f"/personal-data/my/students/{s.petrov.id}/extract").status_code == 303
    return [Expected("extract", {s.petrov.id}, s.parent_a.last_name, "152-ФЗ")]


def personal_file_extract(ctx):
    s = ctx.s
    ctx.auth.login(s.admin)
    response = ctx.client.post(f"/personal-data/students/{s.petrov.id}/card/extract",
                               data={"extract-recipient": "Военный комиссариат", "extract-purpose": "первичный учёт"})
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    return [Expected("print", {s.petrov.id}, "Военный комиссариат")]


def register_export(ctx):
    """The export of the register itself is a disclosure too."""
    s = ctx.s
    ctx.auth.login(s.admin)
    response = ctx.client.post(f"/personal-data/students/{s.petrov.id}/card/extract",
                               data={"extract-recipient": "Военный комиссариат", "extract-purpose": "первичный учёт"})
    assert response.status_code == 200
    response = ctx.client.get("/personal-data/disclosures/export.csv")
    assert response.status_code == 200
    return [Expected("export", {s.petrov.id})]


CASES = [people_export, people_export_to_a_third_party, weekly_email, weekly_print, diary_weekly_report_pdf,
         subjects_extract, personal_file_extract, register_export]


@dataclass
class Context:
    app: object
    client: object
    auth: object
    s: object
    smtp: object


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_every_disclosure_path_writes_the_register(app, client, auth, report_week, smtp_server, case):  # noqa: F811
    before = set(db.session.scalars(select(Disclosure.id)))
    expected = case(Context(app, client, auth, report_week, smtp_server))
    db.session.expire_all()
    rows = [d for d in db.session.scalars(select(Disclosure).order_by(Disclosure.id)) if d.id not in before]
    for want in expected:
        matching = [d for d in rows if d.kind == want.kind and {x.student_id for x in d.subjects} == want.students
                    and want.recipient in d.recipient and want.ground in d.ground]
        assert matching, f"{case.__name__}: no {want} among {[(d.kind, d.recipient, d.subject_count) for d in rows]}"
        assert all(d.school_id == report_week.school.id and d.subject_count == len(want.students) for d in matching)
