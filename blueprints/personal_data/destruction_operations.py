"""Use cases of destruction after a withdrawal of consent (PD-2): the task opened by the
withdrawal, its execution with the act of destruction, the overdue warnings, and the school's
corrections of the production calendar. Operations flush; the view (or the job) commits."""
from __future__ import annotations

import os
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import joinedload

from domain import pd_destruction as rules
from domain.messages import N_, Refusal
from domain.personal_data import INDEXED_FIELDS, PROFILE_FIELDS
from domain.settings import school_settings
from domain.settings_rules import pd_destroy_rule
from domain.working_days import Calendar
from extensions import db
from models import AdminAlert, AuditEntry, School, Student, User
from models.base import as_utc, utcnow
from models.pd_destruction import CalendarCorrection, DestructionTask
from models.pd_register import AccessLogEntry
from models.personal_data import ConsentRecord, StudentProfile
from utils import audit
from utils.pd_access import log_access
from utils.printouts import Signer, certified_pdf, director_signer

OVERDUE_ALERT = "pd_destruction_overdue"


class DestructionError(Refusal):
    """A task that cannot be executed, a correction that cannot be recorded (400)."""


def _zone(school: School) -> ZoneInfo:
    return ZoneInfo(school.timezone or current_app.config["SCHOOL_TIMEZONE"])


# --- The production calendar -------------------------------------------------------------------


def corrections_of(school_id: int) -> list[CalendarCorrection]:
    return list(db.session.scalars(
        select(CalendarCorrection).where(CalendarCorrection.school_id == school_id).order_by(CalendarCorrection.day)
    ))


def school_calendar(school_id: int) -> Calendar:
    """The official calendar of Russia with the school's corrections (one statement)."""
    return Calendar.russian({c.day: c.is_working for c in corrections_of(school_id)})


def add_correction(school: School, day: date, is_working: bool, note: str, by_user: User) -> CalendarCorrection:
    if db.session.scalar(select(CalendarCorrection.id).where(
            CalendarCorrection.school_id == school.id, CalendarCorrection.day == day)) is not None:
        raise DestructionError(N_("Для этого дня поправка уже есть: удалите её, чтобы записать другую."))
    official = Calendar.russian()
    if official.is_working(day) == is_working:
        raise DestructionError(
            N_("По производственному календарю этот день и так рабочий.") if is_working
            else N_("По производственному календарю этот день и так выходной."))
    correction = CalendarCorrection(school_id=school.id, day=day, is_working=is_working, note=note.strip()[:200],
                                    created_by_id=by_user.id)
    db.session.add(correction)
    db.session.flush()
    audit.record("calendar_correction", correction.id, "create",
                 after={"day": day.isoformat(), "is_working": is_working, "note": correction.note},
                 school_id=school.id, user_id=by_user.id)
    return correction


def remove_correction(correction: CalendarCorrection, by_user: User) -> None:
    audit.record("calendar_correction", correction.id, "delete",
                 before={"day": correction.day.isoformat(), "is_working": correction.is_working, "note": correction.note},
                 school_id=correction.school_id, user_id=by_user.id)
    db.session.delete(correction)
    db.session.flush()


# --- Opening a task on withdrawal ---------------------------------------------------------------


def open_task(consent: ConsentRecord) -> DestructionTask:
    """The destruction task of a withdrawn consent, in the withdrawal's transaction: due by the
    school's working days (production calendar), never beyond the law's calendar days."""
    existing = db.session.scalar(select(DestructionTask).where(DestructionTask.consent_id == consent.id))
    if existing is not None:
        return existing
    school = db.session.get(School, consent.school_id)
    withdrawn_on = as_utc(consent.withdrawn_at).astimezone(_zone(school)).date()
    settings = school_settings(school.settings, current_app.config)
    due_on, rule = pd_destroy_rule(withdrawn_on, settings, school_calendar(school.id))
    task = DestructionTask(school_id=consent.school_id, student_id=consent.student_id, consent_id=consent.id,
                           withdrawn_on=withdrawn_on, due_on=due_on, due_rule=rule, status="open")
    db.session.add(task)
    db.session.flush()
    audit.record("destruction_task", task.id, "create",
                 after={"student_id": task.student_id, "consent_id": consent.id, "withdrawn_on": withdrawn_on.isoformat(),
                        "due_on": due_on.isoformat(), "rule": rule},
                 school_id=task.school_id, user_id=consent.withdrawn_by_id)
    return task


# --- The list and the task page ------------------------------------------------------------------


def tasks_of(school_id: int) -> list[DestructionTask]:
    """Open tasks first, by due date; then the executed ones, the latest first (two loads)."""
    return list(db.session.scalars(
        select(DestructionTask)
        .where(DestructionTask.school_id == school_id)
        .options(joinedload(DestructionTask.student).joinedload(Student.current_class))
        .order_by(DestructionTask.status.desc(), DestructionTask.due_on, DestructionTask.id)
    ))


