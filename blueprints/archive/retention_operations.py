"""Use cases of retention and destruction (ARC-2): the monthly proposal, the director's
approval of the act that alone destroys the records, and the legal hold of a package.
Operations flush; the view (or the job) commits. Files are removed only after the commit of
the approved act (`remove_paths`), so a rolled-back approval destroys nothing."""
from __future__ import annotations

import logging
import os
import shutil
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from blueprints.archive.retention_records import REGISTRY, HeldRecord
from blueprints.diary.wording import plural_ru
from domain import retention as rules
from domain.messages import N_, Refusal
from domain.settings import school_settings
from extensions import db
from models import AuditEntry, JobRun, School, User
from models.archive import ArchivePackage
from models.base import as_utc, utcnow
from models.retention import DestructionAct
from models.year_closing import closed_year_changes_allowed
from utils import audit
from utils.printouts import Signer, certified_pdf, director_signer

log = logging.getLogger("school.retention")
MIN_COMMISSION = 3  # the expert commission: a chairman and at least two members


class RetentionError(Refusal):
    """An act that cannot be approved, a hold that cannot be set (400)."""


def overrides(school: School) -> dict[str, int]:
    settings = school_settings(school.settings, current_app.config)
    return {k: int(v) for k, v in (settings.get("retention_years") or {}).items()}


def held_records(school: School) -> list[HeldRecord]:
    return [record for kind in REGISTRY.values() for record in kind.held(school.id)]


def _keys_in_acts(school_id: int) -> set[str]:
    return {r["key"] for records in db.session.scalars(
        select(DestructionAct.records).where(DestructionAct.school_id == school_id)) for r in (records or [])}


def due_records(school: School, today: date) -> list[HeldRecord]:
    """Records whose retention ended before today, no legal hold, not yet in an act."""
    taken = _keys_in_acts(school.id)
    return [r for r in due_records_ignoring_acts(school, today) if r.key not in taken]


def _entry(record: HeldRecord, school: School) -> dict:
    return {"key": record.key, "kind": record.kind, "ref": record.ref, "title": record.title,
            "retention_kind": record.retention_kind, "counted_from": record.counted_from.isoformat(),
            "ends": rules.retention_ends(record.retention_kind, record.counted_from, overrides(school)).isoformat()}


def propose(school: School, today: date, job_run_id: int | None = None) -> DestructionAct | None:
    """The monthly proposal: one draft act with every record newly due; None when there is none
    (a rerun finds the records already in the draft and proposes nothing again)."""
    due = due_records(school, today)
    if not due:
        return None
    act = DestructionAct(school_id=school.id, status="proposed", records=[_entry(r, school) for r in due],
                         job_run_id=job_run_id)
    db.session.add(act)
    db.session.flush()
    audit.record("destruction_act", act.id, "propose", after={"records": [r.key for r in due]},
                 school_id=school.id, user_id=None)
    return act


def propose_all(today_of, job_run_id: int | None = None) -> dict[str, int]:
    """Every school's proposal (the job): `today_of(school)` gives the school's date."""
    acts = records = 0
    for school in list(db.session.scalars(select(School).order_by(School.id))):
        act = propose(school, today_of(school), job_run_id)
        if act is not None:
            acts += 1
            records += len(act.records)
    return {"acts": acts, "records": records}


