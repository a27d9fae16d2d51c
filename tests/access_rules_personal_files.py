"""Access rules for the personal file (REP-6, PD-8): the file page, filling a year, the extract
of current marks for a student leaving, the previous school's statement (upload, download) —
the class teacher of the student's class and the administrators; the list of files not yet
filled — class teachers (their classes) and administrators; filling everything ready at once —
the administrators."""

from __future__ import annotations

from tests.access import ADMINS, Rule

P = "/personal-data"
# Петров Пётр is in 5А, whose class teacher is maths_teacher.
FILE_5A = ADMINS | {"maths_teacher"}


def _pupil(s):
    return s.pupils_5a[0].id


def _statement_url(s):
    """Петров Пётр with a previous school's statement in the application's uploads."""
    from datetime import date

    from flask import current_app

    from blueprints.personal_data import files_operations as ops
    from extensions import db
    from tests.clock import TODAY
    from utils.uploads import Upload

    statement = ops.attach_statement(s.pupils_5a[0], Upload("v.pdf", "pdf", "application/pdf", b"%PDF-1.4 v"),
                                     "СОШ № 12", date(2026, 6, 1) if TODAY >= date(2026, 6, 1) else TODAY,
                                     ops.statement_files(current_app.config["UPLOAD_FOLDER"]), s.admin, TODAY)
    db.session.commit()
    return f"{P}/students/{_pupil(s)}/file/statements/{statement.id}"


RULES = [
    Rule("GET", f"{P}/students/<int:student_id>/file", FILE_5A, lambda s: f"{P}/students/{_pupil(s)}/file"),
    Rule("POST", f"{P}/students/<int:student_id>/file/fill", FILE_5A,
         lambda s: f"{P}/students/{_pupil(s)}/file/fill", lambda s: {"fill-year_id": str(s.year.id)},
         note="nothing is ready in the matrix school: the allowed users get 409"),
    Rule("POST", f"{P}/students/<int:student_id>/file/leaving-extract", FILE_5A,
         lambda s: f"{P}/students/{_pupil(s)}/file/leaving-extract",
         lambda s: {"extract-recipient": "Новая школа", "extract-purpose": "перевод"}),
    Rule("POST", f"{P}/students/<int:student_id>/file/statements", FILE_5A,
         lambda s: f"{P}/students/{_pupil(s)}/file/statements",
         lambda s: {"statement-issued_by": "СОШ № 12"}, note="no file: the allowed users get 400"),
    Rule("GET", f"{P}/students/<int:student_id>/file/statements/<int:statement_id>", FILE_5A, _statement_url),
    Rule("GET", f"{P}/files/unfilled", ADMINS | {"maths_teacher", "primary_teacher"}, lambda s: f"{P}/files/unfilled"),
    Rule("POST", f"{P}/files/unfilled/fill", ADMINS, lambda s: f"{P}/files/unfilled/fill", lambda s: {}),
]
