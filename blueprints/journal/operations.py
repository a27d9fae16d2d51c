"""Use cases of the journal. They change the session and flush; the view commits once.
History is written in the same transaction as the change (JRN-8)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from blueprints.journal import closing_queries, queries
from domain import closing, deadlines, grading
from domain.cell import ABSENCE_CODES, ILL, CellError, CellInput, parse_cell, render_cell
from domain.messages import N_, Refusal
from domain.settings import school_settings
from extensions import db
from models import (
    Attendance,
    CellWrite,
    JournalChange,
    Lesson,
    LessonWork,
    Mark,
    Student,
    TeachingAssignment,
    User,
    WorkKind,
)
from models.base import utcnow
from models.year_closing import ensure_year_open


class JournalError(Refusal):
    """A refusal in the journal; nothing was stored."""


class ReasonRequired(JournalError):
    """A change after its deadline without a reason (JRN-6, JRN-8): the grid asks «Укажите
    причину изменения после срока» and sends the change again with it."""

    status = 428


class Conflict(JournalError):
    def __init__(self, message: str, current_text: str):
        super().__init__(message, 409)
        self.current_text = current_text


def record_change(
    school_id: int,
    user: User,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    lesson_id: int | None = None,
    student_id: int | None = None,
    period_mark_id: int | None = None,
    reason: str = "",
    via: str = "",
) -> None:
    """One entry of the history. `via`: where a change came from when it was not typed in the
    grid (domain/cell.VIA: "assignment", "test"); the history shows it («через задание»)."""
    db.session.add(
        JournalChange(
            school_id=school_id,
            user_id=user.id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            before=before,
            after=after,
            lesson_id=lesson_id,
            student_id=student_id,
            period_mark_id=period_mark_id,
            reason=reason,
            via=via,
            ip=(request.remote_addr or "") if has_request_context() else "",
            user_agent=request.user_agent.string[:300] if has_request_context() else "",
        )
    )


# --- Lessons ---------------------------------------------------------------------------------


def create_lesson(
    assignment: TeachingAssignment,
    user: User,
    day: date,
    lesson_number: int,
    topic: str = "",
    work_kinds: list[WorkKind] | None = None,
    plan_item_id: int | None = None,
    now: datetime | None = None,
) -> Lesson:
    now = now or utcnow()
    existing = db.session.scalar(
        select(Lesson).where(
            Lesson.assignment_id == assignment.id, Lesson.date == day, Lesson.lesson_number == lesson_number
        )
    )
    if existing is not None:
        return existing
    if day < assignment.year.start_date or day > assignment.year.end_date:
        raise JournalError(N_("Дата урока вне учебного года."))
    closing_queries.check_days_open(assignment.class_group, day, error=JournalError)
    tz = assignment.school.timezone
    lesson = Lesson(
        school_id=assignment.school_id,
        assignment=assignment,
        date=day,
        lesson_number=lesson_number,
        topic=topic.strip(),
        plan_item_id=plan_item_id,
        given_by_id=user.id,
        is_substitution=user.id != assignment.teacher_id,
        entered_at=now,
        entered_late=deadlines.is_late(now, deadlines.lesson_deadline(day, tz)),
    )
    if not work_kinds:
        default = db.session.scalar(
            select(WorkKind)
            .where(WorkKind.school_id == assignment.school_id, WorkKind.is_active.is_(True))
            .order_by(WorkKind.weight, WorkKind.id)
        )
        work_kinds = [default] if default else []
    lesson.works = [LessonWork(work_kind=k, position=i) for i, k in enumerate(work_kinds)]
    db.session.add(lesson)
    db.session.flush()
    record_change(
        assignment.school_id, user, "lesson", lesson.id, "create", None, lesson_snapshot(lesson), lesson_id=lesson.id
    )
    # The class teacher's marks for the whole day (ill from the morning, an accepted note)
    # come into the new lesson at once (JRN-4). Imported here: classes_operations imports us.
    from blueprints.journal.classes_operations import carry_into_new_lesson

    carry_into_new_lesson(lesson, user, now)
    return lesson


def lesson_snapshot(lesson: Lesson) -> dict[str, Any]:
    return {
        "date": lesson.date.isoformat(),
        "lesson_number": lesson.lesson_number,
        "topic": lesson.topic,
        "given_by_id": lesson.given_by_id,
        "works": [w.work_kind_id for w in lesson.works],
    }


# --- A cell of the grid ----------------------------------------------------------------------


@dataclass
class CellState:
    attendance: Attendance | None
    marks: list[Mark]  # live marks, in the order of the lesson's kinds of work
    scale_code: str  # the journal's scale (TeachingAssignment.marks_scale): what a low mark is

    def text(self, notations: dict[str, str]) -> str:
        return render_cell(self.attendance.code if self.attendance else None, [m.value for m in self.marks], notations)

    @property
    def css(self) -> str:
        """Classes of the cell: the absence's reason, and a low mark (colours of the legend)."""
        classes = f" att-{self.attendance.code}" if self.attendance else ""
        if any(grading.is_low_mark(m.value, self.scale_code) for m in self.marks):
            classes += " mark-low"
        return classes

    @property
    def token(self) -> str:
        """A short fingerprint of what the cell holds: the client sends back the one it saw,
        so a change made meanwhile by someone else is detected instead of overwritten."""
        parts = [f"a:{self.attendance.code}" if self.attendance else "a:"]
        parts += [f"m:{m.work_kind_id}={m.value}" for m in self.marks]
        return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def load_cell(lesson: Lesson, student_id: int) -> tuple[CellState, Attendance | None, dict[int, Mark]]:
    """The cell's attendance row and mark rows (deleted ones too: a save revives them), in one
    statement: the lesson outer-joined with both (a row per mark, the attendance repeated)."""
    rows = db.session.execute(
        select(Attendance, Mark)
        .select_from(Lesson)
        .outerjoin(Attendance, and_(Attendance.lesson_id == Lesson.id, Attendance.student_id == student_id))
        .outerjoin(Mark, and_(Mark.lesson_id == Lesson.id, Mark.student_id == student_id))
        .where(Lesson.id == lesson.id)
    ).all()
    attendance_row = rows[0][0] if rows else None
    mark_rows = {m.work_kind_id: m for _a, m in rows if m is not None}
    live_attendance = attendance_row if attendance_row is not None and not attendance_row.is_deleted else None
    order = [w.work_kind_id for w in lesson.works]
    live_marks = [mark_rows[k] for k in order if k in mark_rows and not mark_rows[k].is_deleted]
    return CellState(live_attendance, live_marks, lesson.assignment.marks_scale), attendance_row, mark_rows


