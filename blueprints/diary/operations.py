"""Use cases of the diary: a parent's absence note, its acceptance or rejection by the class
teacher (DIA-5, 004:3.5). They change the session and flush; the view commits once, and the
history of every attendance row they change is written in the same transaction (JRN-8)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from blueprints.journal import closing_queries
from blueprints.journal.classes_operations import plan_absence
from blueprints.journal.operations import record_change
from domain.messages import N_, Refusal
from extensions import db
from models import AcademicYear, Attendance, ClassGroup, Lesson, Student, TeachingAssignment, User
from models.base import utcnow
from models.diary import ABSENCE_REASONS, AbsenceNote
from models.year_closing import ensure_year_open
from utils import uploads
from utils.uploads import Upload, UploadStore

MAX_NOTE_DAYS = 30
NOTES_SUBFOLDER = "notes"
# A scanned doctor's note (utils/uploads checks the first bytes too).
NOTE_FILE_KINDS = ("pdf", "jpg", "jpeg", "png")
# The absences a note may explain: Н and НП become Б (illness) or УП (a valid reason).
EXPLAINABLE = ("absent", "unexcused")


class DiaryError(Refusal):
    """A refusal in the diary; nothing was stored."""


def check_upload(storage, max_size: int) -> Upload | None:
    """None when nothing was chosen; UploadRefused (a Refusal) for a file of another kind, empty or
    too big."""
    return uploads.check_upload(
        storage, max_size, NOTE_FILE_KINDS,
        N_("Файл «%(name)s» не принят: можно приложить только PDF, JPG или PNG."),
    )


def note_files(upload_folder: str) -> UploadStore:
    return UploadStore(upload_folder, NOTES_SUBFOLDER)


def _current_year(student: Student) -> AcademicYear | None:
    if student.current_class is not None:
        return db.session.get(AcademicYear, student.current_class.year_id)
    return db.session.scalar(
        select(AcademicYear).where(AcademicYear.school_id == student.school_id, AcademicYear.is_current.is_(True))
    )


def submit_note(
    student: Student,
    parent: User,
    date_from: date,
    date_to: date,
    reason: str,
    comment: str,
    upload: Upload | None,
    files: UploadStore,
) -> AbsenceNote:
    """A parent's note: dates inside the current academic year, in order, at most 30 days."""
    if date_from and date_to and date_from <= date_to:
        _ensure_days_open(student.school_id, date_from, date_to)  # a closed year's days (ARC-1)
    if reason not in ABSENCE_REASONS:
        raise DiaryError(N_("Выберите причину отсутствия."))
    if date_from > date_to:
        raise DiaryError(N_("Первый день отсутствия позже последнего."))
    if (date_to - date_from).days + 1 > MAX_NOTE_DAYS:
        raise DiaryError(N_("Заявление охватывает не больше %(days)s дней."), days=MAX_NOTE_DAYS)
    year = _current_year(student)
    if year is None or date_from < year.start_date or date_to > year.end_date:
        raise DiaryError(N_("Даты должны быть в пределах текущего учебного года."))
    _refuse_duplicate(student, date_from, date_to)
    note = AbsenceNote(
        school_id=student.school_id,
        student_id=student.id,
        parent_id=parent.id,
        date_from=date_from,
        date_to=date_to,
        reason=reason,
        comment=(comment or "").strip(),
        status="submitted",
    )
    if upload is not None:
        note.file_stored_name = files.write(upload)
        note.file_original_name = upload.original_name
        note.file_size = len(upload.data)
        note.file_content_type = upload.content_type
    db.session.add(note)
    db.session.flush()
    return note


def _refuse_duplicate(student: Student, date_from: date, date_to: date) -> None:
    """A second note for days already covered by a pending or accepted one is a double submit
    (or a second parent's copy): refused, with the note that already covers them."""
    existing = db.session.scalar(
        select(AbsenceNote)
        .where(
            AbsenceNote.student_id == student.id,
            AbsenceNote.status.in_(("submitted", "accepted")),
            AbsenceNote.date_from <= date_to,
            AbsenceNote.date_to >= date_from,
        )
        .order_by(AbsenceNote.date_from, AbsenceNote.id)
        .limit(1)
    )
    if existing is not None:
        raise DiaryError(
            N_("На эти дни уже подано заявление (%(date_from)s – %(date_to)s, %(state)s); второе не записано."),
            date_from=existing.date_from.strftime("%d.%m.%Y"),
            date_to=existing.date_to.strftime("%d.%m.%Y"),
            state=N_("принято") if existing.status == "accepted" else N_("на рассмотрении"),
        )