def working_days_left(tasks: list[DestructionTask], school_id: int, today: date) -> dict[int, int]:
    """Working days from today to each open task's due date (negative: overdue)."""
    calendar = school_calendar(school_id)
    return {t.id: calendar.working_days_between(today, t.due_on) for t in tasks if t.is_open}


def profile_of(student_id: int) -> StudentProfile | None:
    return db.session.scalar(select(StudentProfile).where(StudentProfile.student_id == student_id))


def _filled(profile: StudentProfile | None) -> list[str]:
    if profile is None:
        return []
    return [field for field in PROFILE_FIELDS if getattr(profile, field)]


def preview(task: DestructionTask) -> dict:
    """What executing the task will destroy and keep (the names of the fields, no values)."""
    if not task.is_open:
        return task.summary or {"destroyed": [], "kept": []}
    result = rules.plan(_filled(profile_of(task.student_id)))
    result["files"] = len(_files_of(task.student_id, profile_of(task.student_id)))
    return result


def _upload_path(relpath: str) -> str | None:
    root = os.path.realpath(current_app.config["UPLOAD_FOLDER"])
    path = os.path.realpath(os.path.join(root, relpath))
    return path if path.startswith(root + os.sep) else None


def _files_of(student_id: int, profile: StudentProfile | None) -> list[str]:
    """The stored files the destruction removes: the photo and the consent sheets' scans."""
    paths = [profile.photo_path] if profile is not None and profile.photo_path else []
    paths += list(db.session.scalars(select(ConsentRecord.scan_path).where(
        ConsentRecord.student_id == student_id, ConsentRecord.scan_path != "")))
    return paths


# --- Execution and the act -----------------------------------------------------------------------


def execute(task: DestructionTask, by_user: User, confirmed: bool) -> DestructionTask:
    """Destroy what may be destroyed, keep what a law keeps, record it in the history and the
    access log, and produce the certified act of destruction (Приказ Роскомнадзора от
    28.10.2022 № 179: the act and an extract of the event log)."""
    # two administrators at once: the row is locked, the second one finds it done
    status = db.session.scalar(select(DestructionTask.status).where(DestructionTask.id == task.id).with_for_update())
    if status != "open":
        raise DestructionError(N_("Эта задача уже выполнена: данные уничтожены, акт составлен."))
    if not confirmed:
        raise DestructionError(N_("Подтвердите уничтожение: отметьте «Подтверждаю уничтожение данных»."))
    profile = profile_of(task.student_id)
    summary = rules.plan(_filled(profile))
    destroyed_fields = [d["field"] for d in summary["destroyed"]]
    files = _files_of(task.student_id, profile)
    if profile is not None:
        for field in rules.destroyed_fields():
            setattr(profile, field, "")
        for field, index in INDEXED_FIELDS.items():
            if PROFILE_FIELDS[field] not in rules.RETAINED_BY_LAW:
                setattr(profile, index, "")
        profile.photo_mime = ""
        profile.updated_at = utcnow()
    removed = 0
    for relpath in files:
        path = _upload_path(relpath)
        if path and os.path.isfile(path):
            os.remove(path)
            removed += 1
    if profile is not None:
        profile.photo_path = ""
    for consent in db.session.scalars(select(ConsentRecord).where(
            ConsentRecord.student_id == task.student_id, ConsentRecord.scan_path != "")):
        consent.scan_path = consent.scan_name = consent.scan_mime = ""
    summary["files"] = removed
    now = utcnow()
    task.status, task.executed_at, task.executed_by_id, task.summary = "done", now, by_user.id, summary
    categories = sorted({d["category"] for d in summary["destroyed"]})
    audit.record("student_profile", profile.id if profile is not None else None, "destroy",
                 before={"fields": destroyed_fields, "files": removed},
                 after={"destruction_task_id": task.id, "student_id": task.student_id},
                 reason=_("Уничтожение персональных данных после отзыва согласия"),
                 school_id=task.school_id, user_id=by_user.id)
    log_access(by_user, "destroy", f"задача уничтожения № {task.id}", [task.student_id], categories)
    db.session.flush()
    _pdf, printout = certified_pdf(
        "pdf/destruction_act.html", kind="pd_destruction_act",
        title=_("Акт об уничтожении персональных данных"), period=task.student.full_name,
        signers=[director_signer(by_user.school), Signer(_("Ответственный за обработку персональных данных"),
                                                          by_user.short_name)],
        user=by_user, of={"destruction_task_id": task.id, "student_id": task.student_id},
        task=task, student=task.student, summary=summary,
        class_name=task.student.current_class.name if task.student.current_class else "—", log=log_extract(task),
        executed_text=as_utc(now).astimezone(_zone(by_user.school)).strftime("%d.%m.%Y %H:%M"),
        withdrawn=task.consent,
    )
    task.act_printout_id = printout.id
    db.session.flush()
    return task