def _mark_snapshot(mark: Mark | None) -> dict[str, Any] | None:
    if mark is None or mark.is_deleted:
        return None
    return {"value": mark.value, "work_kind_id": mark.work_kind_id}


def _attendance_snapshot(row: Attendance | None) -> dict[str, Any] | None:
    if row is None or row.is_deleted:
        return None
    return {"code": row.code}


def check_lesson_open(lesson: Lesson, user: User | None = None, correction_reason: str = "") -> None:
    """Refuse a change of a lesson of a closed period or year (JRN-8). The academic office may
    still correct a closed period (not a closed year) with a reason: `correction_reason`."""
    ensure_year_open(lesson.assignment.year)  # a closed year: the one guard's refusal (ARC-1)
    closed = closing_queries.closed_days(lesson.assignment.class_group, lesson.date)
    if closed is None:
        if correction_reason:
            raise JournalError(N_("Период не закрыт: записи вносит учитель журнала."), 409)
        return
    if correction_reason and not closed.is_year and user is not None and closing.may_correct_closed(user.roles):
        return
    raise JournalError(closed.message, 409, **closed.params)


def check_reason(reason: str | None, now: datetime, deadline: datetime) -> None:
    """A change after its deadline asks why (JRN-6); `reason` None: a use case that is not a
    teacher's own entry (a planned absence carried into a lesson) and asks nothing."""
    if reason is not None and not reason.strip() and closing.needs_reason(now, deadline):
        raise ReasonRequired(N_("Укажите причину изменения после срока."))


