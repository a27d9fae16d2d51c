"""A restore puts the application in maintenance (issue 8, item 13): while the marker is there,
every request that may write answers 503 with Retry-After and «Идёт восстановление из
резервной копии…», pages show it in a banner, /healthz answers 503; afterwards writes work
again. The restore command holds the marker for exactly as long as it replaces the data."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from jobs import restore as restore_module
from models import Mark, WorkKind
from tests.conftest import PASSWORD, isolated_client
from utils import maintenance

RESTORING = "Идёт восстановление из резервной копии"


@pytest.fixture
def marker(app, tmp_path):
    """Both the test's app and the client's app see one marker file in the test's folder."""
    path = str(tmp_path / "maintenance.json")
    app.config["MAINTENANCE_FILE"] = path
    return path


@pytest.fixture
def journal(app, small_school):
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, s.quarters[1].start_date, 2, "Дроби", [oral])
    db.session.commit()
    return s


@pytest.fixture
def teacher_client(make_app, marker, journal):
    client = isolated_client(make_app, MAINTENANCE_FILE=marker)
    client.post("/auth/login", data={"login": journal.maths_teacher.login, "password": PASSWORD})
    return client


def marks_of(lesson_id: int) -> list[str]:
    return list(db.session.scalars(select(Mark.value).where(Mark.lesson_id == lesson_id, Mark.is_deleted.is_(False))))


def test_during_maintenance_a_save_answers_503_with_retry_after_and_the_reason(app, teacher_client, journal):
    lesson, pupil = journal.lesson.id, journal.pupils_5a[0].id
    url = f"/journal/lessons/{lesson}/cells/{pupil}"
    with maintenance.maintenance(app, "restore", backup="20261122T230000Z"):
        refused = teacher_client.put(url, data={"value": "5", "key": "k1", "reason": "после срока"}, headers={"HX-Request": "true"})
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) > 0
        assert RESTORING in refused.get_data(as_text=True)
        assert marks_of(lesson) == []
        # a form post (a full page) too
        page = teacher_client.post(f"/journal/lessons/{lesson}/fill", data={"value": "present"})
        assert page.status_code == 503 and RESTORING in page.get_data(as_text=True)
    # the marker is gone: the same save goes through
    assert teacher_client.put(url, data={"value": "5", "key": "k1", "reason": "после срока"}, headers={"HX-Request": "true"}).status_code == 200
    assert marks_of(lesson) == ["5"]


def test_during_maintenance_pages_open_with_a_banner_that_says_why(app, teacher_client):
    assert RESTORING not in teacher_client.get("/").get_data(as_text=True)
    with maintenance.maintenance(app, "restore"):
        page = teacher_client.get("/")
        assert page.status_code == 200
        assert RESTORING in page.get_data(as_text=True) and "maintenance-banner" in page.get_data(as_text=True)


def test_during_maintenance_healthz_answers_503(app, make_app, marker):
    client = isolated_client(make_app, MAINTENANCE_FILE=marker)
    assert client.get("/healthz").status_code == 200
    with maintenance.maintenance(app, "restore"):
        response = client.get("/healthz")
        assert response.status_code == 503 and "Retry-After" in response.headers
        assert response.get_json()["problems"] == ["maintenance"]
    assert client.get("/healthz").status_code == 200


def test_the_restore_holds_the_maintenance_state_while_it_replaces_the_data(app, teacher_client, journal, marker,
                                                                              tmp_path, monkeypatch):
    app.config["BACKUP_DESTINATIONS"] = [str(tmp_path / "backups-a"), str(tmp_path / "backups-b")]
    app.config["BACKUP_VERIFY_RESTORE"] = False
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", "run"])
    assert made.exit_code == 0, made.output
    name = sorted(os.listdir(tmp_path / "backups-a"))[-1]
    url = f"/journal/lessons/{journal.lesson.id}/cells/{journal.pupils_5a[0].id}"

    seen = {}
    swap_uploads = restore_module._swap_uploads

    def spy(*args, **kwargs):  # called after the database was replaced, before the marker goes
        seen["state"] = maintenance.current(app)
        seen["save"] = teacher_client.put(url, data={"value": "4", "key": "during", "reason": "после срока"}, headers={"HX-Request": "true"}).status_code
        return swap_uploads(*args, **kwargs)

    monkeypatch.setattr(restore_module, "_swap_uploads", spy)
    db.session.remove()
    result = runner.invoke(args=["backup", "restore", name, "--yes"])
    assert result.exit_code == 0, result.output
    assert seen["state"]["reason"] == "restore" and seen["state"]["backup"] == name
    assert seen["save"] == 503
    assert maintenance.current(app) is None  # removed afterwards
    # the web process reconnects to the restored database and saves again
    assert teacher_client.put(url, data={"value": "4", "key": "after", "reason": "после срока"}, headers={"HX-Request": "true"}).status_code == 200


def test_a_failed_restore_still_leaves_maintenance(app, marker, monkeypatch):
    def broken(_app, _plan):
        assert maintenance.current(app)["reason"] == "restore"
        raise RuntimeError("disk gone")

    monkeypatch.setattr(restore_module, "_restore", broken)
    plan = restore_module.RestorePlan(folder="x", info={"name": "x"}, engine="sqlite", target="", upload_folder="")
    with pytest.raises(RuntimeError):
        restore_module.restore(app, plan)
    assert maintenance.current(app) is None