def _mentions(student_id: int):
    """A JSON list holding this id, as text on both engines ("[5]", "[5, 7]", "[3, 5]")."""
    text = cast(AccessLogEntry.student_ids, String)
    sid = str(int(student_id))
    return or_(text == f"[{sid}]", text.like(f"[{sid},%"), text.like(f"% {sid},%"), text.like(f"% {sid}]"),
               text.like(f"%,{sid},%"), text.like(f"%,{sid}]"))


def log_extract(task: DestructionTask) -> list[dict]:
    """The event log of the destroyed records: the access-log entries naming the student and
    the history of their consent sheets, card and this task, by time."""
    rows: list[dict] = []
    users = {}
    for entry in db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.school_id == task.school_id, _mentions(task.student_id))
        .order_by(AccessLogEntry.seq)
    ):
        if task.student_id not in (entry.student_ids or []):
            continue
        rows.append({"at": as_utc(entry.at), "user_id": entry.user_id, "source": "access", "action": entry.action,
                     "what": entry.what, "ref": f"№ {entry.seq}", "categories": ", ".join(entry.categories or [])})
    consent_ids = list(db.session.scalars(select(ConsentRecord.id).where(ConsentRecord.student_id == task.student_id)))
    profile = profile_of(task.student_id)
    filters = [(AuditEntry.entity == "destruction_task") & (AuditEntry.entity_id == task.id),
               (AuditEntry.entity == "student") & (AuditEntry.entity_id == task.student_id)]
    if consent_ids:
        filters.append((AuditEntry.entity == "consent_record") & AuditEntry.entity_id.in_(consent_ids))
    if profile is not None:
        filters.append((AuditEntry.entity == "student_profile") & (AuditEntry.entity_id == profile.id))
    for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.school_id == task.school_id, or_(*filters)).order_by(AuditEntry.at)
    ):
        entity = _(rules.LOG_ENTITIES[entry.entity]) if entry.entity in rules.LOG_ENTITIES else entry.entity
        rows.append({"at": as_utc(entry.at), "user_id": entry.user_id, "source": "history", "action": entry.action,
                     "what": f"{entity} № {entry.entity_id}" if entry.entity_id else entity, "ref": f"#{entry.id}",
                     "categories": entry.reason[:120]})
    ids = {r["user_id"] for r in rows if r["user_id"]}
    if ids:
        users = {u.id: u.short_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    school = db.session.get(School, task.school_id)
    zone = _zone(school)
    for r in rows:
        r["user"] = users.get(r["user_id"], "—")
        action = rules.LOG_ACTIONS.get(r["action"])
        r["action_text"] = f"{_(action)} ({r['action']})" if action else r["action"]
        r["at_text"] = r["at"].astimezone(zone).strftime("%d.%m.%Y %H:%M:%S")
    rows.sort(key=lambda r: r["at"])
    return rows


# --- Overdue tasks warn the director -----------------------------------------------------------


def overdue_tasks(school_id: int, today: date) -> list[DestructionTask]:
    return list(db.session.scalars(
        select(DestructionTask)
        .where(DestructionTask.school_id == school_id, DestructionTask.status == "open", DestructionTask.due_on < today)
        .options(joinedload(DestructionTask.student))
        .order_by(DestructionTask.due_on)
    ))


def alert_overdue(today_of) -> int:
    """One AdminAlert per overdue open task, raised once (the task keeps the alert's id, so a
    rerun adds nothing). `today_of(school)` gives each school's date. Returns alerts raised."""
    raised = 0
    for task in db.session.scalars(
        select(DestructionTask)
        .where(DestructionTask.status == "open", DestructionTask.overdue_alert_id.is_(None))
        .options(joinedload(DestructionTask.student))
        .order_by(DestructionTask.school_id, DestructionTask.id)
    ):
        school = db.session.get(School, task.school_id)
        if not task.is_overdue(today_of(school)):
            continue
        alert = AdminAlert(
            school_id=task.school_id, kind=OVERDUE_ALERT,
            message=_("Просрочено уничтожение персональных данных после отзыва согласия: %(name)s, срок — %(due)s.",
                      name=task.student.full_name, due=task.due_on.strftime("%d.%m.%Y")),
        )
        db.session.add(alert)
        db.session.flush()
        task.overdue_alert_id = alert.id
        raised += 1
    db.session.flush()
    return raised

