"""Distance assignments (JRN-10): given for a topic of the plan with a deadline in the school's
timezone; submissions after it are late; the teacher's mark lands in the grid cell of the
topic's first lesson through the grid's rules (scale, absence, history «через задание»); bad
input and forged ids are refused and nothing is stored."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from blueprints.assignments import operations as ops
from blueprints.journal import operations as journal
from extensions import db
from models import JournalChange, Mark, PlanItem, WorkKind
from models.assignments import DistanceAssignment, DistanceAssignmentFile, DistanceSubmission
from models.base import utcnow
from tests.clock import school_date

PDF = b"%PDF-1.4 work"


@pytest.fixture
def school(app, small_school):
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind).where(WorkKind.school_id == s.school.id))}
    s.topic = PlanItem(assignment_id=s.maths_5a.id, number=801, topic="Сложение дробей", hours=2)
    db.session.add(s.topic)
    db.session.commit()
    s.pupil = s.pupils_5a[0]
    return s


def _give(s, *, assessment="mark", due=None, lesson=None):
    item = DistanceAssignment(school_id=s.school.id, assignment_id=s.maths_5a.id,
                              plan_item_id=None if lesson else s.topic.id, lesson_id=lesson.id if lesson else None,
                              work_kind_id=s.kinds["independent"].id, title="Дроби", text="Решите №1",
                              due_at=due or utcnow() + timedelta(days=1), assessment=assessment,
                              created_by_id=s.maths_teacher.id)
    db.session.add(item)
    db.session.commit()
    return item


def _lesson(s, day, number=1):
    lesson = journal.create_lesson(s.maths_5a, s.maths_teacher, day, number, s.topic.topic, [s.kinds["oral"]])
    lesson.plan_item_id = s.topic.id
    db.session.commit()
    return lesson


def _submit(client, item, student, text="Ответ", files=None):
    data = {"text": text}
    if files:
        data["files"] = files
    return client.post(f"/assignments/{item.id}/students/{student.id}/submit", data=data,
                       content_type="multipart/form-data")


def _review(client, item, student, **data):
    return client.post(f"/assignments/{item.id}/students/{student.id}/review", data=data)


def _rows(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- Giving an assignment --------------------------------------------------------------------

def test_the_teacher_gives_an_assignment_with_a_file_and_a_deadline_in_the_school_timezone(client, auth, school):
    s = school
    auth.login("maths")
    response = client.post(f"/assignments/journals/{s.maths_5a.id}/new", data={
        "title": "Дроби", "text": "Решите задачи", "topic": f"p{s.topic.id}", "work_kind_id": str(s.kinds["test"].id),
        "due_date": "2030-03-01", "due_time": "18:00", "assessment": "mark",
        "files": [(io.BytesIO(PDF), "task.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.session.scalar(select(DistanceAssignment))
    assert (item.title, item.plan_item_id, item.work_kind_id) == ("Дроби", s.topic.id, s.kinds["test"].id)
    # 18:00 in Moscow (the school's timezone) is 15:00 UTC
    due = item.due_at if item.due_at.tzinfo else item.due_at.replace(tzinfo=timezone.utc)
    assert due == datetime(2030, 3, 1, 15, 0, tzinfo=timezone.utc)
    [material] = db.session.scalars(select(DistanceAssignmentFile)).all()
    assert material.submission_id is None and material.file_name == "task.pdf"
    # the student downloads it
    auth.logout()
    auth.login(s.pupil.user)
    page = client.get(f"/assignments/{item.id}/students/{s.pupil.id}").get_data(as_text=True)
    assert "18:00" in page and "01.03.2030" in page and "task.pdf" in page
    download = client.get(f"/assignments/{item.id}/files/{material.id}")
    assert download.status_code == 200 and download.data == PDF


@pytest.mark.parametrize("field, value, status", [
    ("title", "<script>alert(1)</script>", 400),
    ("text", "Смотрите <img src=x onerror=alert(1)>", 400),
    ("text", "а" * 5001, 413),
    ("title", "", 400),
    ("assessment", "pass_fail", 400),  # the journal is on the five-point scale
    ("topic", "p999999", 404),
    ("work_kind_id", "999999", 404),
    ("due_date", "", 400),
])
def test_bad_input_of_an_assignment_is_refused_and_nothing_is_stored(client, auth, school, field, value, status):
    s = school
    auth.login("maths")
    data = {"title": "Дроби", "text": "т", "topic": f"p{s.topic.id}", "work_kind_id": str(s.kinds["test"].id),
            "due_date": "2030-03-01", "due_time": "18:00", "assessment": "mark", field: value}
    response = client.post(f"/assignments/journals/{s.maths_5a.id}/new", data=data)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert _rows(DistanceAssignment) == 0


def test_a_renamed_or_oversized_file_is_refused(client, app, auth, school):
    s = school
    auth.login("maths")
    data = {"title": "Дроби", "topic": f"p{s.topic.id}", "work_kind_id": str(s.kinds["test"].id),
            "due_date": "2030-03-01", "due_time": "18:00", "assessment": "mark"}
    renamed = client.post(f"/assignments/journals/{s.maths_5a.id}/new", data={
        **data, "files": [(io.BytesIO(b"MZ\x90\x00program"), "task.pdf")]}, content_type="multipart/form-data")
    assert renamed.status_code == 400 and "не похоже на PDF" in renamed.get_data(as_text=True)
    client.application.config["ASSIGNMENT_FILE_MAX_BYTES"] = 100
    big = client.post(f"/assignments/journals/{s.maths_5a.id}/new", data={
        **data, "files": [(io.BytesIO(PDF + b"0" * 200), "task.pdf")]}, content_type="multipart/form-data")
    assert big.status_code == 413 and "слишком большой" in big.get_data(as_text=True)
    assert _rows(DistanceAssignment) == 0 and _rows(DistanceAssignmentFile) == 0


# --- Submitting --------------------------------------------------------------------------------

def test_a_submission_after_the_deadline_is_marked_late(client, auth, school):
    s = school
    on_time = _give(s)
    late = _give(s, due=utcnow() - timedelta(minutes=1))
    auth.login(s.pupil.user)
    assert _submit(client, on_time, s.pupil, files=[(io.BytesIO(PDF), "work.pdf")]).status_code == 303
    assert _submit(client, late, s.pupil).status_code == 303
    submissions = {x.distance_assignment_id: x for x in db.session.scalars(select(DistanceSubmission))}
    assert not submissions[on_time.id].is_late and submissions[late.id].is_late
    assert len(submissions[on_time.id].files) == 1
    page = client.get("/assignments/").get_data(as_text=True)
    assert "сдано с опозданием" in page and "сдано" in page


def test_the_deadline_is_compared_as_a_moment(school):
    s = school
    item = _give(s, due=datetime(2030, 3, 1, 15, 0, tzinfo=timezone.utc))
    before = ops.submit(item, s.pupil, s.pupil.user, text="а", uploads=[], files=ops.store("/tmp"),
                        now=datetime(2030, 3, 1, 14, 59, tzinfo=timezone.utc))
    assert not before.is_late
    after = ops.submit(item, s.pupil, s.pupil.user, text="б", uploads=[], files=ops.store("/tmp"),
                       now=datetime(2030, 3, 1, 15, 1, tzinfo=timezone.utc))
    assert after.is_late and after.attempts == 2


@pytest.mark.parametrize("text, status", [("<script>alert(1)</script>", 400), ("а" * 10001, 413), ("", 400)])
def test_bad_submissions_are_refused(client, auth, school, text, status):
    s = school
    item = _give(s)
    auth.login(s.pupil.user)
    response = _submit(client, item, s.pupil, text=text)
    assert response.status_code == status
    assert "<script>alert" not in response.get_data(as_text=True)
    assert _rows(DistanceSubmission) == 0


def test_only_the_student_submits_and_forged_ids_are_not_found(client, auth, school):
    s = school
    item = _give(s)
    auth.login(s.parent_a)  # a parent reads, never submits
    assert _submit(client, item, s.pupil).status_code == 403
    page = client.get(f"/assignments/{item.id}/students/{s.pupil.id}").get_data(as_text=True)
    assert "не сдано" in page and "Сдать работу" not in page
    auth.logout()
    auth.login(s.pupils_5b[0].user)  # another class
    assert client.get(f"/assignments/{item.id}/students/{s.pupils_5b[0].id}").status_code == 404
    assert client.get(f"/assignments/{item.id}/students/{s.pupil.id}").status_code == 403
    assert client.get(f"/assignments/{item.id + 999}/students/{s.pupil.id}").status_code == 404
    assert _rows(DistanceSubmission) == 0


def test_submission_files_go_only_to_the_student_the_parents_and_the_teachers(client, auth, school):
    s = school
    item = _give(s)
    other = _give(s)
    auth.login(s.pupil.user)
    _submit(client, item, s.pupil, files=[(io.BytesIO(PDF), "work.pdf")])
    [stored] = db.session.scalars(select(DistanceAssignmentFile)).all()
    url = f"/assignments/{item.id}/files/{stored.id}"
    assert client.get(url).status_code == 200
    assert client.get(f"/assignments/{other.id}/files/{stored.id}").status_code == 404  # forged pair
    for login, status in ((s.parent_a, 200), (s.maths_teacher, 200), (s.director, 200), (s.parent_b, 403),
                          (s.pupils_5a[1].user, 403), (s.russian_teacher, 403)):
        auth.logout()
        auth.login(login)
        assert client.get(url).status_code == status, login.login


# --- Reviewing: the mark lands in the grid ------------------------------------------------------

def test_the_mark_lands_in_the_first_lesson_of_the_topic_with_history(client, auth, school):
    s = school
    item = _give(s)
    first = _lesson(s, school_date(2026, 11, 23))
    _lesson(s, school_date(2026, 11, 24), 2)
    auth.login(s.pupil.user)
    _submit(client, item, s.pupil)
    auth.logout()
    auth.login("maths")
    response = _review(client, item, s.pupil, action="check", value="4", comment="Хорошо")
    assert response.status_code == 303
    mark = db.session.scalar(select(Mark).where(Mark.student_id == s.pupil.id))
    assert (mark.lesson_id, mark.value, mark.work_kind_id) == (first.id, "4", s.kinds["independent"].id)
    assert db.session.scalar(select(JournalChange.via).where(JournalChange.entity == "mark")) == "assignment"
    history = client.get(f"/journal/lessons/{first.id}/cells/{s.pupil.id}/history").get_data(as_text=True)
    assert "через задание" in history
    submission = db.session.scalar(select(DistanceSubmission))
    assert (submission.status, submission.mark_value, submission.comment) == ("checked", "4", "Хорошо")
    list_page = client.get(f"/assignments/{item.id}").get_data(as_text=True)
    assert "проверено" in list_page and "не сдано" in list_page
    # checked: the student may not resubmit
    auth.logout()
    auth.login(s.pupil.user)
    assert _submit(client, item, s.pupil, text="ещё").status_code == 409


def test_without_a_recorded_lesson_the_mark_waits_and_the_state_is_kept(client, auth, school):
    s = school
    item = _give(s)
    ops.submit(item, s.pupil, s.pupil.user, text="а", uploads=[], files=ops.store("/tmp"))
    db.session.commit()
    auth.login("maths")
    response = _review(client, item, s.pupil, action="check", value="5")
    assert response.status_code == 409 and "сначала запишите урок" in response.get_data(as_text=True)
    assert db.session.scalar(select(DistanceSubmission.status)) == "submitted"
    assert _rows(Mark) == 0


@pytest.mark.parametrize("value, message", [("6", "шкале"), ("зач", "шкале")])
def test_a_value_off_the_scale_is_refused(client, auth, school, value, message):
    s = school
    item = _give(s)
    _lesson(s, school_date(2026, 11, 23))
    ops.submit(item, s.pupil, s.pupil.user, text="а", uploads=[], files=ops.store("/tmp"))
    db.session.commit()
    auth.login("maths")
    response = _review(client, item, s.pupil, action="check", value=value)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _rows(Mark) == 0 and db.session.scalar(select(DistanceSubmission.status)) == "submitted"


def test_an_absent_student_gets_no_mark_the_grid_rule_is_shown(client, auth, school):
    s = school
    item = _give(s)
    lesson = _lesson(s, school_date(2026, 11, 23))
    journal.save_cell(lesson, s.pupil, s.maths_teacher, "н", key="", base=None)
    ops.submit(item, s.pupil, s.pupil.user, text="а", uploads=[], files=ops.store("/tmp"))
    db.session.commit()
    auth.login("maths")
    response = _review(client, item, s.pupil, action="check", value="5")
    assert response.status_code == 409 and "Отсутствующему" in response.get_data(as_text=True)
    assert _rows(Mark) == 0 and db.session.scalar(select(DistanceSubmission.status)) == "submitted"


def test_return_for_rework_then_resubmit_then_check_without_a_mark(client, auth, school):
    s = school
    item = _give(s, assessment="none")
    ops.submit(item, s.pupil, s.pupil.user, text="а", uploads=[], files=ops.store("/tmp"))
    db.session.commit()
    auth.login("maths")
    assert _review(client, item, s.pupil, action="return", comment="").status_code == 400
    assert _review(client, item, s.pupil, action="return", comment="<b>x</b>").status_code == 400
    assert _review(client, item, s.pupil, action="return", comment="Добавьте решение").status_code == 303
    auth.logout()
    auth.login(s.parent_a)
    page = client.get("/assignments/").get_data(as_text=True)
    assert "на доработке" in page
    auth.logout()
    auth.login(s.pupil.user)
    assert "Добавьте решение" in client.get(f"/assignments/{item.id}/students/{s.pupil.id}").get_data(as_text=True)
    assert _submit(client, item, s.pupil, text="Исправил").status_code == 303
    auth.logout()
    auth.login("maths")
    assert _review(client, item, s.pupil, action="check", comment="Принято").status_code == 303
    submission = db.session.scalar(select(DistanceSubmission))
    assert (submission.status, submission.attempts, submission.mark_value) == ("checked", 2, "")
    assert _rows(Mark) == 0  # "без отметки": nothing lands in the grid


def test_only_the_teacher_of_the_journal_reviews(client, auth, school):
    s = school
    item = _give(s)
    ops.submit(item, s.pupil, s.pupil.user, text="а", uploads=[], files=ops.store("/tmp"))
    db.session.commit()
    for login in (s.director, s.russian_teacher, s.pupil.user):
        auth.login(login)
        assert _review(client, item, s.pupil, action="return", comment="x").status_code == 403
        auth.logout()
    assert db.session.scalar(select(DistanceSubmission.status)) == "submitted"


# --- Bounded lists ------------------------------------------------------------------------------

def test_the_lists_do_not_grow_with_assignments_and_students(client, auth, school, count_queries):
    s = school
    item = _give(s)
    for pupil in s.pupils_5a[:1]:
        ops.submit(item, pupil, pupil.user, text="а", uploads=[], files=ops.store("/tmp"))
    db.session.commit()

    def measure(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    auth.login("maths")
    class_few, teacher_few = measure(f"/assignments/{item.id}"), measure("/assignments/")
    auth.logout()
    auth.login(s.parent_a)
    family_few = measure("/assignments/")
    auth.logout()
    for _ in range(4):
        more = _give(s)
        for pupil in s.pupils_5a:
            ops.submit(more, pupil, pupil.user, text="б", uploads=[], files=ops.store("/tmp"))
    db.session.commit()
    auth.login("maths")
    assert measure(f"/assignments/{more.id}") <= class_few
    assert measure("/assignments/") <= teacher_few
    auth.logout()
    auth.login(s.parent_a)
    assert measure("/assignments/") <= family_few
