"""Fault injection (issue 8): the server is killed (SIGKILL, master and workers at once) in the
middle of a burst of mark saves. After a restart every save the server acknowledged (200) is
in the database with its value and its history row, no save is half stored, and the database
passes its consistency checks (SQLite: PRAGMA integrity_check and foreign_key_check;
PostgreSQL: no orphaned rows, one history row per mark). Runs on the engine under test, with
gunicorn as in production, in about ten seconds."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench import scenarios as sc
from blueprints.journal import operations
from extensions import db
from models import CellWrite, JournalChange, Mark, WorkKind
from tests.conftest import DATABASE_URL, IS_POSTGRES, PASSWORD

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 3
LESSONS = 24


class Server:
    """gunicorn with two workers on a free local port, in a process group of its own."""

    def __init__(self, tmp_path: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = dict(os.environ, DATABASE_URL=DATABASE_URL, SECRET_KEY="fault-injection", LOGIN_RATE_LIMIT="10000 per minute",
                   MAINTENANCE_FILE=str(tmp_path / "maintenance.json"), UPLOAD_FOLDER=str(tmp_path / "uploads"))
        self.log = open(tmp_path / f"gunicorn-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "--timeout", "30",
             "app:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, Path(self.log.name).read_text()
            try:
                if sc.HttpClient(self.port, timeout=5).request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no clean shutdown of anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if not self.log.closed:
            self.log.close()


@pytest.fixture
def cells(app, small_school):
    """LESSONS empty lessons of 5А mathematics with one kind of work: every save is one mark."""
    s = small_school()
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    period = s.quarters[1]
    lessons = [
        operations.create_lesson(s.maths_5a, s.maths_teacher, period.start_date + timedelta(days=i // 8), 1 + i % 8,
                                 "Дроби", [oral])
        for i in range(LESSONS)
    ]
    db.session.commit()
    result = [(lesson.id, pupil.id) for lesson in lessons for pupil in s.pupils_5a]
    ids = {"lessons": [lesson.id for lesson in lessons], "assignment": s.maths_5a.id, "teacher": s.maths_teacher.login}
    db.session.remove()
    db.engine.dispose()  # the server's processes write now
    return result, ids


def burst(port: int, ids: dict, todo: list, acknowledged: dict, stop: threading.Event, n: int) -> None:
    client = sc.HttpClient(port, timeout=10)
    sc.login(client, ids["teacher"], PASSWORD)
    sc.read_csrf(client, f"/journal/assignments/{ids['assignment']}")
    for i, (lesson_id, student_id) in enumerate(todo):
        if stop.is_set():
            return
        key, value = f"fault-{n}-{i}", "2345"[(i + n) % 4]
        try:
            r = client.request("PUT", f"/journal/lessons/{lesson_id}/cells/{student_id}",
                               {"value": value, "key": key, "reason": "после срока"}, {"HX-Request": "true"})
        except (OSError, Exception):  # the server is gone
            return
        if r.status == 200:
            acknowledged[key] = (lesson_id, student_id, value)


def test_every_acknowledged_save_survives_the_server_killed_mid_burst(app, cells, tmp_path):
    all_cells, ids = cells
    server = Server(tmp_path)
    acknowledged: dict[str, tuple[int, int, str]] = {}
    stop = threading.Event()
    share = [all_cells[n::WRITERS] for n in range(WRITERS)]
    threads = [threading.Thread(target=burst, args=(server.port, ids, share[n], acknowledged, stop, n))
               for n in range(WRITERS)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < len(all_cells) // 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # in the middle of the burst: other saves are in flight
        stop.set()
        for t in threads:
            t.join(timeout=15)
    finally:
        server.stop()
    assert 0 < len(acknowledged) < len(all_cells), "the kill did not land in the middle of the burst"

    restarted = Server(tmp_path)  # starts on what the killed one left (SQLite: recovers the WAL)
    try:
        check = sc.HttpClient(restarted.port)
        sc.login(check, ids["teacher"], PASSWORD)
        assert check.request("GET", f"/journal/assignments/{ids['assignment']}").status == 200
    finally:
        restarted.stop()

    db.session.remove()
    lessons = ids["lessons"]
    keys = set(db.session.scalars(select(CellWrite.key).where(CellWrite.lesson_id.in_(lessons))))
    marks: dict[tuple[int, int], list[str]] = {}
    for lesson_id, student_id, value in db.session.execute(
        select(Mark.lesson_id, Mark.student_id, Mark.value).where(Mark.lesson_id.in_(lessons), Mark.is_deleted.is_(False))
    ):
        marks.setdefault((lesson_id, student_id), []).append(value)
    lost = [key for key in acknowledged if key not in keys]
    wrong = [(key, cell) for key, cell in acknowledged.items() if marks.get(cell[:2]) != [cell[2]]]
    assert not lost and not wrong, (lost, wrong)
    # Nothing half stored: a stored save has its mark and its history row; a mark has one history row.
    stored_marks = sum(len(v) for v in marks.values())
    assert len(keys) == stored_marks == len(marks)
    history = db.session.scalar(select(func.count()).select_from(JournalChange).where(
        JournalChange.lesson_id.in_(lessons), JournalChange.entity == "mark"))
    assert history == stored_marks

    with db.engine.connect() as conn:
        if IS_POSTGRES:
            orphans = conn.scalar(text(
                "SELECT count(*) FROM mark m LEFT JOIN lesson l ON l.id = m.lesson_id "
                "LEFT JOIN student s ON s.id = m.student_id WHERE l.id IS NULL OR s.id IS NULL"))
            orphans += conn.scalar(text(
                "SELECT count(*) FROM journal_change c LEFT JOIN lesson l ON l.id = c.lesson_id "
                "WHERE c.lesson_id IS NOT NULL AND l.id IS NULL"))
            assert orphans == 0
        else:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
