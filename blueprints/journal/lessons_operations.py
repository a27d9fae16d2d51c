"""Use cases of the lesson record (JRN-1, JRN-5, JRN-6): open today's lesson, change its date,
topic and kinds of work, give homework to the class or to chosen students, attach files.
They change the session and flush; the view commits once. Every change writes its history
row in the same transaction (JRN-8)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from blueprints.journal import closing_queries, queries
from blueprints.journal.operations import (
    JournalError,
    check_lesson_open,
    check_reason,
    clean_reason,
    create_lesson,
    record_change,
)
from blueprints.journal.schedule_queries import CANCELLED, SUBSTITUTION, lessons_given_by, scheduled_lesson
from domain import deadlines
from domain.bells import parse_time
from domain.messages import N_
from domain.settings import school_settings
from extensions import db
from models import (
    ClassGroup,
    Homework,
    HomeworkFile,
    HomeworkStudent,
    Lesson,
    LessonWork,
    Mark,
    PlanItem,
    ScheduleChange,
    Student,
    TeachingAssignment,
    User,
    WorkKind,
)
from models.base import utcnow
from utils import uploads
from utils.bells import school_bells
from utils.uploads import Upload, UploadStore

# What a teacher may attach to homework (utils/uploads checks the first bytes too).
HOMEWORK_FILE_KINDS = ("pdf", "jpg", "jpeg", "png", "docx", "odt")
HOMEWORK_SUBFOLDER = "homework"


# --- Opening a lesson from the timetable -------------------------------------------------------


def open_lesson(
    assignment: TeachingAssignment, user: User, day: date, lesson_number: int, now: datetime | None = None
) -> Lesson:
    """Create the lesson of the timetable (or return the one already recorded). A substitute
    opens only the lesson they replace, and it is recorded as given by them (001:2.5.4)."""
    now = now or utcnow()
    substitution = db.session.scalar(
        select(ScheduleChange).where(
            ScheduleChange.assignment_id == assignment.id,
            ScheduleChange.date == day,
            ScheduleChange.lesson_number == lesson_number,
            ScheduleChange.kind == SUBSTITUTION,
        )
    )
    is_substitute = substitution is not None and substitution.substitute_id == user.id
    if user.id != assignment.teacher_id and not is_substitute:
        raise JournalError(N_("Вы не замещаете этот урок в этот день."), 403)
    if user.id == assignment.teacher_id and substitution is not None and substitution.substitute_id != user.id:
        existing = _existing_lesson(assignment, day, lesson_number)
        if existing is None:
            raise JournalError(N_("Этот урок по расписанию ведёт замещающий учитель."), 409)
        return existing
    planned = scheduled_lesson(assignment, day, lesson_number)
    if planned is not None and planned.status == CANCELLED:
        raise JournalError(N_("Этот урок отменён."), 409)
    existing = _existing_lesson(assignment, day, lesson_number)
    if existing is not None:
        if is_substitute and existing.given_by_id != user.id:
            _check_period_open(assignment, day)
            before = lesson_snapshot(existing)
            existing.given_by_id, existing.is_substitution = user.id, True
            existing.version += 1
            record_change(existing.school_id, user, "lesson", existing.id, "update", before,
                          lesson_snapshot(existing), lesson_id=existing.id, reason="замена")
            db.session.flush()
        return existing
    return create_lesson(assignment, user, day, lesson_number, now=now)  # refuses a closed period


def _existing_lesson(assignment: TeachingAssignment, day: date, lesson_number: int) -> Lesson | None:
    return db.session.scalar(
        select(Lesson).where(
            Lesson.assignment_id == assignment.id, Lesson.date == day, Lesson.lesson_number == lesson_number
        )
    )


def _check_period_open(assignment: TeachingAssignment, day: date) -> None:
    closing_queries.check_days_open(assignment.class_group, day, error=JournalError)


# --- The topic from the plan -------------------------------------------------------------------


def plan_items(assignment: TeachingAssignment) -> list[PlanItem]:
    return list(db.session.scalars(select(PlanItem).where(PlanItem.assignment_id == assignment.id).order_by(PlanItem.number)))


def next_plan_item(assignment: TeachingAssignment, items: list[PlanItem], lesson: Lesson | None = None) -> PlanItem | None:
    """The first topic of the plan (by number) that has had fewer lessons than its hours."""
    query = (
        select(Lesson.plan_item_id, func.count(Lesson.id))
        .where(Lesson.assignment_id == assignment.id, Lesson.plan_item_id.is_not(None))
        .group_by(Lesson.plan_item_id)
    )
    if lesson is not None:
        query = query.where(Lesson.id != lesson.id)
    used = dict(db.session.execute(query).all())
    return next((item for item in items if used.get(item.id, 0) < item.hours), None)


# --- The lesson record ---------------------------------------------------------------------------


def lesson_snapshot(lesson: Lesson) -> dict[str, Any]:
    return {
        "date": lesson.date.isoformat(),
        "lesson_number": lesson.lesson_number,
        "topic": lesson.topic,
        "plan_item_id": lesson.plan_item_id,
        "given_by_id": lesson.given_by_id,
        "is_substitution": lesson.is_substitution,
        "works": [w.work_kind_id for w in lesson.works],
    }


def check_version(lesson: Lesson, version: str | None) -> None:
    if version and version != str(lesson.version):
        raise JournalError(
            N_("Урок только что изменил другой пользователь. Обновите страницу и внесите изменения снова."), 409
        )


def update_lesson(
    lesson: Lesson,
    user: User,
    *,
    day: date,
    lesson_number: int,
    plan_item: PlanItem | None,
    topic: str,
    work_kinds: list[WorkKind],
    reason: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Change the lesson's date, number, topic and kinds of work. Returns whether anything
    changed. After the lesson's day a change needs a reason (JRN-6), kept in the history."""
    assignment = lesson.assignment
    check_lesson_open(lesson)
    reason = clean_reason(reason)
    due = deadlines.lesson_deadline(lesson.date, assignment.school.timezone)
    before = lesson_snapshot(lesson)
    if (day, lesson_number) != (lesson.date, lesson.lesson_number):
        if lesson.is_substitution and day != lesson.date:
            raise JournalError(N_("Дату урока, проведённого в замену, изменить нельзя."), 400)
        if day < assignment.year.start_date or day > assignment.year.end_date:
            raise JournalError(N_("Дата урока вне учебного года."), 400)
        _check_period_open(assignment, day)
        clash = _existing_lesson(assignment, day, lesson_number)
        if clash is not None and clash.id != lesson.id:
            raise JournalError(N_("Урок с этой датой и этим номером уже записан."), 409)
        lesson.date, lesson.lesson_number = day, lesson_number
    if plan_item is not None:
        if plan_item.assignment_id != assignment.id:
            raise JournalError(N_("Эта тема не из плана этого журнала."), 400)
        lesson.plan_item_id, lesson.topic = plan_item.id, plan_item.topic
    else:
        lesson.plan_item_id, lesson.topic = None, topic.strip()
    _set_work_kinds(lesson, work_kinds)
    after = lesson_snapshot(lesson)
    if after == before:
        return False
    check_reason(reason, now or utcnow(), due)
    lesson.version += 1
    record_change(lesson.school_id, user, "lesson", lesson.id, "update", before, after, lesson_id=lesson.id,
                  reason=reason or "")
    db.session.flush()
    return True


