"""The student's personal-data card (PD-1): sections by the consent sheet's categories as the
director's order allows, SNILS checked and indexed, the history without secret values, the card
blocked after a withdrawal, the photo only under a consent to 5.2, the certified extract in the
disclosure register, the list of students without a valid consent."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from blueprints.personal_data import card_operations as card_ops
from blueprints.personal_data import operations as ops
from domain import pd_card
from extensions import db
from models import AuditEntry
from models.pd_register import AccessLogEntry, Disclosure, OrderOperator
from models.personal_data import StudentProfile
from models.printouts import Printout
from tests.clock import school_moment
from tests.weekly_fixtures import give_consent
from utils.encryption import blind_index
from utils.timeutil import school_today

JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
SNILS = "112-233-445 95"


@pytest.fixture
def family(app, small_school):
    s = small_school()
    s.pupil = s.pupils_5a[0]  # Петров Пётр, mother parent_a, class teacher maths_teacher
    return s


def _card(s):
    return f"/personal-data/students/{s.pupil.id}/card"


def _profile(s) -> StudentProfile | None:
    db.session.expire_all()
    return db.session.scalar(select(StudentProfile).where(StudentProfile.student_id == s.pupil.id))


# --- Rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value,valid", [
    ("112-233-445 95", True), ("11223344595", True), ("112-233-445 96", False), ("112-233-445", False),
    ("abc-def-ghi 00", False), ("001-001-998 00", True),  # below the checksum's range
])
def test_snils_checksum(value, valid):
    assert pd_card.snils_valid(value) is valid


def test_a_student_signs_for_themselves_from_the_day_they_turn_14():
    born = date(2012, 3, 10)
    assert not pd_card.may_sign_for_self(born, date(2026, 3, 9))
    assert pd_card.may_sign_for_self(born, date(2026, 3, 10))
    assert not pd_card.may_sign_for_self(None, date(2026, 3, 10))


def test_sections_follow_the_sheet_groups():
    layout = pd_card.sections({"3.1", "5.1"})
    assert [group for group, _cats in layout] == ["3", "5"]
    assert layout[0][1] == [("3.1", ["family_notes"])]
    assert "photo_path" not in layout[1][1][0][1]


# --- The card -----------------------------------------------------------------------------------


def test_class_teacher_edits_the_card_and_the_indexes_follow(client, auth, family):
    auth.login(family.maths_teacher)
    page = client.get(_card(family)).get_data(as_text=True)
    assert "1. Анкетные данные" in page and "3. Сведения о семье" in page and "СНИЛС" in page
    response = client.post(_card(family), data={
        "card-citizenship": "РФ", "card-snils": "11223344595", "card-document_number": "IV-МЮ 123456",
        "card-medical_notes": "аллергия на пенициллин",
    })
    assert response.status_code == 303
    profile = _profile(family)
    assert profile.citizenship == "РФ" and profile.snils == SNILS
    assert profile.snils_index == blind_index(SNILS) and profile.document_index == blind_index("IV-МЮ 123456")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "student_profile"))
    assert set(entry.after["fields"]) == {"citizenship", "snils", "document_number", "medical_notes"}
    history = str(entry.after) + str(entry.before or "")
    assert "пенициллин" not in history and "123456" not in history and "4459" not in history.replace("-", "")
    assert "РФ" not in history  # names only, not even the open values
    assert "аллергия на пенициллин" in client.get(_card(family)).get_data(as_text=True)
    # cleared: the index is emptied with the value
    client.post(_card(family), data={"card-snils": ""})
    assert _profile(family).snils_index == ""


def test_a_wrong_snils_is_refused_and_nothing_changed(client, auth, family):
    auth.login(family.maths_teacher)
    response = client.post(_card(family), data={"card-citizenship": "РФ", "card-snils": "112-233-445 96"})
    assert response.status_code == 400
    assert "СНИЛС указан неверно" in response.get_data(as_text=True)
    assert _profile(family) is None


def test_opening_and_editing_the_card_is_logged(client, auth, family):
    auth.login(family.maths_teacher)
    client.get(_card(family))
    client.post(_card(family), data={"card-phone": "+7 900 000-00-00"})
    entries = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    assert [(e.action, e.student_ids, e.user_id) for e in entries if e.what == "card"] == [
        ("view", [family.pupil.id], family.maths_teacher.id), ("edit", [family.pupil.id], family.maths_teacher.id)]


def test_staff_named_for_one_category_see_and_edit_only_that_section(client, auth, family):
    operator = db.session.scalar(select(OrderOperator).where(OrderOperator.user_id == family.maths_teacher.id))
    operator.categories = ["3.1"]
    db.session.commit()
    db.session.add(StudentProfile(school_id=family.school.id, student_id=family.pupil.id,
                                  family_notes="мать, отчим, брат", snils=SNILS, citizenship="РФ"))
    db.session.commit()
    auth.login(family.maths_teacher)
    page = client.get(_card(family)).get_data(as_text=True)
    assert "мать, отчим, брат" in page and "3.1. Состав семьи" in page
    assert "СНИЛС" not in page and SNILS not in page and "Гражданство" not in page and "Дата рождения" not in page
    client.post(_card(family), data={"card-family_notes": "мать", "card-citizenship": "Иное", "card-snils": ""})
    profile = _profile(family)
    assert profile.family_notes == "мать" and profile.citizenship == "РФ" and profile.snils == SNILS
    entry = db.session.scalar(select(AccessLogEntry).where(AccessLogEntry.action == "view"))
    assert entry.categories == ["3.1"]


def test_staff_not_in_the_order_are_refused(client, auth, family):
    operator = db.session.scalar(select(OrderOperator).where(OrderOperator.user_id == family.maths_teacher.id))
    db.session.delete(operator)
    db.session.commit()
    auth.login(family.maths_teacher)
    response = client.get(_card(family))
    assert response.status_code == 403 and "приказ" in response.get_data(as_text=True)
    assert client.post(_card(family), data={"card-citizenship": "РФ"}).status_code == 403
    assert _profile(family) is None


def test_a_withdrawn_consent_blocks_the_card(client, auth, family):
    db.session.add(StudentProfile(school_id=family.school.id, student_id=family.pupil.id, home_address="ул. Ленина, 1"))
    consent = give_consent(family, family.pupil, family.parent_a, ["1.3", "6.1"])
    ops.withdraw_consent(consent, family.admin, "заявление", at=school_moment(2026, 11, 10, 9))
    db.session.commit()
    auth.login(family.maths_teacher)
    page = client.get(_card(family)).get_data(as_text=True)
    assert "Обработка персональных данных прекращена" in page and "ул. Ленина" not in page
    response = client.post(_card(family), data={"card-home_address": "другой"})
    assert response.status_code == 409
    assert _profile(family).home_address == "ул. Ленина, 1"


@pytest.mark.parametrize("url", ["/personal-data/students/{id}/card", "/personal-data/students/{id}/card/extract"])
def test_another_schools_student_is_not_found(client, auth, family, url):
    from models import School, Student

    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    stranger = Student(school=other, last_name="Чужой", first_name="Ученик", book_number="1")
    db.session.add(stranger)
    db.session.commit()
    auth.login(family.admin)
    method = client.post if url.endswith("extract") else client.get
    assert method(url.format(id=stranger.id), data={"extract-recipient": "x", "extract-purpose": "y"}).status_code == 404
    assert method(url.format(id=999999)).status_code == 404
    assert client.post(f"/personal-data/students/{stranger.id}/card", data={"card-phone": "1"}).status_code == 404
    assert db.session.scalar(select(StudentProfile)) is None and db.session.scalar(select(Disclosure)) is None


def test_a_teacher_of_another_class_is_forbidden(client, auth, family):
    auth.login(family.russian_teacher)
    assert client.get(_card(family)).status_code == 403
    assert client.post(_card(family), data={"card-phone": "1"}).status_code == 403
    assert _profile(family) is None


# --- The photo (5.2) ---------------------------------------------------------------------------


def _upload_photo(client, s, data=JPG, name="photo.jpg"):
    return client.post(f"/personal-data/students/{s.pupil.id}/photo",
                       data={"photo-photo": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_photo_needs_a_consent_to_5_2(client, auth, family):
    auth.login(family.maths_teacher)
    give_consent(family, family.pupil, family.parent_a, ["1.1", "6.1"])
    response = _upload_photo(client, family)
    assert response.status_code == 403 and "п. 5.2" in response.get_data(as_text=True)
    assert _profile(family) is None or not _profile(family).photo_path
    assert client.get(f"/personal-data/students/{family.pupil.id}/photo").status_code == 403

    give_consent(family, family.pupil, family.parent_a, ["1.1", "5.2", "6.1"])
    assert _upload_photo(client, family, b"GIF89a", "photo.jpg").status_code == 400  # not a JPEG inside
    assert _upload_photo(client, family).status_code == 303
    photo = client.get(f"/personal-data/students/{family.pupil.id}/photo")
    assert photo.status_code == 200 and photo.data == JPG
    assert f"/personal-data/students/{family.pupil.id}/photo\"" in client.get(_card(family)).get_data(as_text=True)

    # a new sheet without 5.2: the photo is neither shown nor served
    give_consent(family, family.pupil, family.parent_a, ["1.1", "6.1"], confirm_replace=True)
    assert client.get(f"/personal-data/students/{family.pupil.id}/photo").status_code == 403
    assert f"/personal-data/students/{family.pupil.id}/photo\"" not in client.get(_card(family)).get_data(as_text=True)


# --- The extract -------------------------------------------------------------------------------


def test_the_extract_is_a_certified_pdf_in_the_disclosure_register(client, auth, family):
    db.session.add(StudentProfile(school_id=family.school.id, student_id=family.pupil.id, citizenship="РФ",
                                  snils=SNILS, family_notes="мать, отец"))
    db.session.commit()
    auth.login(family.maths_teacher)
    url = f"{_card(family)}/extract"
    response = client.post(url, data={"extract-recipient": "", "extract-purpose": ""})
    assert response.status_code == 400 and db.session.scalar(select(Disclosure)) is None
    response = client.post(url, data={"extract-recipient": "Военный комиссариат", "extract-purpose": "первичный учёт"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages))
    assert "Выписка из личного дела" in text and "Петров" in text and SNILS in text and "мать, отец" in text
    assert "Военный комиссариат" in text and "Код проверки" in text
    disclosure = db.session.scalar(select(Disclosure))
    assert disclosure.kind == "print" and disclosure.recipient == "Военный комиссариат"
    assert disclosure.purpose == "первичный учёт" and [s.student_id for s in disclosure.subjects] == [family.pupil.id]
    assert disclosure.categories == ["1.1", "1.2", "3.1", "5.1"]
    printout = db.session.get(Printout, disclosure.printout_id)
    assert printout.kind == "card_extract"


# --- Students without a valid consent ---------------------------------------------------------


def test_missing_consents_by_class(client, auth, family, count_queries):
    give_consent(family, family.pupil, family.parent_a, ["6.1"])
    today = school_today(family.school.timezone)
    auth.login(family.maths_teacher)
    with count_queries() as counter:
        page = client.get("/personal-data/consents/missing").get_data(as_text=True)
    assert counter.count <= 12  # user, order, suspensions, the list, the access log: not per student
    for n in range(3):
        family.create_student(family.school, family.pupils_5a[0].current_class, "Новиков", f"Ученик{n}", with_login=False)
    db.session.commit()
    with count_queries() as more:
        page = client.get("/personal-data/consents/missing").get_data(as_text=True)
    assert "Ученик2" in page and more.count <= counter.count  # not one more per student
    assert "Алексеева" in page and "Петров Пётр" not in page and "Сидоров" not in page  # 5Б is not theirs
    assert f"/personal-data/students/{family.pupils_5a[1].id}/consent" in page
    auth.logout()
    auth.login(family.admin)
    page = client.get("/personal-data/consents/missing").get_data(as_text=True)
    assert "5А" in page and "5Б" in page and "Сидоров" in page and "Петров Пётр" not in page
    # the count is one statement, whatever the school's size (the user's roles loaded before)
    card_ops.missing_count(family.maths_teacher, today)
    with count_queries() as counter:
        assert card_ops.missing_count(family.maths_teacher, today) == len(family.pupils_5a) - 1 + 3
    assert counter.count == 1
    assert client.get("/personal-data/consents/missing").status_code == 200
    entry = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.what == "consents missing")).first()
    assert entry is not None and family.pupils_5a[1].id in entry.student_ids and family.pupil.id not in entry.student_ids
    auth.logout()
    auth.login(family.russian_teacher)
    assert client.get("/personal-data/consents/missing").status_code == 403


def test_the_home_pages_count_students_without_consent(client, auth, family):
    give_consent(family, family.pupil, family.parent_a, ["6.1"])
    auth.login(family.maths_teacher)
    page = client.get("/").get_data(as_text=True)
    assert "/personal-data/consents/missing" in page
    assert f'<strong class="home-count">{len(family.pupils_5a) - 1}</strong> обучающихся без действующего согласия' in page
    auth.logout()
    auth.login(family.russian_teacher)
    assert "/personal-data/consents/missing" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(family.admin)
    assert "обучающихся без действующего согласия" in client.get("/").get_data(as_text=True)
