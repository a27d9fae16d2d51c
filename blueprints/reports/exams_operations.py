"""State exam results (JRN-11, 001:2.8.3): what the exam pages load, the entry of a class's
results of one subject, and the import of a protocol (CSV/XLSX) checked row by row before
anything is stored (the house style of the people import, ADM-4). Operations flush; the view
commits. The rules themselves (kinds, scores, the final mark) are domain/exams.py."""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.admin.imports.reading import (
    Column,
    RowError,
    normalise_class_name,
    normalise_person,
    parse_date,
    read_table,
    table_records,
)
from domain import exams
from domain.messages import Refusal
from domain.settings import school_settings
from extensions import db
from models import AcademicYear, ClassGroup, PeriodMark, Student, StudyPeriod, Subject, TeachingAssignment
from models.exams import ExamResult
from utils import audit

EXAM_GRADES = tuple(exams.KINDS_BY_GRADE)
MAX_ROWS = 3000

COLUMNS = [
    Column("student", _l("Обучающийся"), False, ("фио", "фио обучающегося", "участник", "фамилия имя отчество")),
    Column("class_name", _l("Класс")),
    Column("book_number", _l("Номер в алфавитной книге"), False, ("№ в алфавитной книге", "номер личного дела")),
    Column("subject", _l("Предмет"), True, ("учебный предмет",)),
    Column("kind", _l("Экзамен"), True, ("форма", "форма гиа", "вид экзамена")),
    Column("exam_date", _l("Дата экзамена"), False, ("дата",)),
    Column("primary_score", _l("Первичный балл"), False, ("первичный",)),
    Column("test_score", _l("Тестовый балл"), False, ("тестовый", "балл")),
    Column("mark", _l("Отметка"), False, ("оценка", "отметка по пятибалльной шкале")),
    Column("min_score", _l("Минимальный балл"), False, ("минимальный",)),
]


# Loading ------------------------------------------------------------------------------------


def exam_classes(school_id: int) -> list[ClassGroup]:
    """The grade 9 and 11 classes of the school's current year."""
    return list(db.session.scalars(
        select(ClassGroup)
        .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
        .where(ClassGroup.school_id == school_id, ClassGroup.kind == "class", AcademicYear.is_current.is_(True),
               ClassGroup.grade.in_(EXAM_GRADES))
        .options(joinedload(ClassGroup.year))
        .order_by(ClassGroup.grade, ClassGroup.name)
    ))


def load_class(class_id: int) -> ClassGroup | None:
    return db.session.scalar(
        select(ClassGroup).where(ClassGroup.id == class_id).options(joinedload(ClassGroup.year), joinedload(ClassGroup.school))
    )


def class_students(class_group: ClassGroup) -> list[Student]:
    return list(db.session.scalars(
        select(Student)
        .where(Student.current_class_id == class_group.id, Student.is_withdrawn.is_(False))
        .order_by(Student.last_name, Student.first_name, Student.middle_name, Student.id)
    ))


def class_subjects(class_group: ClassGroup) -> list[Subject]:
    """The subjects taught in the class and those with results of its year."""
    taught = select(TeachingAssignment.subject_id).where(TeachingAssignment.class_id == class_group.id)
    examined = select(ExamResult.subject_id).where(ExamResult.class_id == class_group.id)
    return list(db.session.scalars(
        select(Subject).where(Subject.id.in_(taught.union(examined))).order_by(Subject.name)
    ))


