"""`flask school create` (README, «Развёртывание для района»): the first school of an empty
deployment and its director, who logs in with the printed one-time password and must change it."""
from __future__ import annotations

import re

from sqlalchemy import select

from extensions import db
from models import School, User


def _create(runner, login="ivanova"):
    return runner.invoke(args=[
        "school", "create", "--name", "МБОУ «Средняя общеобразовательная школа № 3»", "--short-name",
        "МБОУ «СОШ № 3»", "--director-login", login, "--director-name", "Иванова Анна Петровна",
    ])


def test_first_school_and_its_director_who_logs_in(app, runner, client):
    result = _create(runner)
    assert result.exit_code == 0, result.output
    password = re.search(r"One-time password \(to be changed at the first login\): (\S+)", result.output).group(1)
    school = db.session.scalar(select(School))
    director = db.session.scalar(select(User).where(User.login == "ivanova"))
    assert school.short_name == "МБОУ «СОШ № 3»" and school.director_name == "Иванова Анна Петровна"
    assert director.school_id == school.id and director.roles == frozenset({"director"})
    assert (director.last_name, director.first_name, director.middle_name) == ("Иванова", "Анна", "Петровна")
    assert director.must_change_password
    response = client.post("/auth/login", data={"login": "ivanova", "password": password})
    assert response.status_code == 302


def test_a_taken_login_is_refused_and_nothing_is_stored(app, runner):
    assert _create(runner).exit_code == 0
    result = _create(runner)
    assert result.exit_code != 0 and "already taken" in result.output
    assert len(db.session.scalars(select(School)).all()) == 1
