"""The kinds of records the retention job knows (ARC-2): a small registry, kind → how to list
the school's records still held (with the date their retention counts from and their legal
hold) and how to destroy one. A new kind (personal files after leaving, state exam protocols)
is one more `RecordKind` registered here; the job, the act and the director's page need nothing
else.

The kinds (the first two above, the last two of the year's-end archive below):
- `archive_package`: a signed archive package (ArchivePackage), kept by its own retention kind
  (journal, summary_sheet, certificate_book…) from its `counted_from`. Destroying it removes its
  folder from every destination it was written to (both backup destinations) — after the commit
  of the act — and marks the row destroyed with the act's id (the row stays as the trace that the
  package existed and how it ended).
- `journal_year`: the journal's own rows of a closed school year (its lessons with their marks,
  attendance, homework and the cell history), kept as a journal, counted from the year's end
  date. Only closed years are listed. The rows are DELETED, not anonymised: a mark or an absence
  stripped of the student's id still sits in a lesson of a class on a date, and the class list of
  that year (kept in the alphabetical book) re-identifies it; a row nobody may read any more is no
  use to keep. What the law keeps longer is kept elsewhere and never touched: the period and year
  marks (personal files, the certificate), the alphabetical book (students, classes) and the
  certificate book.
- `personal_file`: the personal file of a student who LEFT the school (withdrawn or graduated,
  counted from the last withdrawal/graduation event), 3 years (001:2.6.12): its years, their
  replaced copies and the previous school's statements are DELETED, the statement files removed
  after the commit. A student at school is never listed.
- `state_exam_protocol`: a state exam protocol's file as imported (StateExamProtocolFile), 5 years
  from the year's end (001:2.8.5): the file is removed after the commit and the row marked
  destroyed with the act's id. The exam results stay (the certificate's data).
The attestation protocols and the certificate book have no rows yet: they stay in
domain/retention.SCHEDULE, which the director's page lists whole."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, select

from domain.messages import N_
from extensions import db
from models import AcademicYear
from models.archive import ArchivePackage
from models.journal import (
    Attendance,
    CellWrite,
    Homework,
    HomeworkFile,
    HomeworkStudent,
    JournalChange,
    Lesson,
    LessonWork,
    Mark,
)


@dataclass(frozen=True)
class HeldRecord:
    """A record the school still holds: its registry kind, its id, what the act calls it, the
    retention kind of domain/retention.SCHEDULE, the date it counts from and its legal hold."""

    kind: str
    ref: int
    title: str
    retention_kind: str
    counted_from: date
    legal_hold: bool = False
    hold_reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"


@dataclass
class Destroyed:
    """What one record's destruction did: counts for the act, paths to remove after commit."""

    what: dict[str, int] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecordKind:
    code: str
    label: str  # N_-marked
    held: Callable[[int], list[HeldRecord]]  # school id -> records still held
    destroy: Callable[[int, int, int], Destroyed | None]  # (school id, ref, act id) -> None if gone


REGISTRY: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    REGISTRY[kind.code] = kind


# --- Archive packages ------------------------------------------------------------------------------


def _package_title(p: ArchivePackage) -> str:
    return p.name


def _packages_held(school_id: int) -> list[HeldRecord]:
    return [
        HeldRecord("archive_package", p.id, _package_title(p), p.retention_kind, p.counted_from, p.legal_hold,
                   p.legal_hold_reason)
        for p in db.session.scalars(
            select(ArchivePackage).where(ArchivePackage.school_id == school_id, ArchivePackage.status == "complete")
            .order_by(ArchivePackage.counted_from, ArchivePackage.id))
    ]


def package_folders(package: ArchivePackage) -> list[str]:
    """The package's folder in each destination (ArchivePackage.destinations holds the folders
    the builder wrote); only a folder named after the package is returned, so a damaged row can
    never point the destruction at anything else (the name is one path component)."""
    name = package.name or ""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or os.sep in name:
        return []
    return [folder for folder in (package.destinations or [])
            if folder and os.path.basename(os.path.normpath(folder)) == name]