def acts_of(school_id: int) -> list[DestructionAct]:
    """Proposals first, then approved acts, latest first."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(DestructionAct).where(DestructionAct.school_id == school_id)
        .options(selectinload(DestructionAct.approved_by).lazyload(User.role_rows),
                 selectinload(DestructionAct.printout))
        .order_by(DestructionAct.status.desc(), DestructionAct.id.desc())))


def packages_of(school_id: int) -> list[ArchivePackage]:
    return list(db.session.scalars(
        select(ArchivePackage).where(ArchivePackage.school_id == school_id)
        .order_by(ArchivePackage.status, ArchivePackage.counted_from, ArchivePackage.name)))


def parse_commission(text: str) -> list[dict[str, str]]:
    """«Фамилия И. О., должность» one a line (a dash also separates) → [{"name", "post"}]."""
    members = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for separator in (",", " — ", " – ", " - "):
            if separator in line:
                name, post = (part.strip() for part in line.split(separator, 1))
                break
        else:
            raise RetentionError(N_("Строка «%(line)s»: укажите ФИО и должность через запятую."), line=line[:80])
        if not name or not post:
            raise RetentionError(N_("Строка «%(line)s»: укажите ФИО и должность через запятую."), line=line[:80])
        members.append({"name": name[:120], "post": post[:120]})
    if len(members) < MIN_COMMISSION:
        raise RetentionError(N_("В комиссии должно быть не меньше %(n)s человек: председатель и члены комиссии."),
                             n=MIN_COMMISSION)
    return members


def approve(act: DestructionAct, by_user: User, number: str, act_date: date | None, commission_text: str,
            confirmed: bool, today: date) -> list[str]:
    """The director's approval: the records are destroyed now, each re-checked (a legal hold
    set since the proposal, a record no longer held or no longer due is skipped and named in
    the act), and the certified act is printed with the extract of the event log. Returns the
    folders and files to remove after the commit (`remove_paths`)."""
    if act.is_approved:
        raise RetentionError(N_("Этот акт уже утверждён."))
    number = (number or "").strip()
    if not number:
        raise RetentionError(N_("Укажите номер акта."))
    if len(number) > 40:
        raise RetentionError(N_("Номер акта — не длиннее 40 знаков."))
    if act_date is None:
        raise RetentionError(N_("Укажите дату акта."))
    if act_date > today:
        raise RetentionError(N_("Дата акта не может быть позже сегодняшнего дня."))
    commission = parse_commission(commission_text)
    if db.session.scalar(select(DestructionAct.id).where(
            DestructionAct.school_id == act.school_id, DestructionAct.status == "approved",
            DestructionAct.number == number)) is not None:
        raise RetentionError(N_("Акт с номером %(number)s уже есть."), number=number)
    if not confirmed:
        raise RetentionError(N_("Подтвердите уничтожение: отметьте флажок «Подтверждаю уничтожение»."))
    school = db.session.get(School, act.school_id)
    still = {r.key: r for r in held_records(school)}
    due = {r.key for r in due_records_ignoring_acts(school, today)}
    destroyed, skipped, paths = [], [], []
    for entry in act.records:
        record = still.get(entry["key"])
        if record is None:
            skipped.append({**entry, "why": "gone"})
            continue
        if record.legal_hold:
            skipped.append({**entry, "why": "legal_hold", "reason": record.hold_reason})
            continue
        if record.key not in due:
            skipped.append({**entry, "why": "not_due"})
            continue
        # destruction by an approved act is one of the closed year's permitted changes (ARC-2)
        with closed_year_changes_allowed():
            result = REGISTRY[entry["kind"]].destroy(act.school_id, entry["ref"], act.id)
        if result is None:
            skipped.append({**entry, "why": "gone"})
            continue
        destroyed.append({**entry, "what": result.what})
        paths.extend(result.paths)
        audit.record(entry["kind"], entry["ref"], "destroy", before={"title": entry["title"]},
                     after={"destruction_act_id": act.id, **result.what},
                     reason=_("Уничтожение по акту № %(number)s: срок хранения истёк", number=number),
                     school_id=act.school_id, user_id=by_user.id)
    act.status, act.number, act.act_date, act.commission = "approved", number, act_date, commission
    act.approved_at, act.approved_by_id = utcnow(), by_user.id
    act.summary = {"destroyed": destroyed, "skipped": skipped}
    audit.record("destruction_act", act.id, "approve",
                 after={"number": number, "date": act_date.isoformat(), "destroyed": len(destroyed),
                        "skipped": len(skipped)}, school_id=act.school_id, user_id=by_user.id)
    db.session.flush()
    zone = ZoneInfo(school.timezone or current_app.config["SCHOOL_TIMEZONE"])
    _pdf, printout = certified_pdf(
        "pdf/retention_act.html", kind="retention_destruction_act",
        title=_("Акт о выделении к уничтожению документов, не подлежащих хранению"),
        period=_("№ %(number)s от %(date)s", number=number, date=act_date.strftime("%d.%m.%Y")),
        signers=[Signer(_("Председатель комиссии"), commission[0]["name"]),
                 *(Signer(_("Член комиссии"), m["name"]) for m in commission[1:]),
                 Signer(_("Утверждаю: директор"), director_signer(school).name)],
        user=by_user, of={"destruction_act_id": act.id}, act=act, destroyed=shown(destroyed, overrides(school)),
        skipped=shown(skipped),
        log=log_extract(act, zone), approved_text=as_utc(act.approved_at).astimezone(zone).strftime("%d.%m.%Y %H:%M"),
    )
    act.printout_id = printout.id
    db.session.flush()
    return paths


def due_records_ignoring_acts(school: School, today: date) -> list[HeldRecord]:
    held = {r.key: r for r in held_records(school) if r.retention_kind in rules.SCHEDULE}
    due = rules.due_for_destruction(
        [rules.Held(r.key, r.retention_kind, r.counted_from, r.legal_hold) for r in held.values()], today,
        overrides(school))
    return [held[d.key] for d in due]


def remove_paths(paths: list[str]) -> list[str]:
    """Remove the destroyed packages' folders and files (after the commit); the paths that could
    not be removed are returned (and logged) for the director to see."""
    failed = []
    for path in paths:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
                from blueprints.archive.operations import forget_in_sums

                forget_in_sums(Path(path))
            elif os.path.lexists(path):
                os.remove(path)
        except OSError as error:
            log.error("retention: could not remove %s: %s", path, error)
            failed.append(path)
    return failed


def set_hold(package: ArchivePackage, by_user: User, hold: bool, reason: str) -> None:
    """The director's legal hold: a held package is never proposed nor destroyed."""
    reason = (reason or "").strip()
    if package.status != "complete":
        raise RetentionError(N_("Пакет уже уничтожен."))
    if hold and not reason:
        raise RetentionError(N_("Укажите основание удержания (например, запрос суда или проверка)."))
    if len(reason) > 500:
        raise RetentionError(N_("Основание — не длиннее 500 знаков."))
    before = {"legal_hold": package.legal_hold, "reason": package.legal_hold_reason}
    package.legal_hold = hold
    package.legal_hold_reason = reason if hold else ""
    audit.record("archive_package", package.id, "hold" if hold else "release", before=before,
                 after={"legal_hold": hold, "reason": package.legal_hold_reason}, reason=reason,
                 school_id=package.school_id, user_id=by_user.id)
    db.session.flush()


