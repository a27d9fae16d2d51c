"""The register of disclosures (PD-4, 000:5.5.4): search, filters, paper transfers entered by
hand, the certified print and the exports, which are recorded in the register themselves."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from models.pd_register import Disclosure
from tests.clock import school_date
from utils import disclosures


def _seed(school):
    with_petrov = disclosures.record(
        "export", document="Список 5А", categories={"1.1", "2.1"}, students=[s.id for s in school.pupils_5a],
        recipient="Управление образования", purpose="Отчёт", ground="согласие, п. 6.8", user=school.admin,
    )
    only_sidorov = disclosures.record(
        "email", document="Еженедельный отчёт", categories={"4.3"}, students=[school.pupils_5b[0].id],
        recipient="parent@example.org", purpose="Отчёт родителю", ground="согласие, п. 6.9",
        school_id=school.school.id,
    )
    db.session.commit()
    return with_petrov, only_sidorov


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Disclosure))


def test_register_lists_rows_and_searches_by_student(client, auth, small_school):
    school = small_school()
    _seed(school)
    auth.login(school.director)
    page = client.get("/personal-data/disclosures").get_data(as_text=True)
    assert "Список 5А" in page and "Еженедельный отчёт" in page
    assert "Управление образования" in page and "согласие, п. 6.9" in page
    sidorov = school.pupils_5b[0]
    found = client.get("/personal-data/disclosures", query_string={"student": sidorov.last_name}).get_data(as_text=True)
    assert "Еженедельный отчёт" in found and "Список 5А" not in found
    by_kind = client.get("/personal-data/disclosures", query_string={"kind": "export"}).get_data(as_text=True)
    assert "Список 5А" in by_kind and "Еженедельный отчёт" not in by_kind
    by_who = client.get("/personal-data/disclosures", query_string={"who": school.admin.id}).get_data(as_text=True)
    assert "Список 5А" in by_who and "Еженедельный отчёт" not in by_who
    future = client.get("/personal-data/disclosures", query_string={"from": "2099-01-01"}).get_data(as_text=True)
    assert "Список 5А" not in future


def test_register_page_keeps_its_queries_bounded(client, auth, small_school, count_queries):
    school = small_school()
    for _ in range(6):
        _seed(school)
    auth.login(school.director)
    client.get("/personal-data/disclosures")
    with count_queries() as few:
        client.get("/personal-data/disclosures")
    for _ in range(6):
        _seed(school)
    with count_queries() as many:
        client.get("/personal-data/disclosures")
    assert many.count == few.count


def test_export_of_the_register_is_recorded_in_it(client, auth, small_school):
    school = small_school()
    _seed(school)
    auth.login(school.admin)
    before = _count()
    response = client.get("/personal-data/disclosures/export.csv")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    assert "Список 5А" in text and school.pupils_5b[0].last_name in text
    assert _count() == before + 1
    row = db.session.scalars(select(Disclosure).order_by(Disclosure.id.desc())).first()
    assert row.kind == "export" and row.user_id == school.admin.id
    assert {s.student_id for s in row.subjects} == {s.id for s in school.pupils_5a} | {school.pupils_5b[0].id}
    xlsx = client.get("/personal-data/disclosures/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/personal-data/disclosures/export.exe").status_code == 404


def test_print_is_a_certified_pdf_recorded_in_the_register(client, auth, small_school):
    school = small_school()
    _seed(school)
    auth.login(school.director)
    before = _count()
    response = client.get("/personal-data/disclosures/print.pdf")
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    assert _count() == before + 1
    row = db.session.scalars(select(Disclosure).order_by(Disclosure.id.desc())).first()
    assert row.kind == "print" and row.printout_id is not None
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Журнал учёта передачи" in text and "Список 5А" in text and "Управление" in text


def _paper(school, **overrides):
    data = {"on": str(school_date(2026, 11, 20)), "document": "Список на медосмотр", "categories": ["1.1", "5.1"],
            "students": [s.id for s in school.pupils_5a], "recipient": "Детская поликлиника № 1",
            "purpose": "Профилактический медосмотр", "ground": "", "class_id": school.pupils_5a[0].current_class_id}
    data.update(overrides)
    return data


def test_paper_transfer_is_entered_by_hand(client, auth, small_school):
    school = small_school()
    auth.login(school.director)
    form = client.get("/personal-data/disclosures/new", query_string={"class_id": school.pupils_5a[0].current_class_id})
    assert school.pupils_5a[0].full_name in form.get_data(as_text=True)
    response = client.post("/personal-data/disclosures/new", data=_paper(school))
    assert response.status_code == 303
    row = db.session.scalars(select(Disclosure).where(Disclosure.kind == "paper")).one()
    assert row.is_manual and row.recipient == "Детская поликлиника № 1" and row.categories == ["1.1", "5.1"]
    assert {s.student_id for s in row.subjects} == {s.id for s in school.pupils_5a}


def test_paper_transfer_refuses_missing_fields_and_foreign_students(client, auth, small_school):
    from models import School, Student

    school = small_school()
    auth.login(school.director)
    for missing in ("recipient", "purpose", "document"):
        response = client.post("/personal-data/disclosures/new", data=_paper(school, **{missing: ""}))
        assert response.status_code == 400
    assert client.post("/personal-data/disclosures/new", data=_paper(school, categories=[])).status_code == 400
    assert client.post("/personal-data/disclosures/new", data=_paper(school, students=[])).status_code == 400
    assert client.post("/personal-data/disclosures/new", data=_paper(school, on="2099-01-01")).status_code == 400
    assert client.post("/personal-data/disclosures/new", data=_paper(school, students=["x"])).status_code == 400
    other = School(name="Другая", short_name="Другая")
    db.session.add(other)
    db.session.flush()
    stranger = Student(school=other, last_name="Чужой", first_name="Иван", book_number="1")
    db.session.add(stranger)
    db.session.commit()
    assert client.post("/personal-data/disclosures/new", data=_paper(school, students=[stranger.id])).status_code == 404
    assert _count() == 0


def test_staff_outside_the_order_are_refused(client, auth, small_school, create_user):
    school = small_school()
    outsider = create_user(school.school, "director", login="newdirector", pd_categories=())
    db.session.commit()
    auth.login(outsider)
    assert client.get("/personal-data/disclosures").status_code == 403
    assert client.get("/personal-data/disclosures/export.csv").status_code == 403
    assert _count() == 0


def test_csv_export_is_not_a_formula_injection(client, auth, small_school):
    school = small_school()
    disclosures.record("paper", document="=HYPERLINK(\"x\")", categories={"1.1"}, students=[school.pupils_5a[0].id],
                       recipient="r", purpose="p", user=school.admin)
    db.session.commit()
    auth.login(school.director)
    text = client.get("/personal-data/disclosures/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_opening_the_register_is_in_the_access_log(client, auth, small_school):
    from models.pd_register import AccessLogEntry

    school = small_school()
    _seed(school)
    auth.login(school.director)
    client.get("/personal-data/disclosures")
    entry = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
    assert entry.user_id == school.director.id and entry.action == "view"
    assert set(entry.student_ids) == {s.id for s in school.pupils_5a} | {school.pupils_5b[0].id}
