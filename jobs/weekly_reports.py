"""The weekly report for parents who refused electronic access (DIA-4; 003:2.6-2.7,
Приложение 1 п.3): every Saturday, per student one A4 page of the week — marks by subject and
day with their kinds of work, absences with reasons, homework, the weighted averages of the
period — printed for the class teacher to hand over, or e-mailed when the parent asked for
e-mail AND the consent sheet grants it (item 6.9, PD-1).

Output of one run, per school:
    <REPORTS_FOLDER>/<school id>/<Monday of the week>/class-<name>.pdf
one file per class with a page per printed copy (students in alphabetical order; a student
appears once per parent who receives paper, each copy naming its parent and carrying that
parent's signature line), and one PDF per e-mailed parent, attached to the message and not
kept on disk. An e-mail that could not be sent (server down, e-mail disabled) becomes a
printed copy in the class file, so the family still gets the week (003:2.7 «не реже одного
раза в неделю»).

The run is claimed under (job, scheduled slot) by jobs.runner.run_once: a second scheduler
on the same database skips the slot. Pages are rendered in a process pool (utils.pdf_pool);
a student whose page fails is recorded and the others go on.
"""
from __future__ import annotations

import os
import re
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from database import deferred_transactions
from domain import attendance
from domain.grading import format_average
from domain.settings import school_settings
from extensions import db
from jobs.runner import Progress, run_once
from models import AcademicYear, ClassGroup, JobRun, School, Student
from models.base import as_utc, utcnow
from models.jobs import SentEmail
from utils import audit, disclosures
from utils.mail import Attachment, Mailer, build_message, send_recorded, sender_address
from utils.pdf_pool import PdfRenderer, merge_pdfs, write_atomic
from utils.printouts import Certificate, Signer, certificate, printouts_dir, record_printout

JOB_ID = "weekly_reports"
TEMPLATE = "pdf/weekly_report.html"
WEEK_DAYS = 6  # Monday to Saturday
WEEKDAY_NAMES = (_l("Пн"), _l("Вт"), _l("Ср"), _l("Чт"), _l("Пт"), _l("Сб"), _l("Вс"))
# One A4 page: the lines the absence and homework lists may take together, for a table of nine
# one-line subject rows; longer tables take lines from this budget, absences come first and
# homework fills what is left (the diary has the full list).
LIST_LINES = 21
SUBJECT_ROWS = 9
HOMEWORK_CHARS = 110  # two printed lines at most
CHARS_PER_LINE = 75
DOCUMENT = "weekly_report"
DISCLOSURE_REASON = "Еженедельный отчёт родителю, отказавшемуся от электронного доступа (DIA-4; 003:2.7)"
# What a weekly report carries, in the categories of the consent sheet: the student's name and
# class (1.1) and the marks and attendance (4.3). Each copy is a row of the register (PD-4).
DISCLOSURE_CATEGORIES = ("1.1", "4.3")
EMAIL_GROUND = "согласие, п. 6.9"
PRINT_GROUND = "заявление родителя (003 Приложение 1)"


# --- The week and the files ---------------------------------------------------------------------


def report_week(scheduled_for: datetime, tz: str) -> tuple[date, date]:
    """The last school week (Monday to Saturday) that has reached its Saturday, in the school's
    time: the scheduled Saturday 10:00 run and a Sunday run report that week; a run by hand on a
    weekday reports the previous, complete week rather than the few days of the current one."""
    local = as_utc(scheduled_for).astimezone(ZoneInfo(tz)).date()
    monday = local - timedelta(days=local.weekday())
    if local.weekday() < 5:
        monday -= timedelta(days=7)
    return monday, monday + timedelta(days=WEEK_DAYS - 1)


def reports_folder(app: Flask) -> str:
    return app.config.get("REPORTS_FOLDER") or os.path.join(app.instance_path, "reports")


def safe_name(name: str) -> str:
    """A class name as a file name: letters (Cyrillic too), digits and '-', nothing else."""
    name = unicodedata.normalize("NFC", name).strip()
    return re.sub(r"[^\w-]+", "_", name, flags=re.UNICODE).strip("_") or "class"


