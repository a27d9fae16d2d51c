"""Access rules for the diary (blueprints/diary): a student's pages open for the student, their
parents and the staff policy.can_view_student allows (the class's teachers, the academic office,
the journal administrator; not the technical administrator); absence notes for the child's parent, the class teacher and the academic
office (DIA-5, ADM-6). The entry page /diary/ is in access_rules_core."""
from __future__ import annotations

from tests.access import OFFICE, Rule
from tests.clock import school_date

# Петров Пётр (5А): himself, his mother, the teachers of 5А and the office; not the technical
# administrator, who manages accounts and reads no diary (policy.can_view_student).
VIEW_PUPIL_5A = frozenset({"student_5a", "parent_a", "maths_teacher", "russian_teacher", "english_teacher"}) | OFFICE
NOTES_OF_5A = frozenset({"parent_a", "maths_teacher"}) | OFFICE


def _pupil(s) -> int:
    return s.pupils_5a[0].id


def _note_id(s) -> int:
    """A note of parent_a about Петров Пётр with a scanned doctor's note on disk."""
    import os

    from flask import current_app

    from extensions import db
    from models.diary import AbsenceNote

    if not hasattr(s, "_diary_note_id"):
        folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "notes")
        os.makedirs(folder, exist_ok=True)
        stored = f"access-{s.school.id}.pdf"
        with open(os.path.join(folder, stored), "wb") as f:
            f.write(b"%PDF-1.4 test")
        note = AbsenceNote(
            school_id=s.school.id, student_id=s.pupils_5a[0].id, parent_id=s.parent_a.id,
            date_from=school_date(2026, 11, 16), date_to=school_date(2026, 11, 17), reason="ill",
            file_original_name="spravka.pdf", file_stored_name=stored, file_size=13,
            file_content_type="application/pdf",
        )
        db.session.add(note)
        db.session.commit()
        s._diary_note_id = note.id
    return s._diary_note_id


def _homework_file_id(s) -> int:
    """A file of maths 5А homework given to the whole class (so to Петров Пётр), on disk."""
    import os
    from datetime import timedelta

    from flask import current_app

    from blueprints.journal import operations
    from extensions import db
    from models import Homework, HomeworkFile

    if not hasattr(s, "_diary_homework_file_id"):
        day = s.quarters[1].start_date + timedelta(days=2)
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day, 6, "Дроби")
        homework = Homework(lesson_id=lesson.id, text="Карточка")
        db.session.add(homework)
        db.session.flush()
        folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "homework")
        os.makedirs(folder, exist_ok=True)
        stored = f"diary-access-{homework.id}.pdf"
        with open(os.path.join(folder, stored), "wb") as f:
            f.write(b"%PDF-1.4 test")
        row = HomeworkFile(homework_id=homework.id, original_name="карточка.pdf", stored_name=stored,
                           size=13, content_type="application/pdf")
        db.session.add(row)
        db.session.commit()
        s._diary_homework_file_id = row.id
    return s._diary_homework_file_id



RULES = [
    Rule("GET", "/diary/students/<int:student_id>/week", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/week?date={school_date(2026, 11, 16)}"),
    Rule("GET", "/diary/students/<int:student_id>/weekly-report", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/weekly-report?date={school_date(2026, 11, 16)}"),
    Rule("GET", "/diary/students/<int:student_id>/marks", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/marks"),
    Rule("GET", "/diary/students/<int:student_id>/attendance", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/attendance"),
    Rule("GET", "/diary/students/<int:student_id>/schedule", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/schedule?date={school_date(2026, 11, 16)}"),
    Rule("GET", "/diary/students/<int:student_id>/results", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/results"),
    Rule("GET", "/diary/students/<int:student_id>/absence-notes", NOTES_OF_5A,
         lambda s: f"/diary/students/{_pupil(s)}/absence-notes"),
    Rule("POST", "/diary/students/<int:student_id>/absence-notes", frozenset({"parent_a"}),
         lambda s: f"/diary/students/{_pupil(s)}/absence-notes",
         lambda s: {"date_from": str(school_date(2026, 11, 16)), "date_to": str(school_date(2026, 11, 16)), "reason": "ill"}),
    Rule("GET", "/diary/classes/<int:class_id>/absence-notes", frozenset({"maths_teacher"}) | OFFICE,
         lambda s: f"/diary/classes/{s.class_5a.id}/absence-notes"),
    Rule("POST", "/diary/absence-notes/<int:note_id>/accept", frozenset({"maths_teacher"}),
         lambda s: f"/diary/absence-notes/{_note_id(s)}/accept"),
    Rule("POST", "/diary/absence-notes/<int:note_id>/reject", frozenset({"maths_teacher"}),
         lambda s: f"/diary/absence-notes/{_note_id(s)}/reject", lambda s: {"comment": "нет"}),
    Rule("GET", "/diary/absence-notes/<int:note_id>/file", NOTES_OF_5A,
         lambda s: f"/diary/absence-notes/{_note_id(s)}/file"),
    Rule("GET", "/diary/students/<int:student_id>/homework-files/<int:file_id>", VIEW_PUPIL_5A,
         lambda s: f"/diary/students/{_pupil(s)}/homework-files/{_homework_file_id(s)}"),
]
