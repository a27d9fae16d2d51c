"""The weekly backup and the restore (ARC-4): the full drill on the engine under test — make a
backup into two destinations, damage the live database, restore, find the marks back — plus a
damaged copy refused, a run killed midway, a destination that fails, rotation, and the
dashboard's warning."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from blueprints.journal import operations
from extensions import db
from jobs import backup
from jobs.runner import manual_key
from models import JobRun, Mark, Student, WorkKind
from models.archive import BackupCopy
from models.base import utcnow
from tests.clock import school_date
from tests.conftest import DATABASE_URL, IS_POSTGRES, isolated_client

ROOT = Path(__file__).resolve().parent.parent
LESSON_DAY = school_date(2026, 11, 20)  # inside the second quarter of small_school


@pytest.fixture
def targets(app, tmp_path):
    paths = [str(tmp_path / "backups-a"), str(tmp_path / "backups-b")]
    app.config["BACKUP_DESTINATIONS"] = paths
    app.config["BACKUP_VERIFY_RESTORE"] = False  # PostgreSQL: the drill alone restores into a scratch database
    return paths


@pytest.fixture
def school_with_marks(app, small_school):
    s = small_school()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, LESSON_DAY, 2, "Дроби", [kinds["test"], kinds["oral"]])
    for i, (pupil, value) in enumerate(zip(s.pupils_5a, ["5/4", "3", "4/4", "2"], strict=True)):
        operations.save_cell(lesson, pupil, s.maths_teacher, value, f"key-{i}", None)
    db.session.commit()
    s.lesson = lesson
    return s


def marks_now() -> list[tuple]:
    db.session.expire_all()
    return sorted(
        tuple(row) for row in db.session.execute(select(Mark.lesson_id, Mark.student_id, Mark.work_kind_id, Mark.value)).all()
    )


def complete(path: str) -> list[str]:
    return backup.complete_backups(path)


def test_drill_backup_damage_restore_brings_the_marks_back(app, runner, targets, school_with_marks):
    app.config["BACKUP_VERIFY_RESTORE"] = True
    upload = Path(app.config["UPLOAD_FOLDER"]) / "homework" / "task.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("Упражнение 5", encoding="utf-8")
    before = marks_now()
    assert len(before) == 6

    result = runner.invoke(args=["backup", "run"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    [name] = complete(targets[0])
    assert complete(targets[1]) == [name]
    folder = os.path.join(targets[0], name)
    # the manifest is in sha256sum's format
    check = subprocess.run(["sha256sum", "-c", backup.MANIFEST], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    info = json.loads(Path(folder, backup.INFO).read_text(encoding="utf-8"))
    assert info["engine"] == ("postgresql" if IS_POSTGRES else "sqlite") and info["files"]["count"] == 1
    assert info["tables"]["mark"] == 6 and info["tables"]["school"] == 1  # counted in the copy (PostgreSQL: restored)
    copies = db.session.scalars(select(BackupCopy).order_by(BackupCopy.id)).all()
    assert [c.verified for c in copies] == [True, True]
    assert {c.destination for c in copies} == set(targets) and copies[0].sha256 == info["database"]["sha256"]

    listed = runner.invoke(args=["backup", "list"])
    rows = [line for line in listed.output.splitlines() if line.startswith(name)]
    assert len(rows) == 2 and all("verified" in row for row in rows)

    # Damage: a table dropped, rows overwritten, an uploaded file lost.
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE mark"))
        conn.execute(text("UPDATE student SET last_name = 'Испорчено'"))
        conn.execute(text("DELETE FROM cell_write"))
    upload.unlink()
    db.session.remove()

    refused = runner.invoke(args=["backup", "restore", name], input="n\n")
    assert refused.exit_code != 0 and "mark" in refused.output  # shows what will be replaced, then asks
    with db.engine.connect() as conn:
        assert "mark" not in inspect(conn).get_table_names()  # answering "no" changes nothing

    restored = runner.invoke(args=["backup", "restore", name, "--yes"])
    assert restored.exit_code == 0, restored.output
    assert marks_now() == before
    assert "Испорчено" not in {s.last_name for s in db.session.scalars(select(Student))}
    assert upload.read_text(encoding="utf-8") == "Упражнение 5"
    with db.engine.connect() as conn:  # every table of the schema is back for the next tests
        assert set(db.metadata.tables) <= set(inspect(conn).get_table_names())
    # the restored database knows its backup as the last good one
    status = backup.backup_status()
    assert not status.problems and status.last_good_name == name


def test_a_damaged_copy_is_refused(app, runner, targets, school_with_marks):
    run = backup.run_scheduled(app, manual_key(), trigger="cli")
    assert run.status == "succeeded"
    [name] = complete(targets[0])
    database_file = "database.dump" if IS_POSTGRES else "database.sqlite3"
    for destination in targets:  # flip one byte in the middle of the database copy
        path = Path(destination, name, database_file)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    before = marks_now()
    db.session.commit()
    result = runner.invoke(args=["backup", "restore", name, "--yes"])
    assert result.exit_code != 0 and "damaged" in result.output and "checksum mismatch" in result.output
    result = runner.invoke(args=["backup", "restore", os.path.join(targets[0], name), "--yes"])
    assert result.exit_code != 0 and "damaged" in result.output
    assert marks_now() == before
    assert "DAMAGED" in runner.invoke(args=["backup", "list", "--check"]).output


def test_with_one_copy_damaged_the_other_destination_is_used(app, runner, targets, school_with_marks):
    backup.run_scheduled(app, manual_key(), trigger="cli")
    [name] = complete(targets[0])
    Path(targets[0], name, backup.FILES_ARCHIVE).write_bytes(b"broken")
    db.session.commit()
    result = runner.invoke(args=["backup", "restore", name, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Skipped damaged copy" in result.output and os.path.join(targets[1], name) in result.output


def test_a_backup_killed_midway_leaves_nothing_that_looks_complete(app, targets, school_with_marks, tmp_path):
    db.session.commit()
    config = {
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "SECRET_KEY": "test",
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "BACKUP_DESTINATIONS": targets,
        "BACKUP_VERIFY_RESTORE": False,
    }
    script = (
        "import json, sys\n"
        "from app import create_app\n"
        "from jobs.backup import run_scheduled\n"
        "from jobs.runner import manual_key\n"
        "app = create_app(json.loads(sys.argv[1]))\n"
        "with app.app_context():\n"
        "    run_scheduled(app, manual_key(), trigger='cli')\n"
    )
    env = {**os.environ, "BACKUP_TEST_PAUSE_SECONDS": "120"}
    process = subprocess.Popen([sys.executable, "-c", script, json.dumps(config)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        written = []
        while not written and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            if os.path.isdir(targets[0]):
                written = [n for n in os.listdir(targets[0]) if n.startswith(backup.INCOMPLETE_PREFIX)
                           and os.path.isfile(os.path.join(targets[0], n, backup.MANIFEST))]
        assert written, "the backup never reached the pause before the rename"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert complete(targets[0]) == [] and complete(targets[1]) == []
    assert backup.list_backups(targets) == []
    leftover = os.path.join(targets[0], written[0])
    assert backup.find_backup(targets, leftover) == []  # not restorable even by its path
    assert backup.find_backup(targets, written[0][len(backup.INCOMPLETE_PREFIX):]) == []

    run = backup.run_scheduled(app, manual_key(), trigger="cli")
    assert run.status == "succeeded"
    for destination in targets:
        assert [n for n in os.listdir(destination) if n.startswith(".incomplete-")] == []
        assert len(complete(destination)) == 1


def test_an_unwritable_destination_makes_the_run_partial_and_warns(app, make_app, targets, school_with_marks, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the mount should be")
    app.config["BACKUP_DESTINATIONS"] = [targets[0], str(blocker / "backups")]
    run = backup.run_scheduled(app, manual_key(), trigger="cli")
    assert run.status == "partial" and run.done == 1 and run.failed == 1
    copies = db.session.scalars(select(BackupCopy).order_by(BackupCopy.id)).all()
    assert [c.verified for c in copies] == [True, False] and copies[1].error
    assert len(complete(targets[0])) == 1

    status = backup.backup_status()
    assert [code for code, _p in status.problems] == ["none", "failed_destinations"]
    client = isolated_client(make_app)
    client.post("/auth/login", data={"login": "admin", "password": "Parol-2026"})
    page = client.get("/").get_data(as_text=True)
    assert "не удалось записать копию" in page and str(blocker) in page
    assert "не удалось записать копию" in client.get("/admin/backups").get_data(as_text=True)


def _recorded_backup(days_ago: int) -> None:
    at = utcnow() - timedelta(days=days_ago)
    run = JobRun(job_id=backup.JOB_ID, scheduled_for=at, trigger="schedule", status="succeeded", started_at=at,
                 finished_at=at, total=2, done=2)
    db.session.add(run)
    db.session.flush()
    for destination in ("/mnt/a", "/mnt/b"):
        db.session.add(BackupCopy(job_run_id=run.id, destination=destination, folder=at.strftime(backup.NAME_FORMAT),
                                  engine="sqlite", size=1000, sha256="0" * 64, verified=True, created_at=at))
    db.session.commit()


def test_dashboard_warns_when_the_last_good_backup_is_nine_days_old(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    assert "Резервных копий ещё нет" in client.get("/").get_data(as_text=True)
    _recorded_backup(days_ago=9)
    page = client.get("/").get_data(as_text=True)
    assert "backup-warning" in page and "9 дн. назад" in page
    _recorded_backup(days_ago=1)
    assert "backup-warning" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(s.maths_teacher)  # not an administrator: no backup state at all
    _recorded_backup(days_ago=20)
    assert "backup-warning" not in client.get("/").get_data(as_text=True)


def test_rotation_keeps_the_newest_and_one_per_month():
    names = [d + "T020000Z" for d in ("20260105", "20260120", "20260203", "20260217", "20260303", "20260317", "20260331")]
    assert backup.names_to_keep(names, keep_weekly=2, keep_monthly=3) == {
        "20260331T020000Z", "20260317T020000Z", "20260217T020000Z", "20260120T020000Z",
    }
    assert backup.names_to_keep(names, keep_weekly=0, keep_monthly=0) == {"20260331T020000Z"}  # the newest, always
    weekly = [(datetime(2025, 1, 5, tzinfo=timezone.utc) + timedelta(weeks=w)).strftime(backup.NAME_FORMAT) for w in range(80)]
    kept = backup.names_to_keep(weekly, keep_weekly=8, keep_monthly=12)
    newest_8 = sorted(weekly)[-8:]
    months = sorted({n[:6] for n in weekly})[-12:]
    per_month = {max(n for n in weekly if n[:6] == m) for m in months}
    assert kept == set(newest_8) | per_month


def test_rotation_touches_only_complete_backup_folders(tmp_path):
    def make(name, manifest=True):
        folder = tmp_path / name
        folder.mkdir()
        if manifest:
            (folder / backup.MANIFEST).write_text("")
            (folder / backup.INFO).write_text("{}")

    for name in ("20260105T020000Z", "20260112T020000Z", "20260119T020000Z"):
        make(name)
    make("20250101T020000Z", manifest=False)  # not a finished backup: never touched
    make("photos")  # someone else's folder
    removed = backup.rotate(str(tmp_path), keep_weekly=1, keep_monthly=0)
    assert removed == ["20260112T020000Z", "20260105T020000Z"]
    assert sorted(os.listdir(tmp_path)) == ["20250101T020000Z", "20260119T020000Z", "photos"]


def test_admin_starts_a_backup_by_hand_with_confirmation(app, make_app, targets, small_school):
    s = small_school()
    client = isolated_client(make_app, BACKUP_DESTINATIONS=targets, BACKUP_VERIFY_RESTORE=False)
    client.post("/auth/login", data={"login": s.admin.login, "password": "Parol-2026"})
    page = client.get("/admin/backups").get_data(as_text=True)
    assert "flask --app app backup restore" in page and "Запустить резервное копирование" in page
    refused = client.post("/admin/backups/run", data={})
    assert refused.status_code == 400 and "Подтвердите запуск" in refused.get_data(as_text=True)
    started = client.post("/admin/backups/run", data={"confirm": "y"})
    assert started.status_code == 303
    client.application.extensions["backup_thread"].join(timeout=120)
    db.session.expire_all()
    run = db.session.scalar(select(JobRun).where(JobRun.job_id == backup.JOB_ID))
    assert run.status == "succeeded" and run.trigger == "admin" and run.started_by_id == s.admin.id
    assert all(len(complete(t)) == 1 for t in targets)
    page = client.get("/admin/backups").get_data(as_text=True)
    assert "backup-warning" not in page and "проверена" in page


def test_the_backup_job_is_registered_with_the_scheduler(runner):
    import jobs.catalogue  # noqa: F401
    from jobs.scheduler import JOBS

    assert JOBS["weekly_backup"] == ("jobs.backup:run_scheduled", "BACKUP_CRON")
