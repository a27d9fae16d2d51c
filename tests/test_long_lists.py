"""Long lists (issue 9 item 7): the academic office's journals and the administrator's people
filter and search on the server and come a page at a time, with the statements per page bounded
whatever the length of the list."""
from __future__ import annotations

import re

from extensions import db
from models import Subject, TeachingAssignment


def _add_users(create_user, school, n, last_name="Списков"):
    for i in range(n):
        create_user(school, "student", login=f"many{i:03d}", last_name=last_name, first_name=f"Имя{i:03d}")
    db.session.commit()


def _rows(page: str) -> int:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return body.count("<tr>")


def test_people_list_comes_a_page_at_a_time_keeping_the_search(client, auth, small_school, create_user):
    s = small_school()
    _add_users(create_user, s.school, 70)
    auth.login(s.admin)
    first = client.get("/admin/people/?q=списков&role=student").get_data(as_text=True)
    assert _rows(first) == 50 and "Страница 1 из 2 · всего 70" in first
    link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "q=" in link and "role=student" in link and "page=2" in link
    second = client.get(link).get_data(as_text=True)
    assert _rows(second) == 20 and "Имя069" in second and "Имя000" not in second
    # a page beyond the last shows the last one
    assert "Имя069" in client.get("/admin/people/?q=списков&page=99").get_data(as_text=True)
    assert _rows(client.get("/admin/people/?page=abc").get_data(as_text=True)) == 50


def test_people_list_statements_do_not_grow_with_the_list(client, auth, small_school, create_user, count_queries):
    s = small_school()
    auth.login(s.admin)
    client.get("/admin/people/")
    with count_queries() as few:
        client.get("/admin/people/")
    _add_users(create_user, s.school, 120)
    with count_queries() as many:
        assert _rows(client.get("/admin/people/").get_data(as_text=True)) == 50
    assert many.count <= few.count + 1, many.statements


def _many_journals(s, n):
    subjects = [Subject(school_id=s.school.id, name=f"Предмет {i:02d}") for i in range(n)]
    db.session.add_all(subjects)
    db.session.flush()
    for i, subject in enumerate(subjects):
        db.session.add(TeachingAssignment(school_id=s.school.id, year_id=s.year.id,
                                          teacher_id=(s.russian_teacher if i % 2 else s.english_teacher).id,
                                          class_id=(s.class_5b if i % 3 else s.class_5a).id,
                                          subject_id=subject.id, scale_id=s.maths_5a.scale_id))
    db.session.commit()


def test_deputy_filters_the_journals_by_class_subject_and_teacher_and_pages_them(client, auth, small_school):
    s = small_school()
    _many_journals(s, 60)
    auth.login(s.deputy)
    first = client.get("/journal/").get_data(as_text=True)
    total = db.session.query(TeachingAssignment).filter_by(school_id=s.school.id, is_active=True).count()
    assert _rows(first) == 40 and f"всего {total}" in first and 'type="search"' in first
    only_5a = client.get(f"/journal/?class_id={s.class_5a.id}").get_data(as_text=True)
    assert "5Б" not in only_5a[only_5a.index("<tbody>"):]
    maths = db.session.get(Subject, s.maths_5a.subject_id)
    by_subject = client.get(f"/journal/?subject_id={maths.id}").get_data(as_text=True)
    assert _rows(by_subject) == 2  # mathematics in 5А and 5Б
    by_teacher = client.get("/journal/?q=числова").get_data(as_text=True)
    body = by_teacher[by_teacher.index("<tbody>"):]
    assert "Числова" in body and "Словарёва" not in body and "Инглишева" not in body
    nothing = client.get("/journal/?q=нетакого").get_data(as_text=True)
    assert "Ничего не найдено." in nothing


def test_journals_list_statements_do_not_grow_with_the_list(client, auth, small_school, count_queries):
    s = small_school()
    auth.login(s.deputy)
    client.get("/journal/")
    with count_queries() as few:
        client.get("/journal/")
    _many_journals(s, 120)
    with count_queries() as many:
        assert _rows(client.get("/journal/").get_data(as_text=True)) == 40
    assert many.count <= few.count + 1, many.statements