def batch_relpath(school_id: int, monday: date, class_name: str) -> str:
    return f"{school_id}/{monday.isoformat()}/class-{safe_name(class_name)}.pdf"


def resolve_batch_file(app: Flask, relpath: str) -> str | None:
    """The absolute path of a batch file, or None if `relpath` leaves the reports folder."""
    root = os.path.realpath(reports_folder(app))
    path = os.path.realpath(os.path.join(root, relpath))
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        return None
    return path


# --- One student's page as plain data ------------------------------------------------------------



@dataclass
class CellItem:
    value: str = ""
    kind: str = ""
    attendance: str = ""


@dataclass
class SubjectRow:
    subject_name: str
    cells: list[list[CellItem]]
    average: str = ""
    period_mark: str = ""
    # The mark the average rounds to on the subject's own scale (DIA-2 on paper), while the
    # period mark is not set.
    suggested: str = ""


@dataclass
class PageData:
    """Everything the template prints; plain strings, so the page renders without the ORM."""

    school_name: str
    school_address: str
    student_id: int
    student_name: str
    class_name: str
    class_teacher: str
    period_name: str
    monday_text: str
    saturday_text: str
    days: list[dict]
    rows: list[SubjectRow]
    kinds_legend: list[tuple[str, str]]
    attendance_legend: list[tuple[str, str]]
    absences: list[dict]
    absence_total: int
    absence_counts: list[tuple[str, int]]
    homework: list[dict]
    homework_more: int
    generated_text: str
    recipient_name: str = ""


def abbreviate_kind(name: str) -> str:
    """«Контрольная работа» → «контр.», «Самостоятельная работа» → «самост.», «Устный ответ» →
    «устн.»: at least four letters, then up to the last consonant before the next vowel."""
    word = (name.split() or [""])[0].lower()
    if len(word) <= 5:
        return word
    vowels = set("аеёиоуыэюяaeiouy")
    cut = 4
    while cut < len(word) and (word[cut - 1] in vowels or word[cut] not in vowels):
        cut += 1
    return word[:cut] + "." if cut < len(word) else word