@dataclass
class AcceptResult:
    changed: int = 0
    closed_periods: list[str] = field(default_factory=list)  # names of closed periods left alone
    skipped: int = 0


def _ensure_year_open(note: AbsenceNote) -> None:
    """A note for days of a closed school year is not decided any more (ARC-1): refused."""
    _ensure_days_open(note.school_id, note.date_from, note.date_to)


def _ensure_days_open(school_id: int, date_from: date, date_to: date) -> None:
    for year in db.session.scalars(select(AcademicYear).where(
        AcademicYear.school_id == school_id, AcademicYear.start_date <= date_to,
        AcademicYear.end_date >= date_from, AcademicYear.is_closed.is_(True),
    )):
        ensure_year_open(year)


def accept_note(note: AbsenceNote, user: User, comment: str = "", now: datetime | None = None) -> AcceptResult:
    """Accept a note: the student's Н and НП of its dates become Б (illness) or УП (a valid
    reason), each with a history row. Marks are never touched; rows of a closed period or year
    stay as they are (they are read-only, JRN-7)."""
    _ensure_year_open(note)
    if note.status != "submitted":
        raise DiaryError(N_("Заявление уже рассмотрено."), 409)
    now = now or utcnow()
    new_code = "ill" if note.reason == "ill" else "excused"
    rows = db.session.execute(
        select(Attendance, Lesson, ClassGroup)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(
            Attendance.student_id == note.student_id,
            Attendance.school_id == note.school_id,
            Attendance.is_deleted.is_(False),
            Attendance.code.in_(EXPLAINABLE),
            Lesson.date >= note.date_from,
            Lesson.date <= note.date_to,
        )
        .order_by(Lesson.date, Lesson.lesson_number)
    ).all()
    # a few days of one student: one question per class and day (blueprints/journal/closing_queries.py)
    closed_on: dict[tuple[int, date], str | None] = {}
    result = AcceptResult()
    reason = N_("Заявление родителя № %(id)s от %(date)s принято") % {
        "id": note.id,
        "date": note.created_at.strftime("%d.%m.%Y") if note.created_at else "",
    }
    for row, lesson, class_group in rows:
        key = (class_group.id, lesson.date)
        if key not in closed_on:
            state = closing_queries.closed_days(class_group, lesson.date)
            closed_on[key] = None if state is None else (state.params.get("name") or class_group.year.name)
        closed = closed_on[key]
        if closed is not None:
            result.skipped += 1
            if closed not in result.closed_periods:
                result.closed_periods.append(closed)
            continue
        before = {"code": row.code}
        row.code = new_code
        row.updated_at, row.updated_by_id = now, user.id
        record_change(note.school_id, user, "attendance", row.id, "update", before, {"code": new_code},
                      lesson_id=lesson.id, student_id=note.student_id, reason=reason)
        result.changed += 1
    # The note's days stay marked for the lessons still to be opened (and those opened from
    # today on with nothing recorded yet): «Б» / «УП» comes into each of them (JRN-4).
    _plan, carried = plan_absence(note.school_id, note.student_id, note.date_from, note.date_to, new_code,
                                  reason[:300], user, note_id=note.id, now=now)
    result.changed += carried
    _decide(note, user, "accepted", comment, now)
    return result


def reject_note(note: AbsenceNote, user: User, comment: str, now: datetime | None = None) -> None:
    """Reject a note with the reason told to the parent; nothing else changes."""
    _ensure_year_open(note)
    if note.status != "submitted":
        raise DiaryError(N_("Заявление уже рассмотрено."), 409)
    if not (comment or "").strip():
        raise DiaryError(N_("Напишите, почему заявление отклонено."))
    _decide(note, user, "rejected", comment, now or utcnow())


def _decide(note: AbsenceNote, user: User, status: str, comment: str, now: datetime) -> None:
    note.status = status
    note.decided_by_id = user.id
    note.decided_at = now
    note.decision_comment = (comment or "").strip()
    db.session.flush()
