"""Polls (COM-2): who creates for which audience, exactly the audience answers (others 404),
one answer per person and per family, anonymous answers with no link to the voter, the dates
enforced at the server, bad input refused with nothing stored, results (chart, table, texts,
XLSX) for the author and the administration only, bounded queries."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import DateTime, func, select

from extensions import db
from models import ParentLink
from models.polls import Poll, PollAnswer, PollAudience, PollOption, PollVote
from tests.clock import TODAY
from tests.conftest import PASSWORD, isolated_client


@pytest.fixture
def login(make_app):
    def as_user(user):
        client = isolated_client(make_app)
        login_name = user if isinstance(user, str) else user.login
        assert client.post("/auth/login", data={"login": login_name, "password": PASSWORD}).status_code == 302
        return client

    return as_user


def make_poll(s, *, kind="single", audience=(("class_parents", "5a"),), per_family=False, anonymous=True,
              opens=TODAY, closes=TODAY + timedelta(days=7), author=None, options=("Суббота", "Воскресенье"),
              title="Экскурсия"):
    classes = {"5a": s.class_5a, "5b": s.class_5b, "1a": s.class_1a}
    poll = Poll(school_id=s.school.id, author_id=(author or s.maths_teacher).id, title=title, question="Когда?",
                kind=kind, opens_on=opens, closes_on=closes, is_anonymous=anonymous, per_family=per_family)
    poll.options = [] if kind == "text" else [PollOption(position=n, text=t) for n, t in enumerate(options)]
    poll.audience = [PollAudience(kind=k, class_id=classes[c].id if c else None) for k, c in audience]
    db.session.add(poll)
    db.session.commit()
    return poll


def counts():
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Poll, PollVote, PollAnswer))


def new_form(s, **extra):
    data = {"title": "Собрание", "question": "Придёте?", "kind": "single", "options": "Да\nНет",
            "opens_on": TODAY.isoformat(), "closes_on": (TODAY + timedelta(days=3)).isoformat(),
            "class_parents": str(s.class_5a.id)}
    data.update(extra)
    return data


# --- Creating -----------------------------------------------------------------------------------


def test_class_teacher_polls_own_class_families_only(small_school, login):
    s = small_school()
    client = login("maths")
    response = client.post("/polls/new", data=new_form(s, per_family="1"))
    assert response.status_code == 303
    poll = db.session.scalars(select(Poll)).one()
    assert [(a.kind, a.class_id) for a in poll.audience] == [("class_parents", s.class_5a.id)]
    assert [o.text for o in poll.options] == ["Да", "Нет"]
    assert poll.per_family and poll.is_anonymous and poll.author_id == s.maths_teacher.id
    before = counts()
    assert client.post("/polls/new", data=new_form(s, class_parents=str(s.class_5b.id))).status_code == 404
    assert client.post("/polls/new", data=new_form(s, class_parents="", groups="parents")).status_code == 403
    assert counts() == before
    assert login("russian").get("/polls/new").status_code == 403  # not a class teacher
    assert login("parent_a").post("/polls/new", data=new_form(s)).status_code == 403
    assert counts() == before


def test_administration_polls_any_audience(small_school, login):
    s = small_school()
    client = login("deputy")
    data = new_form(s, class_parents=str(s.class_5b.id), groups=["teachers", "students"], kind="multiple",
                    named="1")
    assert client.post("/polls/new", data=data).status_code == 303
    poll = db.session.scalars(select(Poll)).one()
    assert sorted(a.kind for a in poll.audience) == ["class_parents", "students", "teachers"]
    assert poll.kind == "multiple" and not poll.is_anonymous


@pytest.mark.parametrize("field, value", [
    ("title", "<script>alert(1)</script>"),
    ("question", "Приходите <img src=x onerror=alert(1)>"),
    ("options", "Да\n<b>Нет</b>"),
    ("title", "Я" * 201),
    ("question", "Я" * 2001),
    ("options", "Только один"),
    ("options", "Да\nда"),
    ("kind", "other"),
    ("closes_on", "2020-01-01"),
    ("opens_on", "not a date"),
    ("class_parents", "99999"),
    ("class_parents", "abc"),
    ("class_parents", ""),
])
def test_bad_poll_refused_and_nothing_stored(small_school, login, field, value):
    s = small_school()
    client = login("director")
    response = client.post("/polls/new", data=new_form(s, **{field: value}))
    assert 400 <= response.status_code < 500
    assert counts() == (0, 0, 0)
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>Нет" not in page


def test_dates_out_of_order_refused(small_school, login):
    s = small_school()
    data = new_form(s, opens_on=(TODAY + timedelta(days=5)).isoformat(), closes_on=(TODAY + timedelta(days=1)).isoformat())
    response = login("director").post("/polls/new", data=data)
    assert response.status_code == 400
    assert "раньше, чем начнётся" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


# --- Audience -----------------------------------------------------------------------------------


def test_only_the_audience_sees_and_answers(small_school, login):
    s = small_school()
    poll = make_poll(s)
    parent_a = login("parent_a")
    assert "Экскурсия" in parent_a.get("/polls/").get_data(as_text=True)
    page = parent_a.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Опрос анонимный." in page and "Ответить" in page
    for who in ("parent_b", "russian", "methodist", s.pupils_5a[0].user.login):
        client = login(who)
        assert client.get(f"/polls/{poll.id}").status_code == 404, who
        assert client.post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 404
        assert "Экскурсия" not in client.get("/polls/").get_data(as_text=True)
    assert parent_a.get(f"/polls/{poll.id}/results").status_code == 404  # respondents never see results
    assert login("parent_a").get("/polls/999999").status_code == 404
    assert counts()[1:] == (0, 0)


def test_students_of_a_class(small_school, login):
    s = small_school()
    poll = make_poll(s, audience=(("class_students", "5a"),))
    assert login(s.pupils_5a[0].user.login).post(f"/polls/{poll.id}/vote",
                                                 data={"option": str(poll.options[1].id)}).status_code == 303
    assert login(s.pupils_5b[0].user.login).get(f"/polls/{poll.id}").status_code == 404
    assert login("parent_a").get(f"/polls/{poll.id}").status_code == 404


# --- Voting -------------------------------------------------------------------------------------


def test_one_answer_per_person(small_school, login):
    s = small_school()
    poll = make_poll(s)
    client = login("parent_a")
    assert client.post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 303
    again = client.post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[1].id)})
    assert again.status_code == 409 and "уже ответили" in again.get_data(as_text=True)
    assert counts()[1:] == (1, 1)


def test_one_answer_per_family_second_parent_refused(small_school, login, create_user):
    s = small_school()
    father = create_user(s.school, "parent", login="father")
    db.session.add(ParentLink(parent_id=father.id, student_id=s.pupils_5a[0].id, relation="отец"))
    db.session.commit()
    poll = make_poll(s, per_family=True)
    assert login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 303
    father_client = login("father")
    assert "уже ответили" in father_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    refused = father_client.post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[1].id)})
    assert refused.status_code == 409 and "В вашей семье" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 1


def test_without_per_family_both_parents_answer(small_school, login, create_user):
    s = small_school()
    father = create_user(s.school, "parent", login="father")
    db.session.add(ParentLink(parent_id=father.id, student_id=s.pupils_5a[0].id, relation="отец"))
    db.session.commit()
    poll = make_poll(s, per_family=False)
    for who in ("parent_a", "father"):
        assert login(who).post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 2


def test_parent_of_two_children_answers_once_for_the_family(small_school, login, create_user):
    """parent_a has Пётр in 5А and Полина in 1А: one vote covers both; the father of Полина only
    cannot vote after it (documented in domain/polls.py)."""
    s = small_school()
    father = create_user(s.school, "parent", login="father")
    db.session.add(ParentLink(parent_id=father.id, student_id=s.pupil_1a.id, relation="отец"))
    db.session.commit()
    poll = make_poll(s, audience=(("class_parents", "5a"), ("class_parents", "1a")), per_family=True)
    assert login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 303
    keys = set(db.session.scalars(select(PollVote.key)))
    assert keys == {f"u:{s.parent_a.id}", f"s:{s.pupils_5a[0].id}", f"s:{s.pupil_1a.id}"}
    assert login("father").post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[1].id)}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 1


@pytest.mark.parametrize("opens, closes, message", [
    (TODAY + timedelta(days=1), TODAY + timedelta(days=3), "ещё не начался"),
    (TODAY - timedelta(days=5), TODAY - timedelta(days=1), "закончился"),
])
def test_open_dates_enforced_at_the_server(small_school, login, opens, closes, message):
    s = small_school()
    poll = make_poll(s, opens=opens, closes=closes)
    response = login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)})
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert counts()[1:] == (0, 0)


def test_last_day_is_open(small_school, login):
    s = small_school()
    poll = make_poll(s, opens=TODAY - timedelta(days=3), closes=TODAY)
    assert login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 303


def test_bad_ballots_refused(small_school, login):
    s = small_school()
    poll = make_poll(s)
    other = make_poll(s, title="Другой")
    text_poll = make_poll(s, kind="text", title="Пожелания")
    client = login("parent_a")
    for data in ({"option": str(other.options[0].id)}, {"option": "abc"}, {},
                 {"option": [str(poll.options[0].id), str(poll.options[1].id)]}):
        assert client.post(f"/polls/{poll.id}/vote", data=data).status_code == 400, data
    for text in ("", "<script>alert(1)</script>", "Я" * 2001):
        response = client.post(f"/polls/{text_poll.id}/vote", data={"text": text})
        assert response.status_code == 400
        assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert counts()[1:] == (0, 0)


def test_multiple_choice(small_school, login):
    s = small_school()
    poll = make_poll(s, kind="multiple", options=("А", "Б", "В"))
    ids = [str(o.id) for o in poll.options]
    assert login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": [ids[0], ids[2]]}).status_code == 303
    answers = db.session.scalars(select(PollAnswer)).all()
    assert sorted(a.option_id for a in answers) == sorted([poll.options[0].id, poll.options[2].id])
    assert len({a.response_id for a in answers}) == 1


# --- Anonymity ----------------------------------------------------------------------------------


def test_anonymous_answers_have_no_link_to_the_voter(small_school, login, create_user):
    s = small_school()
    poll = make_poll(s, kind="text", audience=(("parents", None),))
    for who, text in (("parent_a", "Больше экскурсий"), ("parent_b", "Меньше домашних заданий")):
        assert login(who).post(f"/polls/{poll.id}/vote", data={"text": text}).status_code == 303
    columns = {c.name: c for c in PollAnswer.__table__.columns}
    assert set(columns) == {"id", "poll_id", "response_id", "option_id", "text"}
    assert not any(isinstance(c.type, DateTime) for c in columns.values())
    assert not any(fk.column.table.name in ("user", "student", "poll_vote") for fk in PollAnswer.__table__.foreign_keys)
    answers = db.session.scalars(select(PollAnswer)).all()
    assert len(answers) == 2
    for answer in answers:
        assert re.fullmatch(r"[0-9a-f]{32}", answer.id) and re.fullmatch(r"[0-9a-f]{32}", answer.response_id)
    votes = db.session.scalars(select(PollVote)).all()
    assert {v.user_id for v in votes} == {s.parent_a.id, s.parent_b.id}
    assert all(v.response_id is None for v in votes)  # who voted, not what
    vote_columns = set(PollVote.__table__.columns.keys())
    assert vote_columns == {"id", "poll_id", "user_id", "key", "response_id"}
    page = login("maths").get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert "Больше экскурсий" in page and "Петрова" not in page and "Сидорова" not in page


def test_named_poll_shows_who_answered(small_school, login):
    s = small_school()
    poll = make_poll(s, kind="text", anonymous=False)
    client = login("parent_a")
    assert "Опрос именной." in client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert client.post(f"/polls/{poll.id}/vote", data={"text": "Суббота, 1 < 2"}).status_code == 303
    page = login("maths").get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert "Петрова Елена" in page
    assert "Суббота, 1 &lt; 2" in page  # escaped, not raw


# --- Results ------------------------------------------------------------------------------------


def _vote_many(s, poll, login, create_user, create_student, n):
    for i in range(n):
        parent = create_user(s.school, "parent", login=f"p{poll.id}_{i}")
        create_student(s.school, s.class_5a, f"Ученик{i}", "Тест", parents=[parent], with_login=False)
    db.session.commit()
    for i in range(n):
        option = poll.options[i % len(poll.options)]
        assert login(f"p{poll.id}_{i}").post(f"/polls/{poll.id}/vote", data={"option": str(option.id)}).status_code == 303


def test_results_chart_table_and_xlsx(small_school, login, create_user, create_student):
    s = small_school()
    poll = make_poll(s, options=("Суббота", "=SUM(A1)"))
    _vote_many(s, poll, login, create_user, create_student, 3)
    for who in ("maths", "director", "deputy"):
        page = login(who).get(f"/polls/{poll.id}/results")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'src="data:image/svg+xml;base64,' in html and "<script" not in html.split("<body", 1)[1].split("</body>")[0]
        assert re.search(r"Суббота</th><td class=\"num\">2</td>", html)
        assert "Ответили: 3" in html
    response = login("maths").get(f"/polls/{poll.id}/results.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = [list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert ["Суббота", 2, pytest.approx(66.7)] in rows
    assert ["'=SUM(A1)", 1, pytest.approx(33.3)] in rows  # a formula stays text
    for who in ("russian", "methodist", "admin", "primary"):
        assert login(who).get(f"/polls/{poll.id}/results").status_code == 404
        assert login(who).get(f"/polls/{poll.id}/results.xlsx").status_code == 404


def test_results_page_queries_bounded(small_school, login, create_user, create_student, count_queries):
    s = small_school()
    small, large = make_poll(s, title="Малый"), make_poll(s, title="Большой", options=("А", "Б", "В", "Г"))
    _vote_many(s, small, login, create_user, create_student, 1)
    _vote_many(s, large, login, create_user, create_student, 8)
    client = login("director")
    measured = []
    for poll in (small, large):
        with count_queries() as counter:
            assert client.get(f"/polls/{poll.id}/results").status_code == 200
        measured.append(counter.count)
    assert measured[0] == measured[1] and measured[1] <= 20, measured


def test_lists_queries_bounded(small_school, login, count_queries):
    s = small_school()
    make_poll(s, title="Первый")
    director, parent = login("director"), login("parent_a")
    measured = []
    for n in (1, 6):
        while db.session.scalar(select(func.count()).select_from(Poll)) < n:
            make_poll(s, title=f"Опрос {n}", audience=(("class_parents", "5a"), ("parents", None)))
        row = []
        for client in (director, parent):
            with count_queries() as counter:
                page = client.get("/polls/")
            assert page.status_code == 200
            row.append(counter.count)
        measured.append(row)
    assert measured[0] == measured[1], measured
    assert max(measured[1]) <= 20


def test_my_polls_linked_from_the_sections(small_school, login):
    small_school()
    assert 'href="/polls/"' in login("parent_a").get("/").get_data(as_text=True)


def test_named_choice_poll_lists_who_chose_what(small_school, login):
    s = small_school()
    poll = make_poll(s, kind="multiple", anonymous=False, options=("А", "Б", "В"))
    ids = [str(o.id) for o in poll.options]
    assert login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": [ids[0], ids[2]]}).status_code == 303
    assert db.session.scalars(select(PollVote.response_id)).one() is not None
    html = login("maths").get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert re.search(r"<td>Петрова Елена[^<]*</td><td>А; В</td>", html)
    rows = [list(r) for r in load_workbook(io.BytesIO(login("maths").get(f"/polls/{poll.id}/results.xlsx").data))
            .active.iter_rows(values_only=True)]
    assert any(r[0].startswith("Петрова Елена") and r[1] == "А; В" for r in rows if r and isinstance(r[0], str))


def test_anonymous_choice_poll_lists_nobody(small_school, login):
    s = small_school()
    poll = make_poll(s)
    assert login("parent_a").post(f"/polls/{poll.id}/vote", data={"option": str(poll.options[0].id)}).status_code == 303
    html = login("maths").get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert "Петрова" not in html and "Кто как ответил" not in html
