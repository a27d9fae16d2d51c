"""Building the signed archive packages of a year (ARC-1, ARC-3; 001:2.5.9, 002:5.5, 004:2.7).

    build_year_packages(year, actor)          every class of the year + the summary sheets
    build_class_package(class_group, year, actor)
    build_summary_sheets_package(year, actor) as soon as the year's accounting ends

A class's package is the list of CONTENT_BUILDERS' files (journal pages and the year's summary
sheet as certified PDFs, the data as CSV and JSON, the personal-file extracts when that module
exists) plus a description (description.json and description.txt). It is written with
utils/archive_packages.create_package under the same name to EVERY backup destination
(jobs/backup.destinations, 003:6.4: two media in different rooms), in `<destination>/archive/`,
whose `SHA256SUMS` (the `sha256sum -c` format) lists every file of every package. The row
(ArchivePackage) is flushed; the caller commits. A package is never rewritten: building a class
again (a debt cleared in August) makes a new package with the next number."""
from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.archive.cli import signing_key_path
from blueprints.journal import queries as journal_queries
from blueprints.journal.printing import journal_page
from blueprints.reports import summary_sheet_queries as sheet_queries
from blueprints.reports import summary_sheet_xlsx as sheet_xlsx
from extensions import db
from jobs import backup
from jobs.runner import Progress, manual_key, run_once
from models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    Lesson,
    Mark,
    PeriodMark,
    School,
    StudyPeriod,
    TeachingAssignment,
    User,
)
from models.archive import ArchivePackage, CouncilDecision
from models.base import utcnow
from utils import archive_packages, audit
from utils.pdf_pool import PdfRenderer
from utils.printouts import Certificate, Signer, certificate, director_signer, record_printout, short_name

ARCHIVE_FOLDER = "archive"  # inside each backup destination
SUMS_FILE = "SHA256SUMS"
JOB_ID = "archive_packages"
RETENTION = {"class_year": "journal", "summary_sheets": "summary_sheet"}

# Transliteration of class names for folder names (ГОСТ 7.79-2000 Б, simplified): a package's
# folder must open on any system years later.
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "j", "k", "l", "m", "n", "o", "p",
                      "r", "s", "t", "u", "f", "h", "c", "ch", "sh", "shh", "", "y", "", "e", "yu", "ya"], strict=True))


def slug(text: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) if ch.islower() else _TRANSLIT.get(ch.lower(), ch).upper()
                  for ch in text)
    return re.sub(r"[^A-Za-z0-9]+", "-", out).strip("-") or "x"


# --- What goes into a package --------------------------------------------------------------------


@dataclass
class PendingPdf:
    """A certified PDF to render: its place in the package, its certificate, its HTML."""

    relpath: str
    cert: Certificate
    html: str


@dataclass
class PackageContext:
    school: School
    year: AcademicYear
    actor: User
    class_group: ClassGroup | None  # None: the year's summary sheets package
    today: date
    files: dict[str, bytes] = field(default_factory=dict)
    pdfs: list[PendingPdf] = field(default_factory=list)
    contents: list[str] = field(default_factory=list)  # what is inside, for the description
    printouts: list[str] = field(default_factory=list)  # codes of the certified PDFs


def _add_pdf(ctx: PackageContext, relpath: str, template: str, *, kind: str, title: str, period: str,
             signers, of: dict, **context) -> None:
    cert = certificate(ctx.school, kind=kind, title=title, period=period, signers=signers, of=of,
                       default_tz=current_app.config["SCHOOL_TIMEZONE"])
    # The app's environment, not render_template: a build may run outside a request (a job).
    html = current_app.jinja_env.get_template(template).render(cert=cert, **context)
    ctx.pdfs.append(PendingPdf(relpath, cert, html))


def _class_periods(class_group: ClassGroup) -> list[StudyPeriod]:
    periods, year_period = sheet_queries.sheet_periods(class_group)
    return periods + ([year_period] if year_period else [])