DESTROYED_LABELS = {
    "folders": N_("папок в местах хранения"),
    "files": N_("файлов в пакете"),
    "lessons": N_("уроков"),
    "marks": N_("отметок"),
    "attendance": N_("отметок посещаемости"),
    "homework": N_("домашних заданий"),
    "homework_files": N_("файлов домашних заданий"),
    "homework_students": N_("индивидуальных заданий"),
    "lesson_works": N_("видов работ уроков"),
    "journal_changes": N_("записей истории журнала"),
    "cell_writes": N_("ключей сохранения"),
    "personal_file_years": N_("лет личного дела"),
    "personal_file_history": N_("прежних редакций личного дела"),
    "previous_school_statements": N_("ведомостей прежней школы"),
    "protocol_files": N_("файлов протоколов"),
}
LOG_ACTIONS = {
    "propose": N_("предложено к уничтожению"),
    "approve": N_("акт утверждён"),
    "destroy": N_("уничтожено"),
    "hold": N_("удержание установлено"),
    "release": N_("удержание снято"),
    "succeeded": N_("задача выполнена"),
    "partial": N_("задача выполнена частично"),
    "failed": N_("задача не выполнена"),
    "running": N_("задача выполняется"),
}


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y") if iso else "—"


def shown(entries: list[dict], overrides_: dict[str, int] | None = None) -> list[dict]:
    """The act's records as the page and the PDF print them: dates as 31.05.2027, the period in
    years, what was destroyed in words (zero counts left out)."""
    rows = []
    for entry in entries:
        kind = entry.get("retention_kind", "")
        years = rules.years_for(kind, overrides_) if kind in rules.SCHEDULE else None
        what = ", ".join(f"{_(DESTROYED_LABELS.get(k, k))}: {v}" for k, v in (entry.get("what") or {}).items() if v)
        years_text = f"{years} " + plural_ru(years, _("год"), _("года"), _("лет")) if years else ""
        rows.append({**entry, "counted_text": _day(entry.get("counted_from", "")), "ends_text": _day(entry.get("ends", "")),
                     "years_text": years_text, "what_text": what or "—"})
    return rows