def clean_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = reason.strip()
    if len(reason) > closing.MAX_REASON:
        raise JournalError(N_("Причина слишком длинная (не больше %(n)s знаков)."), 400, n=closing.MAX_REASON)
    return reason


def save_cell(
    lesson: Lesson,
    student: Student,
    user: User,
    text: str,
    key: str,
    base: str | None,
    now: datetime | None = None,
    reason: str | None = None,
    correction: bool = False,
) -> tuple[CellState, bool]:
    """Put the cell (lesson × student) to what the teacher typed. Returns the new state and
    whether anything changed. Idempotent by `key`; refuses a change over someone else's.

    `reason`: why, kept in the history; a change after its deadline is refused without one
    (None: the caller is not the teacher's own entry and asks nothing). `correction`: the
    academic office's reasoned correction of a closed period, through the same path."""
    now = now or utcnow()
    reason = clean_reason(reason)
    if correction and not reason:
        raise JournalError(N_("Исправление в закрытом периоде вносится с указанием причины."), 400)
    assignment = lesson.assignment
    settings = school_settings(assignment.school.settings)
    notations = settings["notations"]
    queries.lock_lesson(lesson)  # the writes of one lesson one at a time
    if key and not _claim_key(key[:64], lesson, student, user, now):
        state, _a, _m = load_cell(lesson, student.id)
        return state, False  # a retry of a save that already happened
    if student.school_id != lesson.school_id or not queries.student_in_roster(assignment, student.id, lesson.date):
        raise JournalError(N_("Этот обучающийся не числится в классе или группе этого урока."), 403)
    check_lesson_open(lesson, user, reason if correction else "")
    try:
        wanted: CellInput = parse_cell(text, assignment.marks_scale, notations, max_marks=max(1, len(lesson.works)))
    except CellError as error:
        raise JournalError(error.message, 400, **error.params) from None
    state, attendance_row, mark_rows = load_cell(lesson, student.id)
    if base is not None and base != state.token:
        raise Conflict(
            N_("Эту клетку только что изменил другой пользователь. Проверьте значение и введите снова."),
            state.text(notations),
        )
    tz = assignment.school.timezone
    changed = False
    why = reason or ""
    lesson_due = deadlines.lesson_deadline(lesson.date, tz)
    # attendance
    before = _attendance_snapshot(attendance_row)
    if wanted.attendance is None and attendance_row is not None and not attendance_row.is_deleted:
        check_reason(reason, now, lesson_due)
        attendance_row.is_deleted = True
        attendance_row.updated_at, attendance_row.updated_by_id = now, user.id
        record_change(lesson.school_id, user, "attendance", attendance_row.id, "delete", before, None,
                      lesson_id=lesson.id, student_id=student.id, reason=why)
        changed = True
    elif wanted.attendance is not None:
        if attendance_row is None:
            check_reason(reason, now, lesson_due)
            attendance_row = Attendance(
                school_id=lesson.school_id, lesson_id=lesson.id, student_id=student.id, code=wanted.attendance,
                created_at=now, created_by_id=user.id, updated_at=now, updated_by_id=user.id,
                entered_late=deadlines.is_late(now, lesson_due),
            )
            db.session.add(attendance_row)
            db.session.flush()
            record_change(lesson.school_id, user, "attendance", attendance_row.id, "create", None,
                          _attendance_snapshot(attendance_row), lesson_id=lesson.id, student_id=student.id, reason=why)
            changed = True
        elif attendance_row.is_deleted or attendance_row.code != wanted.attendance:
            check_reason(reason, now, lesson_due)
            attendance_row.code, attendance_row.is_deleted = wanted.attendance, False
            attendance_row.updated_at, attendance_row.updated_by_id = now, user.id
            record_change(lesson.school_id, user, "attendance", attendance_row.id,
                          "create" if before is None else "update", before, _attendance_snapshot(attendance_row),
                          lesson_id=lesson.id, student_id=student.id, reason=why)
            changed = True
    # marks: the n-th value goes to the n-th kind of work of the lesson
    for position, work in enumerate(lesson.works):
        value = wanted.marks[position] if position < len(wanted.marks) else None
        row, mark_changed = _put_mark(lesson, student, user, work, mark_rows.get(work.work_kind_id), value,
                                      now=now, reason=reason, settings=settings)
        if row is not None:
            mark_rows[work.work_kind_id] = row
        changed = changed or mark_changed
    db.session.flush()
    order = [w.work_kind_id for w in lesson.works]
    live_marks = [mark_rows[k] for k in order if k in mark_rows and not mark_rows[k].is_deleted]
    live_attendance = attendance_row if attendance_row is not None and not attendance_row.is_deleted else None
    return CellState(live_attendance, live_marks, assignment.marks_scale), changed



