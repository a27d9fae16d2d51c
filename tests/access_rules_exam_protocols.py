"""Access rules of the kept state exam protocols (blueprints/reports/exams.py, ARC-2, 001:2.8.5):
the exam office downloads the file as it was imported."""
from __future__ import annotations

import os

from tests.access import Rule
from tests.access_rules_exams import EXAM_OFFICE


def _protocol(s) -> str:
    from flask import current_app
    from sqlalchemy import select

    from blueprints.archive.retention_records import EXAM_PROTOCOL_SUBFOLDER
    from extensions import db
    from models.year_archive import StateExamProtocolFile

    protocol = db.session.scalar(select(StateExamProtocolFile).where(StateExamProtocolFile.school_id == s.school.id))
    if protocol is None:
        protocol = StateExamProtocolFile(school_id=s.school.id, year_id=s.year.id, kinds="oge",
                                         stored_name="matrix-protocol.csv", original_name="protocol.csv",
                                         content_type="text/csv", size=4, sha256="0" * 64, status="kept")
        db.session.add(protocol)
        db.session.commit()
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], EXAM_PROTOCOL_SUBFOLDER)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, protocol.stored_name), "w", encoding="utf-8") as f:
        f.write("a;b\n")
    return f"/reports/exams/protocols/{protocol.id}"


RULES = [
    Rule("GET", "/reports/exams/protocols/<int:protocol_id>", EXAM_OFFICE, _protocol),
]