def page_data(week, school: School, settings: dict, generated_at: datetime) -> PageData:
    """The report page of one student from the diary's WeekData (blueprints/diary/queries.py):
    the same lessons, marks and averages as the diary and the journal (domain/grading).
    The stamp `generated_at` is shown in the school's zone, whatever zone it comes in."""
    notations = settings["notations"]
    default_tz = current_app.config["SCHOOL_TIMEZONE"] if has_app_context() else "Europe/Moscow"
    generated_at = as_utc(generated_at).astimezone(ZoneInfo(school.timezone or default_tz))
    student = week.student
    days = [d for d in week.days][:WEEK_DAYS]
    summaries = {s.subject_name: s for s in week.subjects}
    subject_names: list[str] = []
    for summary in week.subjects:
        subject_names.append(summary.subject_name)
    for day in days:
        for lesson in day.lessons:
            if lesson.subject_name not in subject_names:
                subject_names.append(lesson.subject_name)

    kinds: dict[str, str] = {}
    used_abbr: dict[str, str] = {}

    def kind_abbr(kind_name: str) -> str:
        if kind_name in kinds:
            return kinds[kind_name]
        abbr = abbreviate_kind(kind_name)
        if used_abbr.get(abbr, kind_name) != kind_name:
            abbr = kind_name.lower()
        used_abbr[abbr] = kind_name
        kinds[kind_name] = abbr
        return abbr

    cells: dict[str, list[list[CellItem]]] = {name: [[] for _d in days] for name in subject_names}
    absent: dict[tuple[date, str], list[tuple[int, str]]] = defaultdict(list)
    homework = []
    counts: dict[str, int] = {}
    for index, day in enumerate(days):
        for lesson in day.lessons:
            if getattr(lesson, "is_cancelled", False):
                continue
            cell = cells[lesson.subject_name][index]
            if lesson.attendance:
                cell.append(CellItem(attendance=notations.get(lesson.attendance, lesson.attendance)))
                absent[(day.date, lesson.attendance)].append((lesson.lesson_number, lesson.subject_name))
                counts[lesson.attendance] = counts.get(lesson.attendance, 0) + 1
            for value, kind_name in lesson.marks:
                cell.append(CellItem(value=value, kind=kind_abbr(kind_name) if kind_name else ""))
            for text in lesson.homework:
                text = " ".join(text.split())
                if len(text) > HOMEWORK_CHARS:
                    text = text[: HOMEWORK_CHARS - 1].rstrip() + "…"
                homework.append(
                    {
                        "date_text": f"{WEEKDAY_NAMES[day.date.weekday()]} {day.date:%d.%m}",
                        "subject_name": lesson.subject_name,
                        "text": text,
                    }
                )
    # A day missed for one reason is one line, whatever the number of lessons.
    absences = []
    for (day_date, code), lessons in sorted(absent.items()):
        numbers = ", ".join(str(n) for n, _s in sorted(lessons))
        absences.append(
            {
                "date_text": day_date.strftime("%d.%m"),
                "lessons": str(_("урок %(n)s", n=numbers) if len(lessons) == 1 else _("уроки %(n)s", n=numbers)),
                "subjects": ", ".join(dict.fromkeys(subject for _n, subject in sorted(lessons))),
                "reason": _(attendance.LABELS[code]) if code in attendance.LABELS else code,
                "notation": attendance.notation(code, notations),
            }
        )
    rows = []
    for name in subject_names:
        summary = summaries.get(name)
        rows.append(
            SubjectRow(
                subject_name=name,
                cells=cells[name],
                average=format_average(summary.average) if summary else "",
                period_mark=(summary.period_mark or "") if summary else "",
                suggested=(summary.forecast.suggested or "") if summary and not summary.period_mark else "",
            )
        )
    budget = LIST_LINES - max(0, len(rows) - SUBJECT_ROWS)
    budget -= sum(max(0, max((len(c) for c in row.cells), default=1) - 1) for row in rows)
    budget -= sum(_lines(a["subjects"], 40) for a in absences)
    shown_homework = []
    for item in homework:
        need = _lines(item["text"], CHARS_PER_LINE)
        if budget - need < 1 and len(shown_homework) >= 3:  # keep a line for «…и ещё»
            break
        budget -= need
        shown_homework.append(item)
    class_group = week.class_group
    teacher = class_group.class_teacher.short_name if class_group is not None and class_group.class_teacher else ""
    return PageData(
        school_name=school.name,
        school_address=school.address or "",
        student_id=student.id,
        student_name=student.full_name,
        class_name=class_group.name if class_group is not None else "—",
        class_teacher=teacher,
        period_name=week.period.name if week.period is not None else "",
        monday_text=week.monday.strftime("%d.%m.%Y"),
        saturday_text=(week.monday + timedelta(days=WEEK_DAYS - 1)).strftime("%d.%m.%Y"),
        days=[{"weekday": str(WEEKDAY_NAMES[d.date.weekday()]), "date_text": d.date.strftime("%d.%m")} for d in days],
        rows=rows,
        kinds_legend=[(abbr, name) for name, abbr in kinds.items() if abbr != name.lower()],
        attendance_legend=[(shown, _(label)) for _code, shown, label in attendance.legend(notations)],
        absences=absences,
        absence_total=sum(counts.values()),
        absence_counts=[(_(attendance.LABELS[code]), counts[code]) for code in attendance.CODES if counts.get(code)],
        homework=shown_homework,
        homework_more=len(homework) - len(shown_homework),
        generated_text=generated_at.strftime("%d.%m.%Y %H:%M"),
    )