LOG_ENTITIES = {
    "archive_package": N_("архивный пакет"),
    "journal_year": N_("журнал учебного года"),
    "academic_year": N_("учебный год"),
    "destruction_act": N_("акт об уничтожении"),
    "personal_file": N_("личное дело"),
    "state_exam_protocol": N_("протокол ГИА"),
}


def log_extract(act: DestructionAct, zone: ZoneInfo) -> list[dict]:
    """The event log of the act's records: their history entries (a hold, the destruction), the
    act's own (proposed, approved), and the runs of the retention job that proposed them."""
    filters = [(AuditEntry.entity == "destruction_act") & (AuditEntry.entity_id == act.id)]
    by_kind: dict[str, list[int]] = {}
    for entry in act.records:
        by_kind.setdefault(entry["kind"], []).append(entry["ref"])
    for kind, refs in by_kind.items():
        filters.append((AuditEntry.entity == kind) & AuditEntry.entity_id.in_(refs))
    if "journal_year" in by_kind:
        filters.append((AuditEntry.entity == "academic_year") & AuditEntry.entity_id.in_(by_kind["journal_year"]))
    rows = []
    for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.school_id == act.school_id, or_(*filters)).order_by(AuditEntry.at)):
        entity = _(LOG_ENTITIES[entry.entity]) if entry.entity in LOG_ENTITIES else entry.entity
        rows.append({"at": as_utc(entry.at), "user_id": entry.user_id, "source": "history", "action": entry.action,
                     "what": f"{entity} № {entry.entity_id}" if entry.entity_id else entity, "ref": f"#{entry.id}"})
    from jobs.retention import JOB_ID

    runs = select(JobRun).where(JobRun.job_id == JOB_ID)
    runs = runs.where(JobRun.id == act.job_run_id) if act.job_run_id else runs.where(False)
    for run in db.session.scalars(runs):
        counts = run.counts or {}
        rows.append({"at": as_utc(run.started_at), "user_id": run.started_by_id, "source": "job",
                     "action": run.status,
                     "what": _("задача «Сроки хранения»: проектов актов %(acts)s, документов %(records)s",
                               acts=counts.get("acts", 0), records=counts.get("records", 0)),
                     "ref": _("запуск № %(id)s", id=run.id)})
    users = {}
    ids = {r["user_id"] for r in rows if r["user_id"]}
    if ids:
        users = {u.id: u.short_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for r in rows:
        r["user"] = users.get(r["user_id"], _("система"))
        r["action_text"] = _(LOG_ACTIONS[r["action"]]) if r["action"] in LOG_ACTIONS else r["action"]
        r["at_text"] = r["at"].astimezone(zone).strftime("%d.%m.%Y %H:%M:%S")
    rows.sort(key=lambda r: r["at"])
    return rows