def _set_work_kinds(lesson: Lesson, work_kinds: list[WorkKind]) -> None:
    wanted = [k.id for k in work_kinds]
    if not wanted and not lesson.assignment.class_group.attendance_only:
        raise JournalError(N_("Выберите хотя бы один вид работы."), 400)
    if any(k.school_id != lesson.school_id for k in work_kinds):
        raise JournalError(N_("Вид работы не найден."), 400)
    removed = [w for w in lesson.works if w.work_kind_id not in wanted]
    if removed:
        # A kind of work is the column a mark sits in: removing it would orphan the marks.
        with_marks = set(
            db.session.scalars(
                select(Mark.work_kind_id).where(
                    Mark.lesson_id == lesson.id,
                    Mark.work_kind_id.in_([w.work_kind_id for w in removed]),
                    Mark.is_deleted.is_(False),
                )
            )
        )
        if with_marks:
            names = ", ".join(f"«{w.work_kind.name}»" for w in removed if w.work_kind_id in with_marks)
            raise JournalError(
                N_("Нельзя убрать вид работы %(names)s: за него на этом уроке уже стоят отметки. "
                   "Сначала удалите эти отметки в журнале."),
                409,
                names=names,
            )
        for work in removed:
            lesson.works.remove(work)
        db.session.flush()  # free the positions before new kinds take them
    present = {w.work_kind_id for w in lesson.works}
    position = max((w.position for w in lesson.works), default=-1) + 1
    for kind in work_kinds:
        if kind.id not in present:
            lesson.works.append(LessonWork(work_kind=kind, position=position))
            present.add(kind.id)
            position += 1