def year_marks(student_ids: list[int], year_id: int) -> dict[tuple[int, int], str]:
    """(student, subject) -> the year mark (PeriodMark of the year's "year" period)."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        select(PeriodMark.student_id, PeriodMark.subject_id, PeriodMark.value)
        .join(StudyPeriod, StudyPeriod.id == PeriodMark.period_id)
        .where(StudyPeriod.year_id == year_id, StudyPeriod.scheme == "year", PeriodMark.student_id.in_(student_ids))
    )
    return {(s, subj): v for s, subj, v in rows}


def results_of(student_ids: list[int], year_id: int) -> list[ExamResult]:
    if not student_ids:
        return []
    return list(db.session.scalars(
        select(ExamResult)
        .where(ExamResult.year_id == year_id, ExamResult.student_id.in_(student_ids))
        .options(joinedload(ExamResult.subject))
        .order_by(ExamResult.exam_date, ExamResult.id)
    ))


@dataclass
class FinalRow:
    """One subject of one student: the year mark, the exams and the final mark (аттестат)."""

    student: Student
    subject_id: int
    subject_name: str
    year_mark: str | None
    results: list[ExamResult] = field(default_factory=list)
    final_mark: str | None = None

    @property
    def exam_mark(self) -> str | None:
        marks = [r.mark for r in self.results if r.mark]
        return max(marks) if marks else None


def final_rows(students: list[Student], subjects: dict[int, str], marks: dict[tuple[int, int], str],
               results: list[ExamResult], rule: str, only_subject: int | None = None,
               with_exams_only: bool = False) -> list[FinalRow]:
    """Per student and subject the final mark by the school's rule; a subject's several exams
    (a retake on a reserve day) give their best mark."""
    by_pair: dict[tuple[int, int], list[ExamResult]] = defaultdict(list)
    for r in results:
        by_pair[(r.student_id, r.subject_id)].append(r)
        subjects.setdefault(r.subject_id, r.subject.name)
    rows = []
    for student in students:
        for subject_id, name in sorted(subjects.items(), key=lambda kv: kv[1]):
            if only_subject is not None and subject_id != only_subject:
                continue
            pair = (student.id, subject_id)
            if pair not in by_pair and (with_exams_only or pair not in marks):
                continue
            row = FinalRow(student, subject_id, name, marks.get(pair), by_pair.get(pair, []))
            row.final_mark = exams.final_mark(row.year_mark, row.exam_mark, rule)
            rows.append(row)
    return rows


def final_mark_rule(school) -> str:
    return school_settings(school.settings).get("final_mark_rule", exams.DEFAULT_FINAL_MARK_RULE)


# Entry by hand ------------------------------------------------------------------------------


def _open_year(class_group: ClassGroup) -> None:
    """A closed year is read-only for everyone (ARC-1)."""
    if class_group.year.is_closed:
        raise Refusal(_("Учебный год %(y)s закрыт: результаты экзаменов не изменяются.", y=class_group.year.name),
                      status=409)


@dataclass
class EntryLine:
    student_id: int
    primary: str = ""
    test: str = ""
    mark: str = ""
    min_score: str = ""
    error: str = ""


def _values(primary: int | None, test: int | None, mark: str | None, min_score: int | None) -> dict[str, Any]:
    return {"primary_score": primary, "test_score": test, "mark": mark, "min_score": min_score}


def _store(school_id: int, year_id: int, class_id: int, student_id: int, subject: Subject, kind: str,
           exam_date: date | None, values: dict[str, Any], source: str, protocol: str, user_id: int | None,
           existing: ExamResult | None) -> ExamResult:
    if kind in exams.SCORED_ONLY:
        values = dict(values)
        if values.get("min_score") is None:
            values["min_score"] = exams.ege_minimum(subject.name)
        passed = exams.ege_passed(values["test_score"], values["min_score"])
    else:
        passed = None if values.get("mark") is None else values["mark"] != "2"
    after = {**values, "kind": kind, "subject_id": subject.id, "exam_date": exam_date.isoformat() if exam_date else None,
             "passed": passed, "source": source}
    if existing is None:
        existing = ExamResult(school_id=school_id, year_id=year_id, class_id=class_id, student_id=student_id,
                              subject_id=subject.id, kind=kind)
        db.session.add(existing)
        before = None
    else:
        before = {"primary_score": existing.primary_score, "test_score": existing.test_score, "mark": existing.mark,
                  "min_score": existing.min_score, "passed": existing.passed,
                  "exam_date": existing.exam_date.isoformat() if existing.exam_date else None}
    existing.exam_date = exam_date
    existing.primary_score, existing.test_score = values["primary_score"], values["test_score"]
    existing.mark, existing.min_score, existing.passed = values["mark"], values["min_score"], passed
    existing.source, existing.protocol_name, existing.entered_by_id = source, protocol[:200], user_id
    db.session.flush()
    # History is part of the product: every exam result changed has its audit row (STYLE 4).
    audit.record("exam_result", existing.id, "create" if before is None else "update", before=before, after=after,
                 school_id=school_id, user_id=user_id)
    return existing


def save_entry(class_group: ClassGroup, subject: Subject, kind_text: str, date_text: str,
               lines: list[EntryLine], user) -> int:
    """The results of one subject and exam for a class, typed on the entry page; every line is
    checked first and a Refusal (with the lines' errors filled in) stores nothing. An emptied line
    removes the student's result. Answers the number of results stored."""
    _open_year(class_group)
    kind = exams.read_kind(kind_text, class_group.grade)
    exam_date = parse_date(date_text) if date_text.strip() else None
    if date_text.strip() and exam_date is None:
        raise Refusal(_("Неверная дата экзамена. Пишите ДД.ММ.ГГГГ."))
    checked: list[tuple[EntryLine, dict[str, Any] | None]] = []
    for line in lines:
        if not (line.primary or line.test or line.mark or line.min_score):
            checked.append((line, None))
            continue
        try:
            values = _values(exams.read_score(line.primary, _("Первичный балл")),
                             exams.read_score(line.test, _("Тестовый балл")),
                             exams.read_mark(line.mark), exams.read_score(line.min_score, _("Минимальный балл")))
            exams.check_result(kind, values["primary_score"], values["test_score"], values["mark"])
        except Refusal as refused:
            line.error = _(refused.message, **refused.params)
            continue
        checked.append((line, values))
    if any(line.error for line in lines):
        raise Refusal(_("Исправьте ошибки в строках: ничего не сохранено."))
    existing = {r.student_id: r for r in db.session.scalars(
        select(ExamResult).where(ExamResult.class_id == class_group.id, ExamResult.year_id == class_group.year_id,
                                 ExamResult.subject_id == subject.id, ExamResult.kind == kind))}
    stored = 0
    for line, values in checked:
        found = existing.get(line.student_id)
        if values is None:
            if found is not None:
                audit.record("exam_result", found.id, "delete", before={"mark": found.mark, "test_score": found.test_score},
                             school_id=class_group.school_id, user_id=user.id)
                db.session.delete(found)
            continue
        _store(class_group.school_id, class_group.year_id, class_group.id, line.student_id, subject, kind, exam_date,
               values, "manual", "", user.id, found)
        stored += 1
    db.session.flush()
    return stored


# Import of a protocol -----------------------------------------------------------------------


@dataclass
class ImportContext:
    by_book: dict[str, Student]
    by_name: dict[tuple[str, str], list[Student]]  # (person, class) -> students
    classes: dict[int, ClassGroup]
    subjects: dict[str, Subject]


@dataclass
class ExamPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def import_context(school) -> ImportContext:
    classes = {c.id: c for c in exam_classes(school.id)}
    students = list(db.session.scalars(
        select(Student).where(Student.current_class_id.in_(list(classes) or [-1]), Student.is_withdrawn.is_(False))
    ))
    by_name: dict[tuple[str, str], list[Student]] = defaultdict(list)
    for s in students:
        by_name[(normalise_person(s.full_name), normalise_class_name(classes[s.current_class_id].name))].append(s)
    subjects: dict[str, Subject] = {}
    for subject in db.session.scalars(select(Subject).where(Subject.school_id == school.id)):
        subjects[normalise_person(subject.name)] = subject
        if subject.short_name:
            subjects.setdefault(normalise_person(subject.short_name), subject)
    return ImportContext({s.book_number: s for s in students if s.book_number}, by_name, classes, subjects)


def read_protocol(filename: str, data: bytes) -> list[list[str]]:
    """The protocol as a table of strings; ImportFileError (400) for a file that is not a table
    (its magic bytes are checked by utils.spreadsheets) or is over the import limits."""
    return read_table(filename, data)


def build_plan(table: list[list[str]], context: ImportContext) -> ExamPlan:
    """Every row of the protocol checked: who, which subject and exam, the scores; every error
    with its row and column in Russian."""
    records, ignored, file_errors = table_records(COLUMNS, table)
    plan = ExamPlan(ignored_columns=ignored, errors=list(file_errors))
    if plan.errors:
        return plan
    if len(records) > MAX_ROWS:
        plan.errors.append(RowError(0, "", _("В файле больше %(n)s строк. Разделите его на части.", n=MAX_ROWS)))
        return plan
    titles = {c.key: str(c.title) for c in COLUMNS}
    seen: dict[tuple[int, int, str], int] = {}
    for record in records:
        row = int(record["_row"])
        errors_before = len(plan.errors)

        def error(key: str, message: str, row=row) -> None:
            plan.errors.append(RowError(row, titles[key], message))

        def value(key: str, record=record) -> str:
            return str(record.get(key, "") or "").strip()

        student = None
        book, name, class_name = value("book_number"), value("student"), value("class_name")
        if book:
            student = context.by_book.get(book)
            if student is None:
                error("book_number", _("Нет обучающегося 9 или 11 класса с номером %(n)s в алфавитной книге.", n=book[:20]))
        elif name and class_name:
            found = context.by_name.get((normalise_person(name), normalise_class_name(class_name)), [])
            if not found:
                error("student", _("В классе «%(c)s» нет обучающегося «%(n)s».", c=class_name[:30], n=name[:80]))
            elif len(found) > 1:
                error("student", _("В классе «%(c)s» несколько обучающихся «%(n)s»: укажите номер в алфавитной книге.",
                                   c=class_name[:30], n=name[:80]))
            else:
                student = found[0]
        else:
            error("student", _("Укажите обучающегося: ФИО и класс или номер в алфавитной книге."))
        subject = context.subjects.get(normalise_person(value("subject")))
        if not value("subject"):
            error("subject", _("Не указан предмет."))
        elif subject is None:
            error("subject", _("Предмета «%(s)s» нет в школе.", s=value("subject")[:60]))
        kind = None
        if student is not None and context.classes[student.current_class_id].year.is_closed:
            error("class_name", _("Учебный год закрыт: результаты экзаменов не изменяются."))
            student = None
        if student is not None:
            grade = context.classes[student.current_class_id].grade
            try:
                kind = exams.read_kind(value("kind"), grade)
            except Refusal as refused:
                error("kind", _(refused.message, **refused.params))
        exam_date = None
        if value("exam_date"):
            exam_date = parse_date(value("exam_date"))
            if exam_date is None:
                error("exam_date", _("Неверная дата «%(t)s». Пишите ДД.ММ.ГГГГ.", t=value("exam_date")[:20]))
        scores = {}
        for key, label in (("primary_score", _("Первичный балл")), ("test_score", _("Тестовый балл")),
                           ("min_score", _("Минимальный балл"))):
            try:
                scores[key] = exams.read_score(value(key), label)
            except Refusal as refused:
                error(key, _(refused.message, **refused.params))
        try:
            mark = exams.read_mark(value("mark"))
        except Refusal as refused:
            error("mark", _(refused.message, **refused.params))
            mark = None
        if len(plan.errors) > errors_before:
            continue
        try:
            exams.check_result(kind, scores["primary_score"], scores["test_score"], mark)
        except Refusal as refused:
            error("mark" if kind not in exams.SCORED_ONLY else "test_score", _(refused.message, **refused.params))
            continue
        key = (student.id, subject.id, kind)
        if key in seen:
            error("subject", _("Результат этого обучающегося по предмету уже есть в строке %(r)s.", r=seen[key]))
            continue
        seen[key] = row
        plan.rows.append({
            "row": row, "student_id": student.id, "student_name": student.full_name,
            "class_id": student.current_class_id, "class_name": context.classes[student.current_class_id].name,
            "subject_id": subject.id, "subject_name": subject.name, "kind": kind,
            "exam_date": exam_date.isoformat() if exam_date else None, "mark": mark, **scores,
        })
    return plan


def plan_pending(payload: dict[str, Any], school) -> ExamPlan:
    return build_plan(payload["table"], import_context(school))


def apply_import(school, plan: ExamPlan, filename: str, user) -> int:
    """Store every row of a checked protocol: a student's result of the same subject and exam is
    replaced (a corrected protocol)."""
    context = import_context(school)
    subjects = {s.id: s for s in context.subjects.values()}
    for row in plan.rows:
        cls = context.classes[row["class_id"]]
        existing = db.session.scalar(select(ExamResult).where(
            ExamResult.student_id == row["student_id"], ExamResult.year_id == cls.year_id,
            ExamResult.subject_id == row["subject_id"], ExamResult.kind == row["kind"]))
        _store(school.id, cls.year_id, cls.id, row["student_id"], subjects[row["subject_id"]], row["kind"],
               date.fromisoformat(row["exam_date"]) if row["exam_date"] else None,
               _values(row["primary_score"], row["test_score"], row["mark"], row["min_score"]),
               "import", filename, user.id, existing)
    db.session.flush()
    return len(plan.rows)


def preview_rows(plan: ExamPlan) -> list[list[str]]:
    def shown(v):
        return "" if v is None else str(v)

    return [[str(r["row"]), r["student_name"], r["class_name"], r["subject_name"], str(exams.KIND_LABELS[r["kind"]]),
             date.fromisoformat(r["exam_date"]).strftime("%d.%m.%Y") if r["exam_date"] else "",
             shown(r["primary_score"]), shown(r["test_score"]), shown(r["mark"])] for r in plan.rows]





# The protocol's file, kept as uploaded (001:2.8.5: 5 years; blueprints/archive/retention_records.py) --


def protocol_store():
    from flask import current_app

    from blueprints.archive.retention_records import EXAM_PROTOCOL_SUBFOLDER
    from utils.uploads import UploadStore

    return UploadStore(current_app.config["UPLOAD_FOLDER"], EXAM_PROTOCOL_SUBFOLDER)


PROTOCOL_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv",
                  "txt": "text/csv"}