def journal_pages(ctx: PackageContext) -> None:
    """The printed journal pages of every assignment of the class, one PDF per period (004:3.3)."""
    class_group = ctx.class_group
    assignments = db.session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.class_id == class_group.id, TeachingAssignment.year_id == ctx.year.id)
        .options(joinedload(TeachingAssignment.subject), joinedload(TeachingAssignment.teacher),
                 joinedload(TeachingAssignment.subgroup), joinedload(TeachingAssignment.school),
                 joinedload(TeachingAssignment.class_group), joinedload(TeachingAssignment.year))
        .order_by(TeachingAssignment.id)
    ).unique().all()
    periods = [p for p in _class_periods(class_group) if p.scheme != sheet_queries.YEAR]
    for assignment in assignments:
        for period in periods:
            grid = journal_queries.load_grid(assignment, ctx.today, period.id)
            page = journal_page(grid, ctx.today, user=ctx.actor)
            name = slug(assignment.subject.name) + (f"-{slug(assignment.subgroup.name)}" if assignment.subgroup else "")
            _add_pdf(
                ctx, f"journals/{name}/{period.number:02d}-{slug(period.name)}.pdf", "pdf/journal_page.html",
                kind="journal_page",
                title=_("Классный журнал: %(subject)s, %(group)s", subject=page["subject"], group=page["group"]),
                period=f"{page['period']} ({page['period_dates']}), {page['year']}",
                signers=[Signer(_("Учитель"), page["teacher_short"]), director_signer(ctx.school)],
                of={"assignment_id": assignment.id, "class_id": class_group.id, "period_id": period.id,
                    "archive": True},
                page=page,
            )
    ctx.contents.append(_("Страницы классного журнала (PDF): %(n)s предметов × %(p)s периодов",
                          n=len(assignments), p=len(periods)))


def _summary_sheet_pdf(ctx: PackageContext, class_group: ClassGroup, relpath: str) -> bool:
    """The class's year summary sheet, as blueprints/reports/summary_sheet.py prints it."""
    sheet = sheet_queries.build_sheet(class_group, sheet_queries.YEAR)
    if sheet is None:
        return False
    step = max(1, 30 // max(len(sheet.mark_headers), 1))  # summary_sheet.MARKS_PER_TABLE
    chunks = [sheet.columns[i:i + step] for i in range(0, len(sheet.columns), step)] or [[]]
    dates = f"{sheet.start.strftime('%d.%m.%Y')} – {sheet.end.strftime('%d.%m.%Y')}"
    _add_pdf(
        ctx, relpath, "pdf/summary_sheet.html", kind="summary_sheet", title=sheet_xlsx.title(sheet),
        period=_("%(y)s учебный год (%(d)s)", y=sheet.year_name, d=dates),
        signers=[Signer(_("Классный руководитель"), short_name(sheet.class_teacher_name)),
                 director_signer(ctx.school)],
        of={"class_id": class_group.id, "period_id": sheet.period_key, "archive": True},
        sheet=sheet, chunks=chunks, count_columns=sheet_xlsx.count_columns(sheet),
    )
    return True


def summary_sheet(ctx: PackageContext) -> None:
    if _summary_sheet_pdf(ctx, ctx.class_group, f"summary-sheet-{slug(ctx.class_group.name)}.pdf"):
        ctx.contents.append(_("Сводная ведомость учёта успеваемости за год (PDF)"))


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # a BOM: Excel opens Cyrillic CSV correctly


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def data_files(ctx: PackageContext) -> None:
    """The year's data of the class as CSV (one table a file) and one JSON: students, lessons,
    marks, attendance, period marks and the council's decisions."""
    class_group = ctx.class_group
    sheet = sheet_queries.build_sheet(class_group, sheet_queries.YEAR)
    roster = sheet_queries._roster(class_group, ctx.year.start_date, ctx.year.end_date)
    students = [s for s, _left in roster]
    student_ids = [s.id for s in students]
    assignments = db.session.scalars(
        select(TeachingAssignment).where(TeachingAssignment.class_id == class_group.id)
        .options(joinedload(TeachingAssignment.subject), joinedload(TeachingAssignment.subgroup))
    ).unique().all()
    by_assignment = {a.id: a for a in assignments}
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.assignment_id.in_(list(by_assignment) or [0]))
        .order_by(Lesson.date, Lesson.lesson_number, Lesson.id)
    ).all()
    lesson_by_id = {lesson.id: lesson for lesson in lessons}
    lesson_ids = list(lesson_by_id) or [0]
    marks = db.session.scalars(
        select(Mark).where(Mark.lesson_id.in_(lesson_ids), Mark.is_deleted.is_(False)).order_by(Mark.id)
    ).all()
    attendance = db.session.scalars(
        select(Attendance).where(Attendance.lesson_id.in_(lesson_ids), Attendance.is_deleted.is_(False))
        .order_by(Attendance.id)
    ).all()
    period_marks = db.session.scalars(
        select(PeriodMark).where(PeriodMark.assignment_id.in_(list(by_assignment) or [0]))
        .order_by(PeriodMark.id)
    ).all()
    decisions = db.session.scalars(
        select(CouncilDecision).where(CouncilDecision.year_id == ctx.year.id,
                                      CouncilDecision.student_id.in_(student_ids or [0]))
        .order_by(CouncilDecision.id)
    ).all()
    periods = {p.id: p.name for p in _class_periods(class_group)}

    def subject(assignment_id: int) -> str:
        a = by_assignment.get(assignment_id)
        if a is None:
            return ""
        return a.subject.name + (f" ({a.subgroup.name})" if a.subgroup else "")

    names = {s.id: s.full_name for s in students}
    data = {
        "students": [{"id": s.id, "book_number": s.book_number, "last_name": s.last_name,
                      "first_name": s.first_name, "middle_name": s.middle_name,
                      "birth_date": _iso(s.birth_date)} for s in students],
        "lessons": [{"id": x.id, "subject": subject(x.assignment_id), "date": _iso(x.date),
                     "number": x.lesson_number, "topic": x.topic} for x in lessons],
        "marks": [{"lesson_id": m.lesson_id, "date": _iso(lesson_by_id[m.lesson_id].date),
                   "subject": subject(lesson_by_id[m.lesson_id].assignment_id), "student_id": m.student_id,
                   "student": names.get(m.student_id, ""), "value": m.value} for m in marks],
        "attendance": [{"lesson_id": a.lesson_id, "date": _iso(lesson_by_id[a.lesson_id].date),
                        "subject": subject(lesson_by_id[a.lesson_id].assignment_id), "student_id": a.student_id,
                        "student": names.get(a.student_id, ""), "code": a.code} for a in attendance],
        "period_marks": [{"student_id": p.student_id, "student": names.get(p.student_id, ""),
                          "subject": subject(p.assignment_id), "period": periods.get(p.period_id, ""),
                          "value": p.value} for p in period_marks],
        "council_decisions": [{"student_id": d.student_id, "student": names.get(d.student_id, ""),
                               "decision": d.decision, "protocol_number": d.protocol_number,
                               "protocol_date": _iso(d.protocol_date), "note": d.note} for d in decisions],
        "summary_sheet_columns": [c.name for c in sheet.columns] if sheet else [],
    }
    ctx.files["data/data.json"] = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    for table, rows in data.items():
        if not rows or not isinstance(rows[0], dict):
            continue
        header = list(rows[0])
        ctx.files[f"data/{table}.csv"] = _csv(header, [[r[k] for k in header] for r in rows])
    ctx.contents.append(_("Данные в CSV и JSON: ученики (%(s)s), уроки (%(l)s), отметки (%(m)s), посещаемость "
                          "(%(a)s), отметки за периоды (%(p)s), решения педсовета (%(d)s)",
                          s=len(students), l=len(lessons), m=len(marks), a=len(attendance), p=len(period_marks),
                          d=len(decisions)))


