"""Use cases of distance assignments (JRN-10): give an assignment (text, files, deadline in the
school's timezone, assessment form), submit and resubmit a student's work (late ones marked
late), review it: a comment, a return for rework, or the result — a mark lands in the grid's
cell of the lesson of the topic through the journal's own rules (set_work_mark, history
«через задание»). Operations flush; the view commits."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.journal.operations import set_work_mark
from domain.grading import NO_MARKS, SCALES
from domain.messages import N_, Refusal
from extensions import db
from models import Lesson, PlanItem, Student, SubgroupMember, TeachingAssignment, User, WorkKind
from models.assignments import DistanceAssignment, DistanceAssignmentFile, DistanceSubmission
from models.base import utcnow
from utils.uploads import Upload, UploadStore, check_upload

SUBFOLDER = "distance_assignments"
FILE_KINDS = ("pdf", "jpg", "jpeg", "png", "docx", "odt")
MAX_FILES = 5
TITLE_MAX = 200
TEXT_MAX = 5000
ANSWER_MAX = 10000
COMMENT_MAX = 2000
# a tag, a comment or a doctype: the fields take plain text only
MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")

STATUS_LABELS = {
    None: N_("не сдано"),
    "submitted": N_("сдано"),
    "late": N_("сдано с опозданием"),
    "returned": N_("на доработке"),
    "checked": N_("проверено"),
}
ASSESSMENT_LABELS = {
    "mark": N_("отметка по шкале журнала"),
    "pass_fail": N_("зачёт / незачёт"),
    "none": N_("без отметки"),
}


class AssignmentRefusal(Refusal):
    """Bad input or a state that does not allow the change."""


def store(folder: str) -> UploadStore:
    return UploadStore(folder, SUBFOLDER)


def status_key(submission: DistanceSubmission | None) -> str | None:
    """The status a student, a parent and the teacher see."""
    if submission is None:
        return None
    if submission.status == "submitted" and submission.is_late:
        return "late"
    return submission.status


def plain_text(value: str | None, limit: int, label: str, *, required: bool = False) -> str:
    """A text field: plain text within its limit, never HTML (refused, nothing stored)."""
    value = (value or "").strip()
    if required and not value:
        raise AssignmentRefusal(N_("Заполните поле «%(field)s»."), 400, field=label)
    if len(value) > limit:
        raise AssignmentRefusal(N_("Поле «%(field)s» слишком длинное: не больше %(n)s знаков."), 413,
                                field=label, n=limit)
    if MARKUP.search(value):
        raise AssignmentRefusal(N_("Поле «%(field)s» не должно содержать HTML-разметку или скрипты."), 400,
                                field=label)
    return value


def check_files(storages, max_size: int | None) -> list[Upload]:
    """Every chosen file through the one upload check (size, kind by its first bytes)."""
    uploads = [u for u in (check_upload(s, max_size, FILE_KINDS, N_(
        "Файл «%(name)s» не принят: можно приложить PDF, JPG, PNG, DOCX или ODT.")) for s in storages or []) if u]
    if len(uploads) > MAX_FILES:
        raise AssignmentRefusal(N_("Не больше %(n)s файлов за раз."), 400, n=MAX_FILES)
    return uploads


def _attach(files: UploadStore, uploads: list[Upload], distance_assignment: DistanceAssignment, user: User,
            submission: DistanceSubmission | None = None) -> None:
    for upload in uploads:
        db.session.add(DistanceAssignmentFile(
            distance_assignment_id=distance_assignment.id, submission_id=submission.id if submission else None,
            file_path=files.write(upload), file_name=upload.original_name, file_mime=upload.content_type,
            file_size=len(upload.data), uploaded_by_id=user.id,
        ))


def due_moment(day: date, at: time, tz: str) -> datetime:
    """The deadline typed in the school's timezone, as a UTC moment."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def due_text(distance_assignment: DistanceAssignment, tz: str) -> str:
    """The deadline as the school reads it (its timezone)."""
    return _aware(distance_assignment.due_at).astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def local_time(moment: datetime, tz: str) -> str:
    return _aware(moment).astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def is_late(distance_assignment: DistanceAssignment, moment: datetime) -> bool:
    return _aware(moment) > _aware(distance_assignment.due_at)


def allowed_assessments(assignment: TeachingAssignment) -> tuple[str, ...]:
    """The forms a journal allows: a mark needs a scale with marks; зачёт/незачёт needs a journal
    kept on the pass/fail scale (the grid takes only its scale's values, domain/grading.SCALES)."""
    scale = assignment.marks_scale
    if scale == NO_MARKS:
        return ("none",)
    if scale == "pass_fail":
        return ("pass_fail", "none")
    return ("mark", "none")


def result_values(distance_assignment: DistanceAssignment) -> tuple[str, ...]:
    """The values the review form offers: the journal scale's."""
    if distance_assignment.assessment == "none":
        return ()
    return SCALES[distance_assignment.assignment.marks_scale].values


