"""Editing people's records (PD-7: data are kept accurate, 003 Приложение 2, 004:3.5): the
administrator and the class teacher correct a student's record and a parent's names and
contacts, the administrator a staff member's profile; every change is in the history with
before and after of the changed fields only; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AuditEntry, School, Student, User
from utils.timeutil import school_today


def _student_form(student: Student, **changes) -> dict:
    form = {
        "last_name": student.last_name,
        "first_name": student.first_name,
        "middle_name": student.middle_name,
        "birth_date": student.birth_date.isoformat() if student.birth_date else "",
        "gender": student.gender,
        "book_number": student.book_number,
        "reason": "",
    }
    form.update(changes)
    return form


def _contacts_form(user: User, **changes) -> dict:
    form = {"last_name": user.last_name, "first_name": user.first_name, "middle_name": user.middle_name,
            "email": user.email, "phone": user.phone, "reason": ""}
    form.update(changes)
    return form


def _snapshot(obj, *fields):
    db.session.refresh(obj)
    return tuple(getattr(obj, f) for f in fields)


STUDENT_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "gender", "book_number")
USER_FIELDS = ("last_name", "first_name", "middle_name", "email", "phone")


def _audit_count(entity: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == entity))


def test_administrator_corrects_a_student_record_and_the_history_keeps_only_changed_fields(client, auth, small_school):
    s = small_school()
    pupil = s.pupils_5a[1]  # Алексеева Анна
    auth.login(s.admin)
    response = client.post(
        f"/admin/people/students/{pupil.id}/edit",
        data=_student_form(pupil, last_name="Алексеева-Орлова", birth_date="2015-04-12", gender="f",
                           book_number="А-17", reason="Заявление матери от 20.11"),
    )
    assert response.status_code == 302 and response.location.endswith(f"/admin/people/students/{pupil.id}")
    db.session.refresh(pupil)
    assert (pupil.last_name, pupil.birth_date, pupil.gender, pupil.book_number) == (
        "Алексеева-Орлова", date(2015, 4, 12), "f", "А-17")
    assert pupil.first_name == "Анна"
    assert pupil.user.last_name == "Алексеева-Орлова"  # the account's name follows the record
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "student", AuditEntry.entity_id == pupil.id))
    assert entry.action == "update" and entry.user_id == s.admin.id
    assert entry.reason == "Заявление матери от 20.11"
    assert set(entry.after) == {"last_name", "birth_date", "gender", "book_number"}  # first name unchanged
    assert entry.before["last_name"] == "Алексеева" and entry.after["birth_date"] == "2015-04-12"
    assert entry.before["birth_date"] is None
    page = client.get(f"/admin/people/students/{pupil.id}").get_data(as_text=True)
    assert "История изменений" in page
    assert "Алексеева → <strong>Алексеева-Орлова</strong>" in page
    assert "12.04.2015" in page and "Заявление матери от 20.11" in page


def test_saving_an_unchanged_record_writes_no_history(client, auth, small_school):
    s = small_school()
    pupil = s.pupils_5a[1]
    auth.login(s.admin)
    before = _audit_count("student")
    response = client.post(f"/admin/people/students/{pupil.id}/edit", data=_student_form(pupil))
    assert response.status_code == 302
    assert _audit_count("student") == before


def test_a_book_number_of_another_student_is_refused_and_nothing_changes(client, auth, small_school):
    s = small_school()
    pupil, other = s.pupils_5a[1], s.pupils_5b[0]
    auth.login(s.admin)
    before = _snapshot(pupil, *STUDENT_FIELDS)
    history = _audit_count("student")
    response = client.post(
        f"/admin/people/students/{pupil.id}/edit",
        data=_student_form(pupil, last_name="Новикова", book_number=other.book_number),
    )
    assert response.status_code == 400
    assert f"Номер {other.book_number} в алфавитной книге уже занят" in response.get_data(as_text=True)
    assert _snapshot(pupil, *STUDENT_FIELDS) == before  # the name was not saved either
    assert _audit_count("student") == history


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_name": ""}, "Заполните поле «Фамилия»"),
        ({"first_name": "Анна2"}, "Только буквы"),
        ({"book_number": ""}, "Укажите номер в алфавитной книге"),
        ({"book_number": "1" * 21}, "не должно содержать более 20 символов"),
        ({"gender": "x"}, "Неверный вариант"),
        ({"birth_date": "31.02.2015"}, "Неверное значение даты"),
        ({"birth_date": "future"}, "невозможна"),
        ({"birth_date": "1900-01-01"}, "невозможна"),
    ],
)
def test_bad_input_on_a_student_record_is_refused_in_russian_and_changes_nothing(
    client, auth, small_school, changes, message
):
    s = small_school()
    pupil = s.pupils_5a[1]
    if changes.get("birth_date") == "future":
        changes = {"birth_date": (school_today(s.school.timezone) + timedelta(days=1)).isoformat()}
    auth.login(s.admin)
    before = _snapshot(pupil, *STUDENT_FIELDS)
    history = _audit_count("student")
    response = client.post(
        f"/admin/people/students/{pupil.id}/edit", data=_student_form(pupil, middle_name="Петровна", **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _snapshot(pupil, *STUDENT_FIELDS) == before
    assert _audit_count("student") == history


def test_class_teacher_edits_students_of_their_own_class_only(client, auth, small_school):
    s = small_school()
    own, other = s.pupils_5a[3], s.pupils_5b[1]  # maths_teacher is the class teacher of 5А
    auth.login(s.maths_teacher)
    page = client.get(f"/journal/classes/{s.class_5a.id}").get_data(as_text=True)
    assert f"/admin/people/students/{own.id}/edit" in page
    response = client.post(f"/admin/people/students/{own.id}/edit", data=_student_form(own, middle_name="Викторовна"))
    assert response.status_code == 302 and response.location.endswith(f"/admin/people/students/{own.id}/edit")
    assert _snapshot(own, "middle_name") == ("Викторовна",)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "student", AuditEntry.entity_id == own.id))
    assert entry.user_id == s.maths_teacher.id
    # The edit page is the class teacher's view of the history (the admin pages are not theirs).
    edit_page = client.get(f"/admin/people/students/{own.id}/edit")
    assert edit_page.status_code == 200 and "Викторовна" in edit_page.get_data(as_text=True)
    assert "История изменений" in edit_page.get_data(as_text=True)

    before = _snapshot(other, *STUDENT_FIELDS)
    assert client.get(f"/admin/people/students/{other.id}/edit").status_code == 403
    refused = client.post(f"/admin/people/students/{other.id}/edit", data=_student_form(other, last_name="Чужой"))
    assert refused.status_code == 403
    assert _snapshot(other, *STUDENT_FIELDS) == before
    assert client.get(f"/admin/people/students/{own.id}").status_code == 403  # no admin card for him


def test_other_staff_see_no_edit_link_on_the_class_page(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    page = client.get(f"/journal/classes/{s.class_5a.id}").get_data(as_text=True)
    assert "/edit" not in page.split("Обучающиеся", 1)[1]


def test_class_teacher_edits_the_parents_of_their_students(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)  # parent_a has Петров Пётр in 5А; parent_b only Сидоров Семён in 5Б
    student_page = client.get(f"/admin/people/students/{s.pupils_5a[0].id}/edit").get_data(as_text=True)
    assert f"/admin/people/parents/{s.parent_a.id}/edit" in student_page
    response = client.post(
        f"/admin/people/parents/{s.parent_a.id}/edit",
        data=_contacts_form(s.parent_a, last_name="Петрова-Лебедева", phone="+7 (900) 111-22-33",
                            email="Elena@Example.ru"),
    )
    assert response.status_code == 302
    assert _snapshot(s.parent_a, "last_name", "phone", "email") == (
        "Петрова-Лебедева", "+7 (900) 111-22-33", "elena@example.ru")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == s.parent_a.id))
    assert set(entry.after) == {"last_name", "phone", "email"} and entry.before["phone"] == ""

    before = _snapshot(s.parent_b, *USER_FIELDS)
    assert client.get(f"/admin/people/parents/{s.parent_b.id}/edit").status_code == 403
    assert client.post(f"/admin/people/parents/{s.parent_b.id}/edit",
                       data=_contacts_form(s.parent_b, last_name="Чужая")).status_code == 403
    assert _snapshot(s.parent_b, *USER_FIELDS) == before
    # Not a parent at all: a colleague's profile is not the class teacher's to edit.
    assert client.get(f"/admin/people/parents/{s.russian_teacher.id}/edit").status_code == 403
    assert client.get(f"/admin/people/users/{s.russian_teacher.id}/profile").status_code == 403


def test_a_parent_who_works_at_the_school_is_edited_by_the_administrator_only(client, auth, small_school):
    s = small_school()
    from models import UserRole

    s.parent_a.role_rows.append(UserRole(role="deputy"))
    db.session.commit()
    auth.login(s.maths_teacher)
    assert client.get(f"/admin/people/parents/{s.parent_a.id}/edit").status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, "Неверный адрес электронной почты"),
        ({"phone": "12-34"}, "Неверный номер телефона"),
        ({"phone": "+7 900 ABC-12-34"}, "Неверный номер телефона"),
        ({"first_name": ""}, "Заполните поле «Имя»"),
    ],
)
def test_bad_contacts_are_refused_and_change_nothing(client, auth, small_school, changes, message):
    s = small_school()
    auth.login(s.admin)
    before = _snapshot(s.parent_b, *USER_FIELDS)
    history = _audit_count("user")
    response = client.post(
        f"/admin/people/parents/{s.parent_b.id}/edit", data=_contacts_form(s.parent_b, last_name="Новая", **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _snapshot(s.parent_b, *USER_FIELDS) == before
    assert _audit_count("user") == history


def test_administrator_edits_a_staff_profile_and_the_user_page_shows_it(client, auth, small_school):
    s = small_school()
    teacher = s.russian_teacher
    auth.login(s.admin)
    card = client.get(f"/admin/people/users/{teacher.id}").get_data(as_text=True)
    assert f"/admin/people/users/{teacher.id}/profile" in card
    response = client.post(
        f"/admin/people/users/{teacher.id}/profile",
        data=_contacts_form(teacher, email="slovareva@school7.ru", phone="8 900 555 44 33", reason="Новый адрес"),
    )
    assert response.status_code == 302 and response.location.endswith(f"/admin/people/users/{teacher.id}")
    assert _snapshot(teacher, "email", "phone") == ("slovareva@school7.ru", "8 900 555 44 33")
    assert teacher.roles == {"teacher"}  # roles have their own form
    page = client.get(f"/admin/people/users/{teacher.id}").get_data(as_text=True)
    assert "slovareva@school7.ru" in page and "Новый адрес" in page and "История изменений" in page
    # A parent's account has no staff profile.
    assert client.get(f"/admin/people/users/{s.parent_b.id}/profile").status_code == 403


def test_another_schools_administrator_edits_nothing_here(client, auth, small_school, create_user):
    s = small_school()
    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    db.session.flush()
    stranger = create_user(other, "journal_admin", login="stranger")
    db.session.commit()
    pupil = s.pupils_5a[1]
    before = _snapshot(pupil, *STUDENT_FIELDS)
    auth.login(stranger)
    assert client.post(f"/admin/people/students/{pupil.id}/edit",
                       data=_student_form(pupil, last_name="Чужая")).status_code in (403, 404)
    assert client.post(f"/admin/people/parents/{s.parent_a.id}/edit",
                       data=_contacts_form(s.parent_a, last_name="Чужая")).status_code in (403, 404)
    assert client.post(f"/admin/people/users/{s.russian_teacher.id}/profile",
                       data=_contacts_form(s.russian_teacher, last_name="Чужая")).status_code in (403, 404)
    assert _snapshot(pupil, *STUDENT_FIELDS) == before
    assert _snapshot(s.parent_a, "last_name") == ("Петрова",)
    assert _snapshot(s.russian_teacher, "last_name") == ("Словарёва",)


def test_the_history_on_the_student_page_costs_the_same_queries_for_one_or_many_changes(
    client, auth, small_school, count_queries
):
    s = small_school()
    pupil = s.pupils_5a[1]
    auth.login(s.admin)
    client.post(f"/admin/people/students/{pupil.id}/edit", data=_student_form(pupil, middle_name="Ивановна"))
    client.get(f"/admin/people/students/{pupil.id}")  # warm up
    with count_queries() as one:
        assert client.get(f"/admin/people/students/{pupil.id}").status_code == 200
    auth.logout()
    auth.login(s.maths_teacher)  # the changes of another person too: their names are loaded at once
    for n, middle in enumerate(("Петровна", "Сергеевна", "Олеговна", "Юрьевна")):
        client.post(f"/admin/people/students/{pupil.id}/edit",
                    data=_student_form(pupil, middle_name=middle, book_number=f"9{n}"))
    auth.logout()
    auth.login(s.admin)
    with count_queries() as many:
        page = client.get(f"/admin/people/students/{pupil.id}")
    html = page.get_data(as_text=True)
    assert html.count("Исправление данных") == 5 and "История изменений" not in html.split("</title>")[0]
    assert many.count == one.count


def test_a_book_number_taken_at_the_same_moment_is_refused_with_nothing_stored(client, auth, small_school, monkeypatch):
    """The unique constraint is the last word when two offices save at once."""
    from types import SimpleNamespace

    from sqlalchemy import false

    from blueprints.admin.people import records as record_operations

    s = small_school()
    pupil, other = s.pupils_5a[1], s.pupils_5b[0]
    # The check ran before the other office's commit: it saw the number free.
    monkeypatch.setattr(record_operations, "exists", lambda: SimpleNamespace(where=lambda *conditions: false()))
    auth.login(s.admin)
    before = _snapshot(pupil, *STUDENT_FIELDS)
    response = client.post(f"/admin/people/students/{pupil.id}/edit",
                           data=_student_form(pupil, book_number=other.book_number))
    assert response.status_code == 409
    assert "ничего не изменено" in response.get_data(as_text=True)
    assert _snapshot(pupil, *STUDENT_FIELDS) == before


def test_the_student_card_links_the_diary_only_for_those_who_may_read_it(client, auth, small_school):
    s = small_school()
    pupil = s.pupils_5a[1]
    diary = f"/diary/students/{pupil.id}/week"
    auth.login(s.admin)
    assert diary in client.get(f"/admin/people/students/{pupil.id}").get_data(as_text=True)
    auth.logout()
    auth.login("tech")  # the technical administrator manages accounts and reads no diary
    card = client.get(f"/admin/people/students/{pupil.id}")
    assert card.status_code == 200 and client.get(diary).status_code == 403
    assert diary not in card.get_data(as_text=True)