def _lines(text: str, width: int) -> int:
    return max(1, -(-len(text) // width))


def report_certificate(page: PageData, school: School, generated_at: datetime, recipient_id: int | None = None,
                       default_tz: str = "Europe/Moscow") -> Certificate:
    """The page as a certified printout (REP-4): its code is made before the page is rendered
    (in a worker process), so the footer prints it; the bytes are recorded afterwards."""
    return certificate(
        school, kind=DOCUMENT,
        title=str(_("Еженедельный отчёт об успеваемости и посещаемости: %(name)s, %(cls)s",
                    name=page.student_name, cls=page.class_name)),
        period=str(_("неделя с %(start)s по %(end)s", start=page.monday_text, end=page.saturday_text)),
        signers=[Signer(str(_("Классный руководитель")), page.class_teacher)],
        of={"student_id": page.student_id, "recipient_user_id": recipient_id},
        printed_at=generated_at, default_tz=default_tz,
    )


def render_page_html(app: Flask, page: PageData, recipient_name: str = "", cert: Certificate | None = None) -> str:
    """Jinja in the app context, without request context processors (a job has no request).
    Without `cert` (the benchmark) the page prints an unrecorded placeholder code."""
    page.recipient_name = recipient_name
    if cert is None:
        cert = Certificate(code="", school_id=0, school_name=page.school_name, kind=DOCUMENT, title="", period="",
                           signers=[Signer(str(_("Классный руководитель")), page.class_teacher)],
                           printed_at=utcnow(), printed_text=page.generated_text)
    return app.jinja_env.get_template(TEMPLATE).render(p=page, cert=cert)


# --- The batch -----------------------------------------------------------------------------------


@dataclass
class Copy:
    """One copy of one student's page: printed for a parent, or e-mailed."""

    student_index: int
    recipient_id: int
    recipient_name: str
    delivery: str  # print, print_no_consent, email
    email: str = ""
    handle: object = None  # PdfRenderer.submit's handle until the page is rendered
    pdf: bytes | None = None
    cert: Certificate | None = None  # its verification code, printed in the footer (REP-4)


@dataclass
class Submitted:
    """A class whose pages are queued for rendering: what `_deliver` needs to finish it."""

    plan: SchoolPlan
    class_plan: ClassPlan
    result: SchoolResult
    copies: list[Copy]
    names: dict[int, str]
    failed_students: set[int]


@dataclass
class SchoolResult:
    classes: int = 0
    students: int = 0
    pages_printed: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    emails_not_sent: int = 0
    print_no_consent: int = 0
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ClassPlan:
    class_id: int
    class_name: str
    student_ids: list[int]  # alphabetical
    recipients: dict[int, list]  # student id -> [personal_data.operations.Recipient]


@dataclass
class SchoolPlan:
    school_id: int
    school_name: str
    tz: str
    monday: date
    saturday: date
    on_date: date
    classes: list[ClassPlan]


def _alphabetical(student: Student) -> tuple:
    def fold(s: str) -> str:
        return (s or "").lower().replace("ё", "е")

    return (fold(student.last_name), fold(student.first_name), fold(student.middle_name), student.id)


def plan_school(school: School, scheduled_for: datetime, default_tz: str) -> SchoolPlan:
    """The classes of the current year, their students in alphabetical order, and for each
    student the parents who get paper or e-mail (personal_data.operations.delivery_plan)."""
    from blueprints.personal_data.operations import delivery_plan

    tz = school.timezone or default_tz
    monday, saturday = report_week(scheduled_for, tz)
    on_date = as_utc(scheduled_for).astimezone(ZoneInfo(tz)).date()
    classes = list(
        db.session.scalars(
            select(ClassGroup)
            .join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
            .where(ClassGroup.school_id == school.id, ClassGroup.kind == "class", AcademicYear.is_current.is_(True))
            .order_by(ClassGroup.grade, ClassGroup.name)
        )
    )
    students = list(
        db.session.scalars(
            select(Student).where(
                Student.current_class_id.in_([c.id for c in classes] or [-1]), Student.is_withdrawn.is_(False)
            )
        )
    )
    recipients = delivery_plan([s.id for s in students], on_date)
    plans = []
    for class_group in classes:
        members = sorted((s for s in students if s.current_class_id == class_group.id), key=_alphabetical)
        ids = [s.id for s in members if recipients.get(s.id)]
        if ids:
            plans.append(ClassPlan(class_group.id, class_group.name, ids, {i: recipients[i] for i in ids}))
    return SchoolPlan(school.id, school.name, tz, monday, saturday, on_date, plans)


class WeeklyReports:
    """One run over one or every school. Reads happen in short DEFERRED transactions that end
    before rendering (on SQLite an IMMEDIATE transaction held through a batch would lock every
    teacher out); writes are short and committed at once."""

    def __init__(self, app: Flask, run_id: int, scheduled_for: datetime, school_id: int | None = None):
        self.app = app
        self.run_id = run_id
        self.scheduled_for = scheduled_for
        self.school_id = school_id
        self.results: dict[int, SchoolResult] = {}
        self.done = 0
        self.failed = 0

    def run(self, progress: Progress) -> dict:
        started = time.monotonic()
        with deferred_transactions():
            query = select(School).order_by(School.id)
            if self.school_id is not None:
                query = query.where(School.id == self.school_id)
            plans = [plan_school(s, self.scheduled_for, self.app.config["SCHOOL_TIMEZONE"]) for s in db.session.scalars(query)]
            db.session.rollback()  # end the read before the first write
        total = sum(len(c.student_ids) for p in plans for c in p.classes)
        progress.set_total(total)
        workers = self.app.config.get("REPORT_WORKERS")
        with PdfRenderer(self.app.static_folder, workers) as renderer, Mailer(self.app) as mailer:
            # Two classes in flight: the next class's pages are read and queued for the pool before
            # this one's are collected, certified, sent and printed, so the pool never waits on
            # that serial tail (the district's batch, issue 16).
            in_flight: Submitted | None = None
            for plan in plans:
                result = self.results.setdefault(plan.school_id, SchoolResult())
                for class_plan in plan.classes:
                    submitted = self._submit(plan, class_plan, result, renderer)
                    if in_flight is not None:
                        self._deliver(in_flight, renderer, mailer, progress)
                    in_flight = submitted
            if in_flight is not None:
                self._deliver(in_flight, renderer, mailer, progress)
            used_pool = renderer.used_pool
        errors = [f"[school {sid}] {e}" for sid, r in self.results.items() for e in r.errors]
        counts = {
            "week": plans[0].monday.isoformat() if plans else None,
            "schools": len(plans),
            "students": total,
            "pages_printed": sum(r.pages_printed for r in self.results.values()),
            "emails_sent": sum(r.emails_sent for r in self.results.values()),
            "emails_failed": sum(r.emails_failed for r in self.results.values()),
            "emails_not_sent": sum(r.emails_not_sent for r in self.results.values()),
            "print_no_consent": sum(r.print_no_consent for r in self.results.values()),
            "files": {str(sid): r.files for sid, r in self.results.items() if r.files},
            "process_pool": used_pool,
            "seconds": round(time.monotonic() - started, 1),
            "errors": errors,
        }
        return counts

    # One class: read, render, send, print.

    def _submit(self, plan: SchoolPlan, class_plan: ClassPlan, result: SchoolResult, renderer) -> Submitted:
        """Read the class's pages and queue them for rendering (nothing waits for the pool here)."""
        from blueprints.diary.queries import week_data

        result.classes += 1
        generated_at = utcnow().astimezone(ZoneInfo(plan.tz))
        copies: list[Copy] = []
        names: dict[int, str] = {}
        failed_students: set[int] = set()
        with deferred_transactions():
            school = db.session.get(School, plan.school_id)
            settings = school_settings(school.settings)
            students = {
                s.id: s
                for s in db.session.scalars(
                    select(Student).where(Student.id.in_(class_plan.student_ids)).options(selectinload(Student.current_class))
                )
            }
            for index, student_id in enumerate(class_plan.student_ids):
                student = students[student_id]
                names[student_id] = student.short_name
                try:
                    page = page_data(week_data(student, plan.monday), school, settings, generated_at)
                    for recipient in class_plan.recipients[student_id]:
                        copy = Copy(index, recipient.parent_id, recipient.parent_name, recipient.delivery, recipient.email)
                        copy.cert = report_certificate(page, school, generated_at, recipient.parent_id,
                                                       self.app.config["SCHOOL_TIMEZONE"])
                        copy.cert.of["class_id"] = class_plan.class_id
                        copy.handle = renderer.submit(render_page_html(self.app, page, recipient.parent_name, copy.cert))
                        copies.append(copy)
                except Exception as error:  # one student's data must not stop the class
                    db.session.rollback()
                    failed_students.add(student_id)
                    result.errors.append(f"{class_plan.class_name}, {student.short_name}: {type(error).__name__}: {error}")
            db.session.rollback()  # end the read: rendering and mail take a while
        return Submitted(plan, class_plan, result, copies, names, failed_students)

    def _deliver(self, submitted: Submitted, renderer, mailer, progress: Progress) -> None:
        """Collect the class's rendered pages, certify them, send the e-mails, write the print
        batch, and count the class in the run's progress."""
        plan, class_plan, result = submitted.plan, submitted.class_plan, submitted.result
        copies, names, failed_students = submitted.copies, submitted.names, submitted.failed_students
        for copy in copies:
            pdf = renderer.result(copy.handle)
            copy.handle = None
            student_id = class_plan.student_ids[copy.student_index]
            if isinstance(pdf, Exception):
                if student_id not in failed_students:
                    failed_students.add(student_id)
                    result.errors.append(f"{class_plan.class_name}, {names[student_id]}: {type(pdf).__name__}: {pdf}")
            else:
                copy.pdf = pdf
        copies = [c for c in copies if c.pdf is not None and class_plan.student_ids[c.student_index] not in failed_students]
        copies = self._certify(class_plan, copies, names, failed_students, result)

        for copy in copies:
            if copy.delivery == "email":
                self._send(plan, class_plan, copy, names, result, mailer)
        printed = [c for c in copies if c.delivery != "email"]
        result.print_no_consent += sum(1 for c in printed if c.delivery == "print_no_consent")
        if printed:
            self._write_batch(plan, class_plan, printed, result)
        done = len(set(class_plan.student_ids) - failed_students)
        result.students += done
        self.done += done
        self.failed += len(failed_students)
        progress.advance(self.done, self.failed)

    def _certify(self, class_plan: ClassPlan, copies: list[Copy], names, failed_students: set[int],
                 result: SchoolResult) -> list[Copy]:
        """Record every rendered copy as a certified printout (REP-4) before it is handed out or
        sent: a copy that cannot be recorded is not delivered (its code would verify as nothing)."""
        folder = printouts_dir(self.app)
        by = str(_("Еженедельные отчёты (автоматически)"))
        for copy in copies:
            student_id = class_plan.student_ids[copy.student_index]
            if student_id in failed_students:
                continue
            try:
                record_printout(copy.pdf, copy.cert, None, printed_by_name=by, folder=folder)
                db.session.commit()  # one short write per copy: a failure loses only its own record
            except Exception as error:  # a full disk: this student's copies wait for the next run
                db.session.rollback()
                failed_students.add(student_id)
                result.errors.append(f"{class_plan.class_name}, {names[student_id]}: {type(error).__name__}: {error}")
        return [c for c in copies if class_plan.student_ids[c.student_index] not in failed_students]

    def _sent_before(self, recipient_id: int | None, student_id: int) -> bool:
        """Whether this run already e-mailed this report (the run was interrupted and is run again
        under the same slot): a family never gets the same week twice."""
        return db.session.scalar(
            select(SentEmail.id).where(
                SentEmail.job_run_id == self.run_id,
                SentEmail.recipient_user_id == recipient_id,
                SentEmail.student_id == student_id,
                SentEmail.status == "sent",
            ).limit(1)
        ) is not None

    def _send(self, plan: SchoolPlan, class_plan: ClassPlan, copy: Copy, names, result: SchoolResult, mailer) -> None:
        student_id = class_plan.student_ids[copy.student_index]
        if self._sent_before(copy.recipient_id, student_id):
            # A rerun of an interrupted run: this family already has the week's e-mail.
            result.emails_sent += 1
            return
        student_name = names[student_id]
        week = f"{plan.monday:%d.%m}–{plan.saturday:%d.%m.%Y}"
        subject = _("Еженедельный отчёт об успеваемости: %(name)s, %(week)s", name=student_name, week=week)
        body = _(
            "Здравствуйте, %(parent)s!\n\n"
            "Во вложении — еженедельный отчёт об успеваемости и посещаемости: %(student)s, %(cls)s класс, "
            "неделя %(week)s.\n\n"
            "Отчёт направлен по вашему заявлению и согласию на рассылку сведений об успеваемости и "
            "посещаемости по электронной почте (п. 6.9 листа согласия). Чтобы получать отчёт на бумаге "
            "или отозвать согласие, обратитесь к классному руководителю.\n\n"
            "%(school)s\n"
            "Письмо отправлено автоматически, отвечать на него не нужно.",
            parent=copy.recipient_name,
            student=student_name,
            cls=class_plan.class_name,
            week=week,
            school=plan.school_name,
        )
        filename = f"Отчёт {plan.monday.isoformat()} {student_name}.pdf"
        message = build_message(
            self.app,
            copy.email,
            subject,
            body,
            [Attachment(filename, copy.pdf)],
            sender=sender_address(self.app, plan.school_name),
        )
        row = send_recorded(
            mailer,
            message,
            school_id=plan.school_id,
            student_id=student_id,
            recipient_user_id=copy.recipient_id,
            job_run_id=self.run_id,
            document=f"{DOCUMENT} {plan.monday.isoformat()}",
            reason=DISCLOSURE_REASON,
        )
        if row.status == "sent":
            disclosures.record(
                "email", document=f"{_('Еженедельный отчёт')} {week}", categories=DISCLOSURE_CATEGORIES,
                students=[student_id], recipient=copy.email, purpose=DISCLOSURE_REASON, ground=EMAIL_GROUND,
                school_id=plan.school_id, user=None,
            )
        db.session.commit()
        if row.status == "sent":
            result.emails_sent += 1
            return
        if row.status == "failed":
            result.emails_failed += 1
            result.errors.append(f"{class_plan.class_name}, {student_name}: e-mail failed, printed instead")
        else:
            result.emails_not_sent += 1
        copy.delivery = "print"  # the family still gets the week on paper

    def _write_batch(self, plan: SchoolPlan, class_plan: ClassPlan, printed: list[Copy], result: SchoolResult) -> None:
        relpath = batch_relpath(plan.school_id, plan.monday, class_plan.class_name)
        try:
            write_atomic(os.path.join(reports_folder(self.app), relpath), merge_pdfs([c.pdf for c in printed]))
        except Exception as error:  # the class's file is lost, not the run
            result.errors.append(f"{class_plan.class_name}: {type(error).__name__}: {error}")
            return
        result.files.append(relpath)
        result.pages_printed += len(printed)
        for copy in printed:
            audit.record(
                "disclosure",
                None,
                "print",
                after={
                    "document": f"{DOCUMENT} {plan.monday.isoformat()}",
                    "file": relpath,
                    "student_id": class_plan.student_ids[copy.student_index],
                    "recipient_user_id": copy.recipient_id,
                    "job_run_id": self.run_id,
                },
                reason=DISCLOSURE_REASON,
                school_id=plan.school_id,
                user_id=None,
            )
            disclosures.record(
                "print", document=f"{_('Еженедельный отчёт')} {plan.monday:%d.%m}–{plan.saturday:%d.%m.%Y}",
                categories=DISCLOSURE_CATEGORIES, students=[class_plan.student_ids[copy.student_index]],
                recipient=copy.recipient_name, purpose=DISCLOSURE_REASON, ground=PRINT_GROUND,
                school_id=plan.school_id, user=None,
            )
        db.session.commit()


# --- Entry point for the scheduler, the CLI and the admin page ----------------------------------


def run_scheduled(
    app: Flask, scheduled_for: datetime, trigger: str = "schedule", school_id: int | None = None,
    user_id: int | None = None,
) -> JobRun | None:
    """Claim (weekly_reports, scheduled_for) and build the reports of every school (or of one,
    for a run by hand from a school's admin page). None when another process has the slot."""

    def work(run: JobRun, progress: Progress) -> dict:
        return WeeklyReports(app, run.id, scheduled_for, school_id).run(progress)

    if has_app_context() and current_app._get_current_object() is app:
        return run_once(JOB_ID, scheduled_for, work, trigger=trigger, school_id=school_id, user_id=user_id)
    with app.app_context():
        run = run_once(JOB_ID, scheduled_for, work, trigger=trigger, school_id=school_id, user_id=user_id)
        if run is not None:
            db.session.refresh(run)
            db.session.expunge(run)  # readable by the caller after the context ends
        return run
