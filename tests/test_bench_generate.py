"""The benchmark's data generator runs on the current schema (it broke silently once a table
without an `id` column — the access log's head — joined the models)."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_generator_builds_a_small_school_on_a_fresh_database(tmp_path):
    db = tmp_path / "bench.sqlite"
    result = subprocess.run([sys.executable, "-m", "bench", "generate", "--students", "100",
                             "--database-url", f"sqlite:///{db}"], cwd=ROOT, capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM student").fetchone()[0] == 100
        assert connection.execute("SELECT count(*) FROM mark").fetchone()[0] > 0
