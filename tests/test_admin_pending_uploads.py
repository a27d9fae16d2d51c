"""The one store of uploads waiting between their preview and their commit (imports/pending.py,
ADM-4), used by the people, subjects and timetable imports: a payload is found again only by its
token, by its own school and within a day; a cancelled or committed upload is gone."""
from __future__ import annotations

import os
import time

import pytest

from blueprints.admin.imports import pending
from blueprints.admin.imports.pending import PENDING_MAX_AGE_SECONDS, PendingUploads


@pytest.fixture
def store(app):
    with app.app_context():
        yield PendingUploads("test-uploads")


def test_a_kept_upload_is_found_by_its_token_for_its_own_school_only(store):
    token = store.save({"school_id": 1, "records": [{"a": "б"}]})
    assert store.load(token, 1) == {"school_id": 1, "records": [{"a": "б"}]}
    assert store.load(token, 2) is None


def test_a_malformed_or_unknown_token_finds_nothing(store):
    assert store.load("../../etc/passwd", 1) is None
    assert store.load("x" * 30, 1) is None


def test_an_upload_older_than_a_day_is_not_found_and_is_swept_by_the_next(store, monkeypatch):
    old = store.save({"school_id": 1})
    later = time.time() + PENDING_MAX_AGE_SECONDS + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert store.load(old, 1) is None
    store.save({"school_id": 1})
    assert not os.path.exists(store._path(old))


def test_a_deleted_upload_is_gone(store):
    token = store.save({"school_id": 1})
    store.delete(token)
    assert store.load(token, 1) is None


def test_each_import_keeps_its_uploads_apart(app):
    with app.app_context():
        token = pending.people_uploads.save({"school_id": 1})
        assert pending.subject_uploads.load(token, 1) is None
        assert pending.timetable_uploads.load(token, 1) is None
        assert pending.people_uploads.load(token, 1) == {"school_id": 1}
