"""The demo students' personal-data cards (StudentProfile): addresses, a SNILS with valid check
digits, some medical and family notes — written through the model, so encrypted at rest like
real ones — and a few openings of them by the director in the access log (PD-6)."""
from __future__ import annotations

import random

from sqlalchemy import select

from domain.snils import checksum, formatted
from extensions import db
from models import Student, User
from models.personal_data import StudentProfile
from utils.pd_access import log_access

STREETS = ("ул. Ленина", "ул. Садовая", "ул. Школьная", "пр. Мира", "ул. Гагарина", "ул. Победы",
           "ул. Молодёжная", "ул. Лесная", "ул. Набережная", "ул. Советская")
MEDICAL = ("Подготовительная группа по физкультуре", "Аллергия на пыльцу берёзы",
           "Ношение очков (миопия слабой степени)", "Бронхиальная астма, ингалятор с собой",
           "Освобождён от физкультуры до конца четверти")
FAMILY = ("Многодетная семья", "Неполная семья", "Опекун — бабушка", "Семья участника СВО",
          "Малообеспеченная семья")


def _snils(rng: random.Random) -> str:
    nine = f"{rng.randint(2_000_000, 999_999_999):09d}"
    return formatted(nine + checksum(nine))


def fill_student_profiles(school_id: int, seed: int = 2026) -> int:
    rng = random.Random(seed + 152)
    students = db.session.scalars(select(Student).where(Student.school_id == school_id).order_by(Student.id)).all()
    profiles = []
    for student in students:
        street = rng.choice(STREETS)
        address = f"г. Энск, {street}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 200)}"
        profiles.append(StudentProfile(
            school_id=school_id, student_id=student.id, citizenship="Российская Федерация",
            native_language="русский", registration_address=address, home_address=address,
            snils=_snils(rng), document_kind="Свидетельство о рождении",
            document_number=f"{rng.choice(('II', 'III', 'IV'))}-ЛО № {rng.randint(100000, 999999)}",
            medical_notes=rng.choice(MEDICAL) if rng.random() < 0.12 else "",
            family_notes=rng.choice(FAMILY) if rng.random() < 0.15 else "",
            education_form="очная", languages="английский",
        ))
    db.session.add_all(profiles)
    db.session.flush()
    director = db.session.scalars(select(User).where(User.school_id == school_id, User.login == "director")).first()
    if director is not None:
        for student in students[:5]:
            log_access(director, "view", f"/personal-data/students/{student.id}/card", [student.id], ["1.3", "5.1"])
    return len(profiles)