def _claim_key(key: str, lesson: Lesson, student: Student, user: User, now: datetime) -> bool:
    """Record the save's key before anything else (one statement): False when it is already
    recorded — a tablet's retry of a save that happened, or a parallel retry that won (the
    insert waits for it on PostgreSQL). A refused save rolls the key back with everything."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    claimed = db.session.execute(
        insert(CellWrite)
        .values(key=key, lesson_id=lesson.id, student_id=student.id, user_id=user.id, at=now)
        .on_conflict_do_nothing(index_elements=[CellWrite.key])
        .returning(CellWrite.id)
    ).first()
    return claimed is not None


def _put_mark(lesson: Lesson, student: Student, user: User, work: LessonWork, row: Mark | None, value: str | None,
              *, now: datetime, reason: str | None, settings: dict, via: str = "") -> tuple[Mark | None, bool]:
    """Put one kind of work's mark of a cell to `value` (None removes it), with its deadline
    check and its history. Returns the row (None if there never was one) and whether it changed."""
    tz = lesson.assignment.school.timezone
    why = reason or ""
    before = _mark_snapshot(row)
    mark_due = deadlines.mark_deadline(lesson.date, work.work_kind.code, settings, tz)
    if value is None:
        if row is None or row.is_deleted:
            return row, False
        check_reason(reason, now, mark_due)
        row.is_deleted = True
        row.updated_at, row.updated_by_id = now, user.id
        record_change(lesson.school_id, user, "mark", row.id, "delete", before, None,
                      lesson_id=lesson.id, student_id=student.id, reason=why, via=via)
        return row, True
    if row is None:
        # the first entry after the deadline is kept and flagged late, and asks why too
        check_reason(reason, now, mark_due)
        row = Mark(
            school_id=lesson.school_id, lesson_id=lesson.id, student_id=student.id,
            work_kind_id=work.work_kind_id, value=value, created_at=now, created_by_id=user.id,
            updated_at=now, updated_by_id=user.id,
            entered_late=deadlines.is_late(now, mark_due),
        )
        db.session.add(row)
        db.session.flush()
        record_change(lesson.school_id, user, "mark", row.id, "create", None, _mark_snapshot(row),
                      lesson_id=lesson.id, student_id=student.id, reason=why, via=via)
        return row, True
    if row.is_deleted or row.value != value:
        check_reason(reason, now, mark_due)
        row.value, row.is_deleted = value, False
        row.updated_at, row.updated_by_id = now, user.id
        record_change(lesson.school_id, user, "mark", row.id, "create" if before is None else "update",
                      before, _mark_snapshot(row), lesson_id=lesson.id, student_id=student.id, reason=why, via=via)
        return row, True
    return row, False


def set_work_mark(lesson: Lesson, student: Student, user: User, work_kind: WorkKind, value: str, *, via: str,
                  now: datetime | None = None) -> bool:
    """Put the mark of one kind of work in the cell (lesson × student) from outside the grid — a
    distance assignment's or an electronic test's result (JRN-10) — by the grid's own rules: the
    student on the lesson's roster, the period and the year open, a value of the journal's scale,
    no mark for an absence other than illness, the same deadlines flag (never asking a reason:
    the result arrives when the work is checked) and the same history, marked `via`
    ("assignment", "test"). The kind of work joins the lesson's column if the lesson has none
    of it yet. `value` "" removes the mark. Returns whether anything changed; raises
    JournalError (nothing stored) otherwise. Flushes; the caller commits."""
    now = now or utcnow()
    assignment = lesson.assignment
    settings = school_settings(assignment.school.settings)
    notations = settings["notations"]
    queries.lock_lesson(lesson)
    if student.school_id != lesson.school_id or not queries.student_in_roster(assignment, student.id, lesson.date):
        raise JournalError(N_("Этот обучающийся не числится в классе или группе этого урока."), 403)
    if work_kind.school_id != lesson.school_id:
        raise JournalError(N_("Такого вида работы нет."), 404)
    check_lesson_open(lesson, user)
    wanted = None
    if value.strip():
        try:
            wanted = parse_cell(value, assignment.marks_scale, notations, max_marks=1)
        except CellError as error:
            raise JournalError(error.message, 400, **error.params) from None
        if wanted.attendance is not None or len(wanted.marks) != 1:
            raise JournalError(N_("Нужна одна отметка по шкале журнала."), 400)
    state, _attendance, mark_rows = load_cell(lesson, student.id)
    if wanted is not None and state.attendance is not None and state.attendance.code in ABSENCE_CODES - {ILL}:
        # 001:3.5, as in the grid: an absent student gets no mark unless the absence is for illness
        raise JournalError(N_("Отсутствующему обучающемуся отметка не ставится (кроме отсутствия по болезни)."), 409)
    work = next((w for w in lesson.works if w.work_kind_id == work_kind.id), None)
    if work is None:
        if wanted is None:
            return False
        before = lesson_snapshot(lesson)
        work = LessonWork(work_kind=work_kind, position=max((w.position for w in lesson.works), default=-1) + 1)
        lesson.works.append(work)
        lesson.version += 1
        db.session.flush()
        record_change(lesson.school_id, user, "lesson", lesson.id, "update", before, lesson_snapshot(lesson),
                      lesson_id=lesson.id, via=via)
    _row, changed = _put_mark(lesson, student, user, work, mark_rows.get(work_kind.id),
                              wanted.marks[0] if wanted is not None else None, now=now, reason=None,
                              settings=settings, via=via)
    db.session.flush()
    return changed


def fill_column(lesson: Lesson, user: User, value: str, only_empty: bool = True, now: datetime | None = None,
                reason: str | None = None) -> int:
    """One mark for everyone who wrote the work (the absent are skipped), or "" to mark that
    everyone was present; the teacher then corrects the few. Returns the number of cells set."""
    assignment = lesson.assignment
    settings = school_settings(assignment.school.settings)
    check_lesson_open(lesson)
    students = list(db.session.scalars(queries.roster_query(assignment, lesson.date, lesson.date)))
    count = 0
    if value == "":
        lesson.attendance_taken = True
        return len(students)
    value = column_mark(assignment, value, settings["notations"])
    for student in students:
        state, _a, _m = load_cell(lesson, student.id)
        if state.attendance is not None and state.attendance.code not in ("late", "ill"):
            continue
        if state.attendance is not None and state.attendance.code == "ill":
            continue  # an ill student is not given the class's mark wholesale
        if only_empty and state.marks:
            continue
        prefix = settings["notations"]["late"] + " " if state.attendance is not None else ""
        save_cell(lesson, student, user, prefix + value, key="", base=None, now=now, reason=reason)
        count += 1
    return count


def column_mark(assignment: TeachingAssignment, value: str, notations: dict[str, str]) -> str:
    """The one mark a column is filled with, as stored («незачёт» → «незач»); anything else —
    an absence code, two marks, a value outside the scale — is refused."""
    try:
        wanted = parse_cell(value, assignment.marks_scale, notations, max_marks=1)
    except CellError as error:
        raise JournalError(error.message, 400, **error.params) from None
    if wanted.attendance is not None or len(wanted.marks) != 1:
        raise JournalError(N_("Столбец заполняется одной отметкой: «%(v)s» — не отметка."), 400, v=value)
    return wanted.marks[0]
