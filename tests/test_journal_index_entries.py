"""The journal's index offers the entries a user may open (issue 11: the view decides by the
rules of the pages, policy.py; the template does not check roles itself)."""
from __future__ import annotations

import pytest

ENTRIES = {
    "today": "Мои уроки сегодня",
    "overdue": "Просроченные записи",
    "control": "Контроль ведения журналов",
    "closing": "Закрытие периодов",
}


@pytest.mark.parametrize(("who", "offered"), [
    ("maths_teacher", {"today", "overdue"}),
    ("methodist", {"control"}),
    ("deputy", {"control", "closing"}),
    ("director", {"control", "closing"}),
])
def test_the_index_offers_only_the_pages_the_user_may_open(client, auth, small_school, who, offered):
    s = small_school()
    auth.login(getattr(s, who))
    page = client.get("/journal/").get_data(as_text=True)
    assert {key for key, label in ENTRIES.items() if label in page} == offered
    for key in offered:
        assert client.get(f"/journal/{key}").status_code == 200


@pytest.mark.parametrize(("who", "offered"), [("methodist", False), ("deputy", True)])
def test_the_control_page_links_to_closing_only_for_who_may_close(client, auth, small_school, who, offered):
    s = small_school()
    auth.login(getattr(s, who))
    page = client.get("/journal/control").get_data(as_text=True)
    assert ("Закрытие периодов" in page) is offered