# --- Homework ------------------------------------------------------------------------------------


def homework_snapshot(homework: Homework) -> dict[str, Any] | None:
    if homework.is_deleted:
        return None
    return {
        "text": homework.text,
        "pages": homework.pages,
        "exercises": homework.exercises,
        "is_individual": homework.is_individual,
        "students": sorted(s.student_id for s in homework.students),
        "files": [f.original_name for f in homework.files],
    }


def homework_deadline(lesson: Lesson) -> datetime:
    """N hours (a school setting) after the end of the last lesson the teacher gives that day
    (003:2.3-2.5): from the timetable and from the lessons they recorded, each ending by the bells
    of its own class (its shift and grade) on that date (domain/bells.py)."""
    school = lesson.assignment.school
    settings = school_settings(school.settings)
    teacher = db.session.get(User, lesson.given_by_id)
    bells = school_bells(lesson.school_id)
    ends = [parse_time(item.ends) for item in lessons_given_by(teacher, lesson.date)]
    recorded = db.session.execute(
        select(Lesson.lesson_number, ClassGroup.shift, ClassGroup.grade)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(Lesson.given_by_id == teacher.id, Lesson.date == lesson.date)
    ).all()
    ends += [bells.ends_at(row.shift, row.grade, lesson.date, row.lesson_number) for row in recorded]
    return deadlines.homework_deadline(lesson.date, ends, settings["homework_deadline_hours"], school.timezone)


def _check_homework_allowed(lesson: Lesson) -> None:
    if lesson.assignment.class_group.attendance_only:
        raise JournalError(N_("В этом классе домашнее задание не задаётся (только учёт посещаемости)."), 400)


def collective_homework(lesson: Lesson) -> Homework | None:
    return next((h for h in lesson.homework if not h.is_individual and not h.is_deleted), None)


def set_collective_homework(
    lesson: Lesson, user: User, text: str, pages: str, exercises: str, keep_empty: bool = False,
    now: datetime | None = None,
) -> tuple[Homework | None, bool]:
    """The homework of the whole class: created, changed, or removed when emptied. Returns it
    and whether anything changed."""
    now = now or utcnow()
    content = {"text": text.strip(), "pages": pages.strip(), "exercises": exercises.strip()}
    homework = collective_homework(lesson)
    if homework is None:
        if not any(content.values()) and not keep_empty:
            return None, False
        _check_homework_allowed(lesson)
        check_lesson_open(lesson)
        homework = Homework(lesson=lesson, is_individual=False, created_at=now, created_by_id=user.id,
                            entered_late=deadlines.is_late(now, homework_deadline(lesson)), **content)
        db.session.add(homework)
        db.session.flush()
        record_change(lesson.school_id, user, "homework", homework.id, "create", None, homework_snapshot(homework),
                      lesson_id=lesson.id)
        return homework, True
    before = homework_snapshot(homework)
    if any(getattr(homework, key) != value for key, value in content.items()) or (
        not any(content.values()) and not homework.files and not keep_empty
    ):
        check_lesson_open(lesson)
    if not any(content.values()) and not homework.files and not keep_empty:
        homework.is_deleted = True
        record_change(lesson.school_id, user, "homework", homework.id, "delete", before, None, lesson_id=lesson.id)
        db.session.flush()
        return None, True
    for key, value in content.items():
        setattr(homework, key, value)
    after = homework_snapshot(homework)
    if after != before:
        record_change(lesson.school_id, user, "homework", homework.id, "update", before, after, lesson_id=lesson.id)
        db.session.flush()
        return homework, True
    return homework, False


