"""The hash-chained access log (PD-6, ASVS 8.3.5): `flask audit verify`, the dashboard's
incremental check and the director's access-log page."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from extensions import db
from models.pd_protection import AccessLogCheck
from models.pd_register import AccessLogEntry, AccessLogHead
from utils.pd_access import log_access, verify_chain
from utils.pd_protection import dashboard_chain_state


@pytest.fixture
def logged(small_school):
    """The small school with five entries in its access log (ids of the entries by number)."""
    s = small_school()
    for i, pupil in enumerate(s.pupils_5a[:2] * 3):
        if i == 5:
            break
        log_access(s.director, "view", f"/personal-data/students/{pupil.id}/card", [pupil.id], ["1.3", "5.1"])
    db.session.commit()
    s.entries = dict(db.session.execute(select(AccessLogEntry.seq, AccessLogEntry.id)).all())
    return s


def _raw(statement: str, params: dict) -> None:
    """Change the log behind the application's back, as someone with database access would."""
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _verify(runner):
    db.session.commit()  # the command reads what is committed, as a new process would
    return runner.invoke(args=["audit", "verify"])


def test_verify_passes_on_a_fresh_log_and_counts_the_entries(logged, runner):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
    assert f"school {logged.school.id}" in result.output and "5 entries" in result.output


def test_verify_passes_on_an_empty_database(app, runner):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "OK: 0 entries" in result.output


def test_verify_names_an_entry_edited_in_the_database(logged, runner):
    _raw("UPDATE access_log_entry SET what = 'nothing' WHERE id = :id", {"id": logged.entries[3]})
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entry no. 3 (id {logged.entries[3]})" in result.output
    assert "was changed" in result.output


def test_verify_names_an_entry_whose_students_were_edited(logged, runner):
    _raw("UPDATE access_log_entry SET student_ids = '[]' WHERE id = :id", {"id": logged.entries[2]})
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry no. 2" in result.output


def test_verify_names_a_deleted_entry_in_the_middle(logged, runner):
    _raw("DELETE FROM access_log_entry WHERE id = :id", {"id": logged.entries[2]})
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry no. 2 is missing" in result.output


def test_verify_finds_the_newest_entry_deleted(logged, runner):
    _raw("DELETE FROM access_log_entry WHERE id = :id", {"id": logged.entries[5]})
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entries after no. 4 were removed" in result.output


def test_verify_finds_an_entry_recomputed_by_hand_out_of_chain(logged, runner):
    """Rewriting an entry together with its own hash still breaks the next entry's link."""
    entry = db.session.get(AccessLogEntry, logged.entries[2])
    entry.what = "forged"
    from utils.pd_access import entry_hash

    forged = entry_hash(entry)
    db.session.rollback()
    _raw("UPDATE access_log_entry SET what = 'forged', hash = :h WHERE id = :id",
         {"h": forged, "id": logged.entries[2]})
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry no. 3" in result.output and "does not follow" in result.output