def keep_protocol_file(school, plan: ExamPlan, filename: str, data: bytes, user, store):
    """The imported protocol's file in the upload folder (written through utils/uploads.py's
    store: removed again if the import is rolled back) and its row; flushed."""
    import hashlib

    from models.year_archive import StateExamProtocolFile
    from utils.uploads import Upload

    if not data or not plan.rows:
        return None
    context = import_context(school)
    year_ids = [context.classes[row["class_id"]].year_id for row in plan.rows]
    year_id = max(set(year_ids), key=year_ids.count)
    name = os.path.basename((filename or "").replace("\\", "/"))[:200] or "protocol"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "csv"
    extension = extension if extension in PROTOCOL_TYPES else "csv"
    stored = store.write(Upload(name, extension, PROTOCOL_TYPES[extension], data))
    row = StateExamProtocolFile(
        school_id=school.id, year_id=year_id, kinds=",".join(sorted({r["kind"] for r in plan.rows})),
        stored_name=stored, original_name=name, content_type=PROTOCOL_TYPES[extension], size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), rows=len(plan.rows), uploaded_by_id=user.id, status="kept")
    db.session.add(row)
    db.session.flush()
    audit.record("state_exam_protocol", row.id, "create", after={"name": name, "sha256": row.sha256},
                 school_id=school.id, user_id=user.id)
    return row


def protocol_files(school_id: int):
    from models.year_archive import StateExamProtocolFile

    return list(db.session.scalars(
        select(StateExamProtocolFile).where(StateExamProtocolFile.school_id == school_id)
        .options(joinedload(StateExamProtocolFile.year))
        .order_by(StateExamProtocolFile.uploaded_at.desc(), StateExamProtocolFile.id.desc())))