def give(assignment: TeachingAssignment, user: User, *, title: str, text: str, plan_item_id: int | None,
         lesson_id: int | None, work_kind_id: int | None, due_at: datetime, assessment: str,
         uploads: list[Upload], files: UploadStore) -> DistanceAssignment:
    title = plain_text(title, TITLE_MAX, N_("Название"), required=True)
    text = plain_text(text, TEXT_MAX, N_("Текст задания"))
    plan_item = db.session.get(PlanItem, plan_item_id) if plan_item_id else None
    lesson = db.session.get(Lesson, lesson_id) if lesson_id else None
    if (plan_item_id and (plan_item is None or plan_item.assignment_id != assignment.id)) or (
            lesson_id and (lesson is None or lesson.assignment_id != assignment.id)):
        raise AssignmentRefusal(N_("Такой темы или урока нет в этом журнале."), 404)
    if plan_item is None and lesson is None:
        raise AssignmentRefusal(N_("Выберите тему плана или урок, к которому относится задание."), 400)
    work_kind = db.session.get(WorkKind, work_kind_id) if work_kind_id else None
    if work_kind is None or work_kind.school_id != assignment.school_id or not work_kind.is_active:
        raise AssignmentRefusal(N_("Такого вида работы нет."), 404)
    if assessment not in allowed_assessments(assignment):
        raise AssignmentRefusal(N_("Эта форма оценивания не подходит к шкале журнала."), 400)
    item = DistanceAssignment(
        school_id=assignment.school_id, assignment_id=assignment.id, plan_item_id=plan_item.id if plan_item else None,
        lesson_id=lesson.id if lesson else None, work_kind_id=work_kind.id, title=title, text=text,
        due_at=due_at, assessment=assessment, created_by_id=user.id,
    )
    db.session.add(item)
    db.session.flush()
    _attach(files, uploads, item, user)
    db.session.flush()
    return item


def lesson_of(distance_assignment: DistanceAssignment) -> Lesson | None:
    """The lesson whose column receives the mark: the lesson named, else the first lesson
    recorded for the topic (None while none is recorded)."""
    if distance_assignment.lesson_id is not None:
        return distance_assignment.lesson
    return db.session.scalar(
        select(Lesson).where(Lesson.assignment_id == distance_assignment.assignment_id,
                             Lesson.plan_item_id == distance_assignment.plan_item_id)
        .order_by(Lesson.date, Lesson.lesson_number, Lesson.id).limit(1)
    )


def submission_of(distance_assignment: DistanceAssignment, student: Student) -> DistanceSubmission | None:
    return db.session.scalar(select(DistanceSubmission).where(
        DistanceSubmission.distance_assignment_id == distance_assignment.id,
        DistanceSubmission.student_id == student.id).options(selectinload(DistanceSubmission.files)))


def submit(distance_assignment: DistanceAssignment, student: Student, user: User, *, text: str,
           uploads: list[Upload], files: UploadStore, now: datetime | None = None) -> DistanceSubmission:
    """The student's work, first or again (while not checked); late after the deadline."""
    now = now or utcnow()
    text = plain_text(text, ANSWER_MAX, N_("Ответ"))
    submission = submission_of(distance_assignment, student)
    if submission is not None and submission.status == "checked":
        raise AssignmentRefusal(N_("Работа уже проверена: сдать её заново нельзя."), 409)
    if not text and not uploads:
        raise AssignmentRefusal(N_("Напишите ответ или приложите файл."), 400)
    if submission is None:
        submission = DistanceSubmission(school_id=student.school_id, distance_assignment_id=distance_assignment.id,
                                        student_id=student.id, attempts=0)
        db.session.add(submission)
    submission.text = text
    submission.submitted_at = now
    submission.is_late = is_late(distance_assignment, now)
    submission.attempts = (submission.attempts or 0) + 1
    submission.status = "submitted"
    db.session.flush()
    _attach(files, uploads, distance_assignment, user, submission)
    db.session.flush()
    return submission