def _package_destroy(school_id: int, ref: int, act_id: int) -> Destroyed | None:
    from models.base import utcnow

    package = db.session.get(ArchivePackage, ref)
    if package is None or package.school_id != school_id or package.status != "complete":
        return None
    folders = package_folders(package)
    package.status = "destroyed"
    package.destruction_act_id = act_id
    package.destroyed_at = utcnow()
    return Destroyed({"folders": len(folders), "files": package.files or 0}, folders)


register(RecordKind("archive_package", N_("Архивный пакет"), _packages_held, _package_destroy))


# --- The journal's rows of a closed year --------------------------------------------------------------


def _year_lessons(school_id: int, year: AcademicYear):
    return select(Lesson.id).where(Lesson.school_id == school_id, Lesson.date >= year.start_date,
                                   Lesson.date <= year.end_date)


def _journal_years_held(school_id: int) -> list[HeldRecord]:
    years = list(db.session.scalars(
        select(AcademicYear).where(AcademicYear.school_id == school_id, AcademicYear.is_closed.is_(True))
        .order_by(AcademicYear.start_date)))
    held = []
    for year in years:  # a school has a handful of closed years: one count each
        if db.session.scalar(select(func.count()).select_from(_year_lessons(school_id, year).subquery())):
            held.append(HeldRecord("journal_year", year.id, year.name, "journal", year.end_date))
    return held


def _journal_year_destroy(school_id: int, ref: int, act_id: int) -> Destroyed | None:
    year = db.session.get(AcademicYear, ref)
    if year is None or year.school_id != school_id or not year.is_closed:
        return None
    lessons = _year_lessons(school_id, year)
    homework = select(Homework.id).where(Homework.lesson_id.in_(lessons))
    from blueprints.journal.lessons_operations import HOMEWORK_SUBFOLDER

    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], HOMEWORK_SUBFOLDER)
    paths = [os.path.join(folder, name) for name in db.session.scalars(
        select(HomeworkFile.stored_name).where(HomeworkFile.homework_id.in_(homework)))]
    counts: dict[str, int] = {}
    for label, model, column in (
        ("homework_files", HomeworkFile, HomeworkFile.homework_id.in_(homework)),
        ("homework_students", HomeworkStudent, HomeworkStudent.homework_id.in_(homework)),
        ("homework", Homework, Homework.lesson_id.in_(lessons)),
        ("marks", Mark, Mark.lesson_id.in_(lessons)),
        ("attendance", Attendance, Attendance.lesson_id.in_(lessons)),
        ("cell_writes", CellWrite, CellWrite.lesson_id.in_(lessons)),
        ("journal_changes", JournalChange, JournalChange.lesson_id.in_(lessons)),
        ("lesson_works", LessonWork, LessonWork.lesson_id.in_(lessons)),
    ):
        counts[label] = db.session.execute(delete(model).where(column).execution_options(
            synchronize_session=False)).rowcount
    counts["lessons"] = db.session.execute(delete(Lesson).where(Lesson.id.in_(
        select(lessons.subquery().c.id))).execution_options(synchronize_session=False)).rowcount
    db.session.expire_all()
    return Destroyed(counts, paths)


register(RecordKind("journal_year", N_("Журнал учебного года (уроки, отметки, посещаемость)"), _journal_years_held,
                    _journal_year_destroy))


# --- Personal files of students who left (001:2.6.12) ---------------------------------------------


def _left_students(school_id: int) -> list[tuple[int, str, str, date]]:
    """(student id, book number, short name, the day they left) of the students who left the
    school (withdrawn or graduated) and still have a personal file; those at school are never listed."""
    from models import EnrolmentEvent, Student
    from models.personal_files import PersonalFileYear, PreviousSchoolStatement

    left_on = (select(EnrolmentEvent.student_id, func.max(EnrolmentEvent.date).label("left_on"))
               .where(EnrolmentEvent.kind.in_(("withdraw", "graduate"))).group_by(EnrolmentEvent.student_id)
               .subquery())
    with_file = select(PersonalFileYear.student_id).union(select(PreviousSchoolStatement.student_id))
    rows = db.session.execute(
        select(Student, left_on.c.left_on).join(left_on, left_on.c.student_id == Student.id)
        .where(Student.school_id == school_id, Student.is_withdrawn.is_(True), Student.id.in_(with_file))
        .order_by(left_on.c.left_on, Student.id)
    ).all()
    return [(s.id, s.book_number or "", s.short_name, day) for s, day in rows]


