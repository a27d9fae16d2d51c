"""Access rules of distance assignments (JRN-10, blueprints/assignments): the teacher of the
journal gives and reviews; the class teacher and the academic office see the class list; the
student submits their own work; parents read their child's; files to the same people."""
from tests.access import EVERYONE, OFFICE, Rule

LIST = OFFICE | {"maths_teacher"}  # maths 5А: its teacher is also the class teacher of 5А
WORK = LIST | {"student_5a", "parent_a"}


def distance_assignment(s):
    """A maths 5А assignment on a plan topic with a material file and Петров's submission
    with a file, made once per school."""
    existing = getattr(s, "distance_assignment", None)
    if existing is not None:
        return existing
    from datetime import timedelta

    from extensions import db
    from models import PlanItem, WorkKind
    from models.assignments import DistanceAssignment, DistanceAssignmentFile, DistanceSubmission
    from models.base import utcnow

    item = PlanItem(assignment_id=s.maths_5a.id, number=901, topic="Дроби (задание)", hours=1)
    db.session.add(item)
    db.session.flush()
    kind = db.session.query(WorkKind).filter_by(school_id=s.school.id, code="independent").one()
    da = DistanceAssignment(school_id=s.school.id, assignment_id=s.maths_5a.id, plan_item_id=item.id,
                            work_kind_id=kind.id, title="Дроби", text="Решите", due_at=utcnow() + timedelta(days=2),
                            assessment="mark", created_by_id=s.maths_teacher.id)
    db.session.add(da)
    db.session.flush()
    sub = DistanceSubmission(school_id=s.school.id, distance_assignment_id=da.id, student_id=s.pupils_5a[0].id,
                             text="Ответ")
    db.session.add(sub)
    db.session.flush()
    db.session.add(DistanceAssignmentFile(distance_assignment_id=da.id, file_path="missing.pdf",
                                          file_name="m.pdf", file_mime="application/pdf"))
    db.session.add(DistanceAssignmentFile(distance_assignment_id=da.id, submission_id=sub.id,
                                          file_path="missing2.pdf", file_name="w.pdf", file_mime="application/pdf"))
    db.session.commit()
    from flask import current_app

    from blueprints.assignments.operations import store
    from utils.uploads import Upload

    files = store(current_app.config["UPLOAD_FOLDER"])
    for row in db.session.query(DistanceAssignmentFile).filter_by(distance_assignment_id=da.id):
        row.file_path = files.write(Upload(row.file_name, "pdf", "application/pdf", b"%PDF-1.4 test"))
    db.session.commit()
    s.distance_assignment = da
    s.da_files = sorted(f.id for f in db.session.query(DistanceAssignmentFile).filter_by(distance_assignment_id=da.id))
    return da


def _work(s):
    return f"/assignments/{distance_assignment(s).id}/students/{s.pupils_5a[0].id}"


RULES = [
    Rule("GET", "/assignments/", EVERYONE, lambda s: "/assignments/"),
    Rule("GET", "/assignments/journals/<int:assignment_id>/new", frozenset({"maths_teacher"}),
         lambda s: f"/assignments/journals/{s.maths_5a.id}/new"),
    Rule("POST", "/assignments/journals/<int:assignment_id>/new", frozenset({"maths_teacher"}),
         lambda s: f"/assignments/journals/{s.maths_5a.id}/new",
         lambda s: {"title": "Задание", "topic": f"l{0}", "work_kind_id": "", "due_date": "2030-01-01",
                    "due_time": "18:00", "assessment": "mark", "text": "т",
                    **_plan_topic(s)}),
    Rule("GET", "/assignments/<int:item_id>", LIST, lambda s: f"/assignments/{distance_assignment(s).id}"),
    Rule("GET", "/assignments/<int:item_id>/students/<int:student_id>", WORK, _work),
    Rule("POST", "/assignments/<int:item_id>/students/<int:student_id>/submit", frozenset({"student_5a"}),
         lambda s: _work(s) + "/submit", lambda s: {"text": "Мой ответ"}),
    Rule("POST", "/assignments/<int:item_id>/students/<int:student_id>/review", frozenset({"maths_teacher"}),
         lambda s: _work(s) + "/review", lambda s: {"action": "return", "comment": "Доработать"}),
    Rule("GET", "/assignments/<int:item_id>/files/<int:file_id>", WORK,
         lambda s: f"/assignments/{distance_assignment(s).id}/files/{s.da_files[0]}",
         note="the teacher's material"),
]


def _plan_topic(s):
    from extensions import db
    from models import WorkKind

    distance_assignment(s)
    kind = db.session.query(WorkKind).filter_by(school_id=s.school.id, code="independent").one()
    return {"topic": f"p{s.distance_assignment.plan_item_id}", "work_kind_id": str(kind.id)}