def add_individual_homework(
    lesson: Lesson, user: User, text: str, pages: str, exercises: str, students: list[Student],
    has_file: bool = False, now: datetime | None = None,
) -> Homework:
    now = now or utcnow()
    _check_homework_allowed(lesson)
    check_lesson_open(lesson)
    content = {"text": text.strip(), "pages": pages.strip(), "exercises": exercises.strip()}
    if not any(content.values()) and not has_file:
        raise JournalError(N_("Впишите задание, страницы или упражнения, или приложите файл."), 400)
    if not students:
        raise JournalError(N_("Выберите хотя бы одного обучающегося."), 400)
    for student in students:
        if student.school_id != lesson.school_id or not queries.student_in_roster(lesson.assignment, student.id, lesson.date):
            raise JournalError(N_("Этот обучающийся не числится в классе или группе этого урока."), 400)
    homework = Homework(lesson=lesson, is_individual=True, created_at=now, created_by_id=user.id,
                        entered_late=deadlines.is_late(now, homework_deadline(lesson)), **content)
    homework.students = [HomeworkStudent(student_id=s.id) for s in students]
    db.session.add(homework)
    db.session.flush()
    record_change(lesson.school_id, user, "homework", homework.id, "create", None, homework_snapshot(homework),
                  lesson_id=lesson.id)
    return homework


def delete_homework(homework: Homework, user: User) -> None:
    lesson = homework.lesson
    check_lesson_open(lesson)
    before = homework_snapshot(homework)
    homework.is_deleted = True
    record_change(lesson.school_id, user, "homework", homework.id, "delete", before, None, lesson_id=lesson.id)
    db.session.flush()


# --- Files of homework ---------------------------------------------------------------------------


def check_upload(storage, max_size: int | None) -> Upload | None:
    """None when nothing was chosen; UploadRefused (a Refusal) for a file of another kind or too big."""
    return uploads.check_upload(
        storage, max_size, HOMEWORK_FILE_KINDS,
        N_("Файл «%(name)s» не принят: можно прикладывать только PDF, JPG, PNG, DOCX и ODT."),
    )


def file_store(upload_folder: str) -> UploadStore:
    return UploadStore(upload_folder, HOMEWORK_SUBFOLDER)


def attach_file(homework: Homework, user: User, upload: Upload, store: UploadStore) -> HomeworkFile:
    lesson = homework.lesson
    check_lesson_open(lesson)
    before = homework_snapshot(homework)
    stored = store.write(upload)
    row = HomeworkFile(original_name=upload.original_name, stored_name=stored, size=len(upload.data),
                       content_type=upload.content_type)
    homework.files.append(row)
    db.session.flush()
    record_change(lesson.school_id, user, "homework", homework.id, "update", before, homework_snapshot(homework),
                  lesson_id=lesson.id)
    return row


def delete_file(row: HomeworkFile, user: User, store: UploadStore) -> None:
    homework = db.session.get(Homework, row.homework_id)
    lesson = homework.lesson
    check_lesson_open(lesson)
    before = homework_snapshot(homework)
    homework.files.remove(row)
    db.session.flush()
    store.remove_after_commit(row.stored_name)
    record_change(lesson.school_id, user, "homework", homework.id, "update", before, homework_snapshot(homework),
                  lesson_id=lesson.id)