def _personal_files_held(school_id: int) -> list[HeldRecord]:
    return [HeldRecord("personal_file", student_id, f"№ {book} — {name}" if book else name, "personal_file", left_on)
            for student_id, book, name, left_on in _left_students(school_id)]


def _personal_file_destroy(school_id: int, ref: int, act_id: int) -> Destroyed | None:
    from blueprints.personal_data.files_operations import STATEMENT_SUBFOLDER
    from models.personal_files import PersonalFileYear, PersonalFileYearHistory, PreviousSchoolStatement

    if ref not in {row[0] for row in _left_students(school_id)}:
        return None  # back at school, or nothing left to destroy
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], STATEMENT_SUBFOLDER)
    statements = db.session.scalars(select(PreviousSchoolStatement).where(
        PreviousSchoolStatement.student_id == ref, PreviousSchoolStatement.school_id == school_id)).all()
    paths = [os.path.join(folder, os.path.basename(s.file_path)) for s in statements if s.file_path]
    entries = select(PersonalFileYear.id).where(PersonalFileYear.student_id == ref)
    counts = {
        "personal_file_history": db.session.execute(delete(PersonalFileYearHistory).where(
            PersonalFileYearHistory.entry_id.in_(entries)).execution_options(synchronize_session=False)).rowcount,
        "personal_file_years": db.session.execute(delete(PersonalFileYear).where(
            PersonalFileYear.student_id == ref).execution_options(synchronize_session=False)).rowcount,
        "previous_school_statements": db.session.execute(delete(PreviousSchoolStatement).where(
            PreviousSchoolStatement.student_id == ref).execution_options(synchronize_session=False)).rowcount,
    }
    db.session.expire_all()
    return Destroyed(counts, paths)


register(RecordKind("personal_file", N_("Личное дело выбывшего ученика"), _personal_files_held,
                    _personal_file_destroy))


# --- State exam protocols as uploaded (001:2.8.5) ---------------------------------------------------


EXAM_PROTOCOL_SUBFOLDER = "exam_protocols"


def exam_protocol_path(stored_name: str) -> str | None:
    name = os.path.basename(stored_name or "")
    if not name or name in {".", ".."}:
        return None
    return os.path.join(current_app.config["UPLOAD_FOLDER"], EXAM_PROTOCOL_SUBFOLDER, name)


def _exam_protocols_held(school_id: int) -> list[HeldRecord]:
    from models.year_archive import StateExamProtocolFile

    rows = db.session.execute(
        select(StateExamProtocolFile, AcademicYear.name, AcademicYear.end_date)
        .join(AcademicYear, AcademicYear.id == StateExamProtocolFile.year_id)
        .where(StateExamProtocolFile.school_id == school_id, StateExamProtocolFile.status == "kept")
        .order_by(AcademicYear.end_date, StateExamProtocolFile.id)
    ).all()
    return [HeldRecord("state_exam_protocol", p.id, f"{year_name}: {p.original_name}", "state_exam_protocol", end)
            for p, year_name, end in rows]


def _exam_protocol_destroy(school_id: int, ref: int, act_id: int) -> Destroyed | None:
    from models.base import utcnow
    from models.year_archive import StateExamProtocolFile

    protocol = db.session.get(StateExamProtocolFile, ref)
    if protocol is None or protocol.school_id != school_id or protocol.status != "kept":
        return None
    path = exam_protocol_path(protocol.stored_name)
    protocol.status, protocol.destruction_act_id, protocol.destroyed_at = "destroyed", act_id, utcnow()
    return Destroyed({"protocol_files": 1}, [path] if path else [])


register(RecordKind("state_exam_protocol", N_("Протокол ГИА (файл)"), _exam_protocols_held, _exam_protocol_destroy))
