"""Access rules for the student's personal-data card, its photo and extract, the scanned consent
sheet and the list of students without a valid consent (PD-1): the class teacher of the
student's class and the administrators; the scan also for the parent who signed it."""

from __future__ import annotations

from tests.access import ADMINS, Rule

P = "/personal-data"
# Петров Пётр is in 5А, whose class teacher is maths_teacher.
CARD_5A = ADMINS | {"maths_teacher"}


def _pupil(s):
    return s.pupils_5a[0].id


def _scan_url(s):
    """A recorded consent of Петров Пётр with its scanned sheet in the application's uploads."""
    from flask import current_app

    from blueprints.personal_data import operations as ops
    from extensions import db
    from tests.clock import TODAY, school_date
    from utils.uploads import Upload

    files = ops.scan_files(current_app.config["UPLOAD_FOLDER"])
    consent = ops.record_consent(
        s.pupils_5a[0], s.parent_a.id, {"6.9"}, school_date(2026, 9, 1), None, "1", s.admin, TODAY,
        confirm_replace=True, scan=Upload("sheet.pdf", "pdf", "application/pdf", b"%PDF-1.4 test"), files=files,
    )
    db.session.commit()
    return f"{P}/consents/{consent.id}/scan"


def _photo_url(s):
    """Петров Пётр with a consent to 5.2 and a photo in the application's uploads."""
    from flask import current_app

    from blueprints.personal_data import card_operations as card_ops
    from blueprints.personal_data import operations as ops
    from extensions import db
    from tests.clock import TODAY, school_date
    from utils.uploads import Upload

    pupil = s.pupils_5a[0]
    ops.record_consent(pupil, s.parent_a.id, {"5.2", "6.1"}, school_date(2026, 9, 1), None, "1", s.admin, TODAY,
                       confirm_replace=True)
    card_ops.set_photo(pupil, Upload("p.jpg", "jpg", "image/jpeg", b"\xff\xd8\xff\xe0 photo"),
                       card_ops.photo_files(current_app.config["UPLOAD_FOLDER"]), s.admin, TODAY)
    db.session.commit()
    return f"{P}/students/{pupil.id}/photo"


RULES = [
    Rule("GET", f"{P}/students/<int:student_id>/card", CARD_5A, lambda s: f"{P}/students/{_pupil(s)}/card"),
    Rule("POST", f"{P}/students/<int:student_id>/card", CARD_5A, lambda s: f"{P}/students/{_pupil(s)}/card",
         lambda s: {"card-citizenship": "РФ"}),
    Rule("POST", f"{P}/students/<int:student_id>/card/extract", CARD_5A,
         lambda s: f"{P}/students/{_pupil(s)}/card/extract",
         lambda s: {"extract-recipient": "Военкомат", "extract-purpose": "учёт"}),
    # without a consent to 5.2 the photo is refused to everyone: the allowed users get 403/404 too
    Rule("POST", f"{P}/students/<int:student_id>/photo", frozenset(), lambda s: f"{P}/students/{_pupil(s)}/photo",
         note="no consent to 5.2 in the matrix school: refused (403) to all"),
    Rule("GET", f"{P}/students/<int:student_id>/photo", CARD_5A, _photo_url),
    Rule("GET", f"{P}/consents/<int:consent_id>/scan", CARD_5A | {"parent_a"}, _scan_url),
    Rule("GET", f"{P}/consents/missing", ADMINS | {"maths_teacher", "primary_teacher"}, lambda s: f"{P}/consents/missing"),
]