def review(distance_assignment: DistanceAssignment, submission: DistanceSubmission, user: User, *, action: str,
           comment: str, value: str, now: datetime | None = None) -> None:
    """The teacher's decision: return for rework (with a comment), or check it — with a mark
    that lands in the grid (refused by the grid's rules: nothing stored, the state kept)."""
    now = now or utcnow()
    comment = plain_text(comment, COMMENT_MAX, N_("Комментарий"))
    if submission.status == "checked":
        raise AssignmentRefusal(N_("Работа уже проверена."), 409)
    if action == "return":
        if not comment:
            raise AssignmentRefusal(N_("Напишите, что доработать."), 400)
        submission.status = "returned"
    elif action == "check":
        if distance_assignment.assessment != "none":
            value = (value or "").strip()
            if value not in result_values(distance_assignment):
                raise AssignmentRefusal(N_("Выберите отметку по шкале журнала."), 400)
            lesson = lesson_of(distance_assignment)
            if lesson is None:
                raise AssignmentRefusal(N_("Урок по теме «%(topic)s» ещё не записан в журнале: сначала запишите урок, "
                                           "затем поставьте отметку (работа остаётся непроверенной)."), 409,
                                        topic=distance_assignment.plan_item.topic if distance_assignment.plan_item else "")
            set_work_mark(lesson, submission.student, user, distance_assignment.work_kind, value, via="assignment",
                          now=now)
            submission.mark_value = value
        submission.status = "checked"
    else:
        raise AssignmentRefusal(N_("Неизвестное действие."), 400)
    submission.comment = comment
    submission.reviewed_at = now
    submission.reviewed_by_id = user.id
    db.session.flush()


# --- Lists (bounded queries) ------------------------------------------------------------------

def class_list(distance_assignment: DistanceAssignment) -> list[tuple[Student, DistanceSubmission | None]]:
    """The students of the journal's class (and group) with their submissions: two queries."""
    assignment = distance_assignment.assignment
    query = select(Student).where(Student.current_class_id == assignment.class_id, Student.school_id == assignment.school_id)
    if assignment.subgroup_id is not None:
        query = query.where(Student.id.in_(select(SubgroupMember.student_id)
                                           .where(SubgroupMember.subgroup_id == assignment.subgroup_id)))
    students = list(db.session.scalars(query.order_by(Student.last_name, Student.first_name, Student.id)))
    submissions = {s.student_id: s for s in db.session.scalars(select(DistanceSubmission).where(
        DistanceSubmission.distance_assignment_id == distance_assignment.id))}
    return [(student, submissions.get(student.id)) for student in students]


def given_to_students(students: list[Student]) -> list[tuple[Student, DistanceAssignment, DistanceSubmission | None]]:
    """Every assignment given to these students (a student, a parent's children), newest first,
    with each one's submission: three queries whatever the number."""
    from sqlalchemy.orm import joinedload

    if not students:
        return []
    class_ids = {s.current_class_id for s in students if s.current_class_id}
    items = list(db.session.scalars(
        select(DistanceAssignment).join(TeachingAssignment, TeachingAssignment.id == DistanceAssignment.assignment_id)
        .where(TeachingAssignment.class_id.in_(class_ids), DistanceAssignment.is_deleted.is_(False))
        .options(joinedload(DistanceAssignment.assignment).joinedload(TeachingAssignment.subject))
        .order_by(DistanceAssignment.due_at.desc(), DistanceAssignment.id.desc())
    ))
    groups = {(m.subgroup_id, m.student_id) for m in db.session.scalars(select(SubgroupMember).where(
        SubgroupMember.student_id.in_([s.id for s in students])))}
    submissions = {(s.distance_assignment_id, s.student_id): s for s in db.session.scalars(
        select(DistanceSubmission).where(DistanceSubmission.student_id.in_([s.id for s in students]),
                                         DistanceSubmission.distance_assignment_id.in_([i.id for i in items])))}
    out = []
    for student in students:
        for item in items:
            ta = item.assignment
            if ta.class_id != student.current_class_id:
                continue
            if ta.subgroup_id is not None and (ta.subgroup_id, student.id) not in groups:
                continue
            out.append((student, item, submissions.get((item.id, student.id))))
    return out


def given_by(user: User) -> list[tuple[DistanceAssignment, int, int]]:
    """The teacher's assignments with the number of works submitted and waiting for review."""
    from sqlalchemy import func
    from sqlalchemy.orm import joinedload

    items = list(db.session.scalars(
        select(DistanceAssignment).join(TeachingAssignment, TeachingAssignment.id == DistanceAssignment.assignment_id)
        .where(TeachingAssignment.teacher_id == user.id, DistanceAssignment.is_deleted.is_(False))
        .options(joinedload(DistanceAssignment.assignment).joinedload(TeachingAssignment.subject),
                 joinedload(DistanceAssignment.assignment).joinedload(TeachingAssignment.class_group))
        .order_by(DistanceAssignment.due_at.desc(), DistanceAssignment.id.desc())
    ))
    counts: dict[int, dict[str, int]] = {}
    if items:
        for da_id, status, n in db.session.execute(
            select(DistanceSubmission.distance_assignment_id, DistanceSubmission.status, func.count())
            .where(DistanceSubmission.distance_assignment_id.in_([i.id for i in items]))
            .group_by(DistanceSubmission.distance_assignment_id, DistanceSubmission.status)
        ):
            counts.setdefault(da_id, {})[status] = n
    return [(i, sum(counts.get(i.id, {}).values()), counts.get(i.id, {}).get("submitted", 0)) for i in items]