def personal_file_extracts(ctx: PackageContext) -> None:
    """The extracts of the personal files (PD-8) when blueprints/personal_data/files_printing
    provides `personal_file_extract_pdf(student, year)` (issue 14, another part); else none."""
    try:
        module = importlib.import_module("blueprints.personal_data.files_printing")
    except ImportError:
        return
    extract = getattr(module, "personal_file_extract_pdf", None)
    if extract is None:
        return
    roster = sheet_queries._roster(ctx.class_group, ctx.year.start_date, ctx.year.end_date)
    count = 0
    for student, _left in roster:
        pdf = extract(student, ctx.year)
        if pdf:
            ctx.files[f"personal-files/{student.book_number or student.id}-{slug(student.last_name)}.pdf"] = (
                pdf[0] if isinstance(pdf, tuple) else pdf)
            count += 1
    ctx.contents.append(_("Выписки из личных дел (PDF): %(n)s", n=count))


ContentBuilder = Callable[[PackageContext], None]
CONTENT_BUILDERS: list[ContentBuilder] = [journal_pages, summary_sheet, data_files, personal_file_extracts]


# --- Writing ---------------------------------------------------------------------------------


def _render(ctx: PackageContext) -> None:
    """Render the pending PDFs (in the process pool when there are many) and keep each as a
    certified printout."""
    if not ctx.pdfs:
        return
    workers = current_app.config.get("REPORT_WORKERS")
    if len(ctx.pdfs) < 4 or current_app.testing:
        workers = 0
    with PdfRenderer(current_app.static_folder, workers) as renderer:
        results = renderer.render([p.html for p in ctx.pdfs])
    for pending, result in zip(ctx.pdfs, results, strict=True):
        if isinstance(result, Exception):
            raise result
        record_printout(result, pending.cert, ctx.actor)
        ctx.files[pending.relpath] = result
        ctx.printouts.append(pending.cert.code)
    ctx.pdfs.clear()


