"""The personal-data register is reachable: each page from the home page's «Разделы» of those
who may open it, and the parent's consents (and their withdrawal) from the diary (PD-1…PD-7)."""
from __future__ import annotations

from extensions import db


def _home(client, auth, user) -> str:
    auth.login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_director_reaches_every_register_page(client, auth, small_school):
    s = small_school()
    db.session.commit()
    html = _home(client, auth, s.director)
    for path in ("/personal-data/orders", "/personal-data/suspensions", "/personal-data/disclosures",
                 "/personal-data/destruction", "/personal-data/access-log", "/personal-data/consents/missing"):
        assert f'href="{path}"' in html, path


def test_a_teacher_sees_none_of_the_directors_pages(client, auth, small_school):
    s = small_school()
    db.session.commit()
    html = _home(client, auth, s.russian_teacher)
    for path in ("/personal-data/orders", "/personal-data/suspensions", "/personal-data/access-log",
                 "/personal-data/destruction"):
        assert f'href="{path}"' not in html, path


def test_a_parent_reaches_the_consents_from_home_and_from_the_diary(client, auth, small_school):
    s = small_school()
    db.session.commit()
    assert 'href="/personal-data/my"' in _home(client, auth, s.parent_a)
    diary = client.get("/diary/").get_data(as_text=True)
    assert 'href="/personal-data/my"' in diary
