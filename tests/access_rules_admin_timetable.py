"""Access rules for the weekly timetable (blueprints/admin/timetable.py, timetable_import.py,
issue 10): the schedule managers (director, deputy, journal administrator) and the
administrators edit the timetable and the rooms; every member of the staff (teachers, the
academic office) views and prints a class's timetable; a teacher's own timetable is printed by
the teacher, the academic office and the editors."""

from __future__ import annotations

from tests.access import ADMINS, STAFF, Rule

EDITORS = ADMINS | {"deputy"}
TEACHER_PRINT = EDITORS | {"methodist", "maths_teacher"}


def _room_id(s) -> int:
    from extensions import db
    from models import Room

    if not hasattr(s, "_tt_room_id"):
        room = Room(school_id=s.school.id, name="204", note="", is_active=True)
        db.session.add(room)
        db.session.commit()
        s._tt_room_id = room.id
    return s._tt_room_id


def _token(s) -> str:
    from blueprints.admin.timetable import operations as timetable_operations

    if not hasattr(s, "_tt_token"):
        s._tt_token = timetable_operations.save_pending({
            "school_id": s.school.id,
            "user_id": s.admin.id,
            "filename": "t.csv",
            "valid_from": "2099-01-05",
            "records": [],
            "ignored": [],
            "file_errors": [[0, "", "Файл пуст."]],
        })
    return s._tt_token


def _cell(s) -> str:
    return f"/admin/timetable/classes/{s.class_5a.id}/cells/1/2"


RULES = [
    Rule("GET", "/admin/rooms", EDITORS, lambda s: "/admin/rooms"),
    Rule("POST", "/admin/rooms", EDITORS, lambda s: "/admin/rooms", lambda s: {"name": "999"}),
    Rule("GET", "/admin/rooms/<int:room_id>/edit", EDITORS, lambda s: f"/admin/rooms/{_room_id(s)}/edit"),
    Rule("POST", "/admin/rooms/<int:room_id>/edit", EDITORS, lambda s: f"/admin/rooms/{_room_id(s)}/edit",
         lambda s: {"name": "205"}),
    Rule("POST", "/admin/rooms/<int:room_id>/deactivate", EDITORS, lambda s: f"/admin/rooms/{_room_id(s)}/deactivate"),
    Rule("POST", "/admin/rooms/<int:room_id>/activate", EDITORS, lambda s: f"/admin/rooms/{_room_id(s)}/activate"),
    Rule("GET", "/admin/timetable", STAFF, lambda s: "/admin/timetable"),
    Rule("GET", "/admin/timetable/classes/<int:class_id>", EDITORS, lambda s: f"/admin/timetable/classes/{s.class_5a.id}"),
    Rule("GET", "/admin/timetable/classes/<int:class_id>/cells/<int:weekday>/<int:number>", EDITORS, _cell),
    Rule("POST", "/admin/timetable/classes/<int:class_id>/cells/<int:weekday>/<int:number>", EDITORS, _cell,
         lambda s: {"valid_from": "2099-01-05", "assignment_1": str(s.maths_5a.id), "room_1": "0",
                    "assignment_2": "0", "room_2": "0"}),
    Rule("GET", "/admin/timetable/classes/<int:class_id>/print", STAFF,
         lambda s: f"/admin/timetable/classes/{s.class_5a.id}/print"),
    Rule("GET", "/admin/timetable/teachers/<int:teacher_id>/print", TEACHER_PRINT,
         lambda s: f"/admin/timetable/teachers/{s.maths_teacher.id}/print"),
    Rule("GET", "/admin/timetable/import", EDITORS, lambda s: "/admin/timetable/import"),
    Rule("POST", "/admin/timetable/import", EDITORS, lambda s: "/admin/timetable/import", lambda s: {}),
    Rule("GET", "/admin/timetable/import/<token>", EDITORS, lambda s: f"/admin/timetable/import/{_token(s)}"),
    Rule("POST", "/admin/timetable/import/<token>", EDITORS, lambda s: f"/admin/timetable/import/{_token(s)}"),
    Rule("POST", "/admin/timetable/import/<token>/cancel", EDITORS,
         lambda s: f"/admin/timetable/import/{_token(s)}/cancel"),
    Rule("GET", "/admin/timetable/import-sample.csv", EDITORS, lambda s: "/admin/timetable/import-sample.csv"),
]