def test_the_chain_survives_the_round_trip_through_the_database(logged):
    """Timestamps (naive on SQLite, in the session's zone on PostgreSQL) and JSON lists
    hash the same after reading back."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("SET TIME ZONE 'Asia/Vladivostok'"))
        db.session.execute(text("SET TIME ZONE 'Asia/Vladivostok'"))
    db.session.expire_all()
    assert verify_chain() == []


def test_appends_continue_the_chain_after_a_commit(logged):
    log_access(logged.director, "export", "x", [logged.pupils_5a[0].id], ["*"])
    db.session.commit()
    head = db.session.get(AccessLogHead, logged.school.id)
    assert head.seq == 6
    assert verify_chain() == []


def test_demo_school_log_verifies(runner):
    result = runner.invoke(args=["demo", "--password", "demo2026"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(AccessLogEntry)) > 0
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


# The dashboard's incremental check -----------------------------------------------------------


def test_dashboard_state_moves_its_checkpoint_and_sees_new_entries(logged):
    state = dashboard_chain_state(logged.school.id)
    assert state.intact and state.entries == 5
    assert db.session.get(AccessLogCheck, logged.school.id).seq == 5
    log_access(logged.director, "view", "y", [], ["1.3"])
    state = dashboard_chain_state(logged.school.id)
    assert state.intact and state.entries == 6


@pytest.mark.parametrize("damage", ["edit_new", "edit_old", "delete_old", "delete_newest", "edit_checkpoint"])
def test_dashboard_state_finds_damage_after_a_checkpoint(logged, damage):
    sid = logged.school.id
    dashboard_chain_state(sid)  # checkpoint at 5
    log_access(logged.director, "view", "y", [], ["1.3"])
    log_access(logged.director, "view", "z", [], ["1.3"])
    db.session.commit()
    ids = dict(db.session.execute(select(AccessLogEntry.seq, AccessLogEntry.id)).all())
    statement, seq = {
        "edit_new": ("UPDATE access_log_entry SET what = 'w' WHERE id = :id", 6),
        "edit_old": ("UPDATE access_log_entry SET action = 'edit' WHERE id = :id", 3),
        "delete_old": ("DELETE FROM access_log_entry WHERE id = :id", 2),
        "delete_newest": ("DELETE FROM access_log_entry WHERE id = :id", 7),
        "edit_checkpoint": ("UPDATE access_log_entry SET ip = '1.1.1.1' WHERE id = :id", 5),
    }[damage]
    assert seq
    _raw(statement, {"id": ids[seq]})
    db.session.expire_all()
    state = dashboard_chain_state(sid)
    assert not state.intact
    expected = {"edit_new": 6, "edit_old": 3, "delete_old": 2, "delete_newest": 7, "edit_checkpoint": 5}[damage]
    assert state.problem.seq == expected


# The dashboard and the director's page ---------------------------------------------------------


def test_dashboard_shows_the_chain_intact_then_broken(logged, client, auth):
    auth.login(logged.director)
    page = client.get("/admin/").get_data(as_text=True)
    assert "цепочка хешей не нарушена" in page
    _raw("UPDATE access_log_entry SET what = 'w' WHERE id = :id", {"id": logged.entries[4]})
    page = client.get("/admin/").get_data(as_text=True)
    assert "нарушен на записи № 4" in page


def test_access_log_lists_who_opened_whose_data_and_filters(logged, client, auth, create_user):
    other = create_user(logged.school, "teacher", last_name="Чужакова")
    log_access(other, "export", "/x", [logged.pupils_5b[0].id], ["4.3"])
    db.session.commit()
    auth.login(logged.director)
    page = client.get("/personal-data/access-log").get_data(as_text=True)
    assert "Чужакова" in page and logged.pupils_5b[0].last_name in page
    by_student = client.get(f"/personal-data/access-log?student={logged.pupils_5b[0].id}").get_data(as_text=True)
    assert "/x" in by_student and "/card" not in by_student
    by_user = client.get(f"/personal-data/access-log?user={logged.director.id}").get_data(as_text=True)
    assert "/card" in by_user and "<td>/x</td>" not in by_user
    future = client.get("/personal-data/access-log?from=2999-01-01").get_data(as_text=True)
    assert "Записей нет" in future


@pytest.mark.parametrize("query", ["from=31.12.2026", "student=abc", "from=2026-12-02&to=2026-12-01"])
def test_access_log_refuses_bad_filters_in_russian(logged, client, auth, query):
    auth.login(logged.director)
    response = client.get(f"/personal-data/access-log?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_access_log_refuses_a_director_outside_the_order(small_school, client, auth, create_user):
    s = small_school()
    outsider = create_user(s.school, "director", pd_categories=())
    db.session.commit()
    auth.login(outsider)
    assert client.get("/personal-data/access-log").status_code == 403


def test_access_log_is_paged_with_bounded_queries(logged, client, auth, count_queries):
    pupils = logged.pupils_5a + logged.pupils_5b
    for i in range(120):
        log_access(logged.director, "view", f"/p{i}", [pupils[i % len(pupils)].id], ["1.3"])
    db.session.commit()
    auth.login(logged.director)
    client.get("/personal-data/access-log")
    with count_queries() as few:
        first = client.get("/personal-data/access-log")
    with count_queries() as many:
        last = client.get("/personal-data/access-log?page=3")
    assert first.status_code == last.status_code == 200
    assert "/p119" in first.get_data(as_text=True) and "/p0<" not in first.get_data(as_text=True)
    assert "/p0<" in last.get_data(as_text=True)
    assert few.count <= 20 and many.count == few.count


def test_concurrent_appends_keep_one_chain(logged, app):
    """Two processes' requests appending at once never chain to the same predecessor (the head
    is locked FOR UPDATE on PostgreSQL; SQLite serialises writers)."""
    import threading

    from models import User

    school_id, director_id = logged.school.id, logged.director.id
    db.session.commit()
    errors = []

    def append(n):
        with app.app_context():
            try:
                user = db.session.get(User, director_id)
                for i in range(n):
                    log_access(user, "view", f"/t{threading.get_ident()}/{i}", [], ["1.3"])
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append, args=(10,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db.session.expire_all()
    assert db.session.get(AccessLogHead, school_id).seq == 35
    assert verify_chain() == []