def _description(ctx: PackageContext, kind: str, name: str) -> None:
    built_at = utcnow()
    info = {
        "school": ctx.school.name,
        "year": ctx.year.name,
        "year_dates": [_iso(ctx.year.start_date), _iso(ctx.year.end_date)],
        "class": ctx.class_group.name if ctx.class_group else None,
        "kind": kind,
        "package": name,
        "contents": ctx.contents,
        "files": sorted(ctx.files),
        "certified_printouts": ctx.printouts,
        "built_by": ctx.actor.full_name,
        "built_at": built_at.isoformat(),
    }
    ctx.files["description.json"] = json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8")
    lines = [
        _("Архивный пакет: %(name)s", name=name),
        _("Образовательная организация: %(school)s", school=ctx.school.name),
        _("Учебный год: %(year)s", year=ctx.year.name),
    ]
    if ctx.class_group:
        lines.append(_("Класс: %(cls)s", cls=ctx.class_group.name))
    lines.append(_("Содержание:"))
    lines += [f"  - {c}" for c in ctx.contents]
    lines.append(_("Файлы:"))
    lines += [f"  data/{f}" for f in sorted(ctx.files) if f != "description.json"]
    lines += [
        _("Сформировал: %(who)s", who=ctx.actor.full_name),
        _("Дата и время (UTC): %(when)s", when=built_at.strftime("%d.%m.%Y %H:%M")),
        _("Проверка: python3 verify_package.py . (нужны Python и cryptography; открытый ключ школы — "
          "в акте приёма-передачи)"),
    ]
    ctx.files["description.txt"] = ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _package_name(school_id: int, base: str) -> str:
    taken = set(db.session.scalars(
        select(ArchivePackage.name).where(ArchivePackage.school_id == school_id, ArchivePackage.name.like(base + "%"))
    ))
    if base not in taken:
        return base
    n = 2
    while f"{base}-v{n}" in taken:
        n += 1
    return f"{base}-v{n}"


def _update_sums(archive_dir: Path, package_dir: Path) -> None:
    """Append the package's files to the destination's SHA256SUMS (replaced atomically)."""
    sums = archive_dir / SUMS_FILE
    old = sums.read_text(encoding="utf-8") if sums.exists() else ""
    lines = []
    for path in sorted(p for p in package_dir.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(archive_dir).as_posix()}\n")
    fd, tmp = tempfile.mkstemp(prefix=".sums-", dir=archive_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(old + "".join(lines))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, sums)


def forget_in_sums(package_dir: Path) -> None:
    """Drop a destroyed package's lines from its destination's SHA256SUMS (replaced atomically),
    so that `sha256sum -c` of the destination still checks what is kept (ARC-2)."""
    archive_dir = package_dir.parent
    sums = archive_dir / SUMS_FILE
    if not sums.exists():
        return
    prefix = f"{package_dir.name}/"
    kept = [line for line in sums.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.partition("  ")[2].startswith(prefix)]
    fd, tmp = tempfile.mkstemp(prefix=".sums-", dir=archive_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(kept))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, sums)


def archive_dirs() -> list[Path]:
    return [Path(d) / ARCHIVE_FOLDER for d in backup.destinations(current_app)]


