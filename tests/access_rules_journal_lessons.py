"""Access rules for the timetable, today's lessons, the lesson record with homework and the
calendar-thematic plan (blueprints/journal/schedule.py, lessons.py, plan.py).

The objects are made on first use from small_school: a lesson of maths 5А (Числова), its
homework with a file, a plan topic and a timetable change."""
from __future__ import annotations

from tests.access import ADMINS, OFFICE, STAFF, TEACHERS, Rule
from tests.clock import school_date

LESSON_DAY = school_date(2026, 11, 20)
PDF = b"%PDF-1.4\n%%EOF\n"
# Substitutions: the director, the deputy and the journal administrator (policy.can_manage_schedule);
# neither the methodist nor the technical administrator.
MANAGERS = frozenset({"director", "deputy", "admin"})
MATHS = frozenset({"maths_teacher"})
LESSON_READERS = MATHS | OFFICE  # the teacher (also class teacher of 5А) and the academic office


def _lesson_id(s) -> int:
    from blueprints.journal import operations
    from extensions import db

    if not hasattr(s, "_jl_lesson_id"):
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, LESSON_DAY, 1, "Дроби")
        db.session.commit()
        s._jl_lesson_id = lesson.id
    return s._jl_lesson_id


def _homework_id(s) -> int:
    from extensions import db
    from models import Homework, HomeworkStudent

    if not hasattr(s, "_jl_homework_id"):
        homework = Homework(lesson_id=_lesson_id(s), text="Карточка", is_individual=True)
        homework.students = [HomeworkStudent(student_id=s.pupils_5a[0].id)]
        db.session.add(homework)
        db.session.commit()
        s._jl_homework_id = homework.id
    return s._jl_homework_id


def _file_id(s) -> int:
    import os

    from flask import current_app

    from extensions import db
    from models import HomeworkFile

    if not hasattr(s, "_jl_file_id"):
        folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "homework")
        os.makedirs(folder, exist_ok=True)
        stored = f"access-{_homework_id(s)}.pdf"
        with open(os.path.join(folder, stored), "wb") as f:
            f.write(PDF)
        row = HomeworkFile(homework_id=_homework_id(s), original_name="задание.pdf", stored_name=stored,
                           size=len(PDF), content_type="application/pdf")
        db.session.add(row)
        db.session.commit()
        s._jl_file_id = row.id
    return s._jl_file_id


def _plan_item_id(s) -> int:
    from extensions import db
    from models import PlanItem

    if not hasattr(s, "_jl_plan_item_id"):
        item = PlanItem(assignment_id=s.maths_5a.id, number=1, topic="Дроби", hours=2)
        db.session.add(item)
        db.session.commit()
        s._jl_plan_item_id = item.id
    return s._jl_plan_item_id


def _change_id(s) -> int:
    from extensions import db
    from models import ScheduleChange

    if not hasattr(s, "_jl_change_id"):
        change = ScheduleChange(school_id=s.school.id, date=LESSON_DAY, assignment_id=s.maths_5a.id,
                                kind="cancelled", lesson_number=1)
        db.session.add(change)
        db.session.commit()
        s._jl_change_id = change.id
    return s._jl_change_id


def _plan(s) -> str:
    return f"/journal/assignments/{s.maths_5a.id}/plan"


def _open_data(s) -> dict:
    return {"assignment_id": s.maths_5a.id, "date": LESSON_DAY.isoformat(), "lesson_number": 1}


def _item_data(s) -> dict:
    return {"number": "7", "topic": "Проценты", "hours": "1", "reason": "проверка доступа"}


RULES = [
    # the timetable
    Rule("GET", "/journal/schedule", STAFF, lambda s: "/journal/schedule"),
    Rule("GET", "/journal/schedule/classes/<int:class_id>",
         OFFICE | {"tech_admin", "maths_teacher", "russian_teacher", "english_teacher"},
         lambda s: f"/journal/schedule/classes/{s.class_5a.id}", note="policy.can_view_class"),
    Rule("GET", "/journal/schedule/teachers/<int:teacher_id>", MATHS | OFFICE | ADMINS,
         lambda s: f"/journal/schedule/teachers/{s.maths_teacher.id}"),
    Rule("GET", "/journal/schedule/changes", MANAGERS, lambda s: "/journal/schedule/changes"),
    Rule("POST", "/journal/schedule/changes", MANAGERS, lambda s: "/journal/schedule/changes", lambda s: {}),
    Rule("POST", "/journal/schedule/changes/<int:change_id>/delete", MANAGERS,
         lambda s: f"/journal/schedule/changes/{_change_id(s)}/delete"),
    # today's lessons and the lesson record
    Rule("GET", "/journal/today", TEACHERS | OFFICE, lambda s: "/journal/today"),
    Rule("POST", "/journal/lessons/open", MATHS, lambda s: "/journal/lessons/open", _open_data,
         note="the assignment's teacher or that date's substitute (policy.can_record_lesson)"),
    Rule("GET", "/journal/lessons/<int:lesson_id>", LESSON_READERS, lambda s: f"/journal/lessons/{_lesson_id(s)}"),
    Rule("POST", "/journal/lessons/<int:lesson_id>", MATHS, lambda s: f"/journal/lessons/{_lesson_id(s)}",
         lambda s: {"date": LESSON_DAY.isoformat(), "lesson_number": "1", "plan_item_id": "0", "topic": "x"}),
    Rule("POST", "/journal/lessons/<int:lesson_id>/homework", MATHS,
         lambda s: f"/journal/lessons/{_lesson_id(s)}/homework",
         lambda s: {"text": "x", "students": [str(s.pupils_5a[0].id)]}),
    Rule("POST", "/journal/lessons/<int:lesson_id>/homework/<int:homework_id>/delete", MATHS,
         lambda s: f"/journal/lessons/{_lesson_id(s)}/homework/{_homework_id(s)}/delete"),
    Rule("GET", "/journal/homework-files/<int:file_id>", LESSON_READERS,
         lambda s: f"/journal/homework-files/{_file_id(s)}", note="families: through the diary"),
    Rule("POST", "/journal/homework-files/<int:file_id>/delete", MATHS,
         lambda s: f"/journal/homework-files/{_file_id(s)}/delete"),
    # the calendar-thematic plan
    Rule("GET", "/journal/assignments/<int:assignment_id>/plan", LESSON_READERS, _plan),
    Rule("POST", "/journal/assignments/<int:assignment_id>/plan", MATHS, _plan, _item_data),
    Rule("POST", "/journal/assignments/<int:assignment_id>/plan/import", MATHS, lambda s: f"{_plan(s)}/import",
         lambda s: {"reason": "проверка доступа"}),
    Rule("GET", "/journal/assignments/<int:assignment_id>/plan/<int:item_id>", MATHS,
         lambda s: f"{_plan(s)}/{_plan_item_id(s)}"),
    Rule("POST", "/journal/assignments/<int:assignment_id>/plan/<int:item_id>", MATHS,
         lambda s: f"{_plan(s)}/{_plan_item_id(s)}", _item_data),
    Rule("POST", "/journal/assignments/<int:assignment_id>/plan/<int:item_id>/delete", MATHS,
         lambda s: f"{_plan(s)}/{_plan_item_id(s)}/delete", lambda s: {"reason": "проверка доступа"}),
]