def _write(ctx: PackageContext, kind: str, base: str) -> ArchivePackage:
    name = _package_name(ctx.school.id, base)
    _render(ctx)
    _description(ctx, kind, name)
    key = archive_packages.load_or_create_signing_key(signing_key_path())
    info = {
        "Source-Organization": ctx.school.name,
        "External-Description": (f"{ctx.class_group.name}, " if ctx.class_group else "") + ctx.year.name,
        "External-Identifier": name,
        "Bag-Group-Identifier": ctx.year.name,
    }
    written: list[str] = []
    packages = []
    try:
        for archive_dir in archive_dirs():
            package = archive_packages.create_package(archive_dir / name, ctx.files, info, key)
            written.append(str(package.path))
            packages.append(package)
        # The manifests only once every copy exists: a failed build leaves no line behind.
        for archive_dir, package in zip(archive_dirs(), packages, strict=True):
            _update_sums(archive_dir, package.path)
    except BaseException:
        for path in written:  # all destinations or none
            shutil.rmtree(path, ignore_errors=True)
        raise
    first = packages[0].path
    tag_sha = hashlib.sha256((first / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    row = ArchivePackage(
        school_id=ctx.school.id, year_id=ctx.year.id, class_id=ctx.class_group.id if ctx.class_group else None,
        kind=kind, name=name, destinations=written, files=packages[0].files, bytes=packages[0].bytes,
        tag_manifest_sha256=tag_sha, public_key_fingerprint=archive_packages.fingerprint(key),
        retention_kind=RETENTION[kind], counted_from=ctx.year.end_date, created_by_id=ctx.actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("archive_package", row.id, "create",
                 after={"name": name, "kind": kind, "files": row.files, "destinations": written},
                 school_id=ctx.school.id)
    return row


def _context(year: AcademicYear, actor: User, class_group: ClassGroup | None) -> PackageContext:
    from utils.timeutil import school_today

    school = db.session.get(School, year.school_id)
    # Printed as of the year's last day, so the pages show the year as it ended.
    today = min(school_today(school.timezone), year.end_date)
    return PackageContext(school=school, year=year, actor=actor, class_group=class_group, today=today)


def class_student_ids(class_group: ClassGroup) -> list[int]:
    """The students who belonged to the class at some day of its year (the sheet's roster)."""
    year = class_group.year
    return [s.id for s, _left in sheet_queries._roster(class_group, year.start_date, year.end_date)]


def build_class_package(class_group: ClassGroup, year: AcademicYear, actor: User) -> ArchivePackage:
    """A class's year (ARC-1): the package in every destination and its row (flushed)."""
    ctx = _context(year, actor, class_group)
    for builder in CONTENT_BUILDERS:
        builder(ctx)
    return _write(ctx, "class_year", f"{slug(year.name)}_class-{slug(class_group.name)}-{class_group.id}")


def build_summary_sheets_package(year: AcademicYear, actor: User) -> ArchivePackage:
    """The year's summary sheets of all classes (001:2.5.9: to the archive as soon as the year's
    accounting ends, even before the year is closed)."""
    ctx = _context(year, actor, None)
    classes = _year_classes(year)
    for class_group in classes:
        _summary_sheet_pdf(ctx, class_group, f"summary-sheets/{slug(class_group.name)}-{class_group.id}.pdf")
    ctx.contents.append(_("Сводные ведомости учёта успеваемости за год (PDF): %(n)s классов", n=len(ctx.pdfs)))
    return _write(ctx, "summary_sheets", f"{slug(year.name)}_summary-sheets")


def _year_classes(year: AcademicYear) -> list[ClassGroup]:
    return db.session.scalars(
        select(ClassGroup).where(ClassGroup.year_id == year.id)
        .options(joinedload(ClassGroup.year), joinedload(ClassGroup.school), joinedload(ClassGroup.class_teacher))
        .order_by(ClassGroup.grade, ClassGroup.name)
    ).unique().all()


def _built(year_id: int) -> tuple[set[int], bool]:
    """The classes of the year that have a package, and whether the summary sheets have one."""
    rows = db.session.execute(select(ArchivePackage.kind, ArchivePackage.class_id).where(
        ArchivePackage.year_id == year_id, ArchivePackage.status == "complete")).all()
    return {c for k, c in rows if k == "class_year" and c is not None}, any(k == "summary_sheets" for k, _c in rows)


def build_year_packages(year: AcademicYear, actor: User, trigger: str = "admin", only_missing: bool = False,
                        on_claimed: Callable[[int], None] | None = None) -> dict:
    """The one entry point after closing a year: every class's package and the summary sheets,
    as a job run (its progress on the jobs page). Each package is committed as it is written;
    a class that fails is recorded in the run and the others go on. `only_missing` (the queued
    build after closing, its retry): a class or the summary sheets already archived are not
    built again. `on_claimed(run_id)` is called once the run is claimed (before any work)."""
    year_id, actor_id = year.id, actor.id

    def work(run, progress: Progress) -> dict:
        if on_claimed is not None:
            on_claimed(run.id)
        year_ = db.session.get(AcademicYear, year_id)
        actor_ = db.session.get(User, actor_id)
        built_classes, built_sheets = _built(year_id) if only_missing else (set(), False)
        class_ids = [c.id for c in _year_classes(year_) if c.id not in built_classes]
        progress.set_total(len(class_ids) + (0 if built_sheets else 1))
        done = failed = 0
        errors, names = [], []
        for class_id in class_ids:
            class_group = db.session.get(ClassGroup, class_id)
            try:
                names.append(build_class_package(class_group, year_, actor_).name)
                db.session.commit()
                done += 1
            except Exception as error:  # one class's failure must not lose the others
                db.session.rollback()
                failed += 1
                errors.append(f"{class_group.name}: {error}")
            progress.advance(done, failed)
            year_ = db.session.get(AcademicYear, year_id)
            actor_ = db.session.get(User, actor_id)
        if not built_sheets:
            try:
                names.append(build_summary_sheets_package(year_, actor_).name)
                db.session.commit()
                done += 1
            except Exception as error:
                db.session.rollback()
                failed += 1
                errors.append(f"summary sheets: {error}")
            progress.advance(done, failed)
        return {"packages": done, "failed": failed, "names": names, "errors": errors}

    run = run_once(JOB_ID, manual_key(), work, trigger=trigger, school_id=year.school_id, user_id=actor_id)
    return {"run_id": run.id if run else None, "status": run.status if run else "skipped",
            "counts": dict(run.counts or {}) if run else {}}


# --- Reading and checking --------------------------------------------------------------------


@dataclass
class CopyCheck:
    destination: str
    ok: bool
    problems: list[str]


def verify(package: ArchivePackage) -> list[CopyCheck]:
    """Check every destination's copy against the school's public key (ARC-3)."""
    key = archive_packages.load_or_create_signing_key(signing_key_path())
    pem = archive_packages.public_key_pem(key)
    checks = []
    for path in package.destinations or []:
        if not os.path.isdir(path):
            checks.append(CopyCheck(path, False, [_("копия отсутствует")]))
            continue
        ok, problems = archive_packages.verify_package(path, pem)
        checks.append(CopyCheck(path, ok, problems))
    return checks


def year_packages(school_id: int) -> list[tuple[AcademicYear, list[ArchivePackage], list[ClassGroup]]]:
    """The school's years (newest first) with their packages and classes: three statements."""
    years = db.session.scalars(
        select(AcademicYear).where(AcademicYear.school_id == school_id).order_by(AcademicYear.start_date.desc())
    ).all()
    packages = db.session.scalars(
        select(ArchivePackage).where(ArchivePackage.school_id == school_id)
        .options(selectinload(ArchivePackage.class_group))
        .order_by(ArchivePackage.kind.desc(), ArchivePackage.name)
    ).all()
    classes = db.session.scalars(
        select(ClassGroup).where(ClassGroup.school_id == school_id).order_by(ClassGroup.grade, ClassGroup.name)
    ).all()
    return [(y, [p for p in packages if p.year_id == y.id], [c for c in classes if c.year_id == y.id])
            for y in years]


def acceptance_act_pdf(year: AcademicYear, actor: User) -> tuple[bytes, object]:
    """The act of acceptance into the archive (акт приёма-передачи): the year's packages with
    their tag-manifest SHA-256, the school's public key and fingerprint, the signature lines.
    A certified printout; flushed, the caller commits."""
    from utils.printouts import certified_pdf

    packages = db.session.scalars(
        select(ArchivePackage)
        .where(ArchivePackage.year_id == year.id, ArchivePackage.status == "complete")
        .options(selectinload(ArchivePackage.class_group))
        .order_by(ArchivePackage.kind.desc(), ArchivePackage.name)
    ).all()
    key = archive_packages.load_or_create_signing_key(signing_key_path())
    school = db.session.get(School, year.school_id)
    destinations = [str(d) for d in archive_dirs()]
    return certified_pdf(
        "pdf/archive_act.html", kind="archive_act",
        title=_("Акт приёма-передачи документов в архив"), period=_("%(y)s учебный год", y=year.name),
        signers=[Signer(_("Сдал (ответственный за журналы)"), ""), Signer(_("Принял (ответственный за архив)"), ""),
                 director_signer(school)],
        user=actor, of={"year_id": year.id},
        packages=packages, public_key=archive_packages.public_key_pem(key).decode("ascii"),
        fingerprint=archive_packages.fingerprint(key), destinations=destinations, year=year,
    )
