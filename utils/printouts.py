"""Certified printouts (REP-4; 001:2.5.10, 003:6.1): one way to print a document that can be
signed, sealed and checked later.

    pdf, printout = certified_pdf("pdf/summary_sheet.html", kind="summary_sheet",
                                  title=_("Сводная ведомость"), period="2 четверть",
                                  signers=[Signer(_("Классный руководитель"), "Иванова И. И."),
                                           director_signer(school)],
                                  user=current_user, of={"class_id": 5, "period_id": 2}, sheet=data)

The document extends the one print layout `templates/pdf/certified.html` (its `document`
block) and receives `cert`: the school's full name, the title and period, the signature lines,
«М.П.», the date and time of printing in the school's timezone, «стр. N из M» and the
verification code with /verify/<code> in the footer of every page. The PDF is hashed, kept in
the printouts store (PRINTOUTS_DIR, one file per code, never overwritten) and recorded as a
`Printout` flushed in the caller's transaction: the caller commits.

Batches rendered elsewhere (the weekly reports, in a process pool) take a `Certificate` first
(`certificate(...)`, with its code), render the HTML with it, and `record_printout(...)` the
bytes they get back."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select

from domain.printout_codes import grouped, new_code
from extensions import db
from models import School, User, UserRole
from models.base import as_utc, utcnow
from models.printouts import Printout
from utils.pdf import render_pdf

LAYOUT = "pdf/certified.html"


@dataclass(frozen=True)
class Signer:
    """A signature line: «Классный руководитель ______ / Иванова И. И. /». An empty name leaves
    a line to write it in."""

    role: str
    name: str = ""


@dataclass
class Certificate:
    """What the print layout prints around the document (`cert` in the template)."""

    code: str  # stored form, no dash
    school_id: int
    school_name: str
    kind: str
    title: str
    period: str
    signers: list[Signer]
    printed_at: datetime  # UTC
    printed_text: str  # «29.11.2026 16:35», school time
    of: dict[str, Any] = field(default_factory=dict)

    @property
    def code_text(self) -> str:
        return grouped(self.code)

    @property
    def verify_path(self) -> str:
        return f"/verify/{self.code_text}"


def printouts_dir(app: Flask | None = None) -> str:
    """PRINTOUTS_DIR, or `printouts` inside the uploads folder, so the weekly backup (which packs
    the uploads folder, jobs/backup.py) keeps the archived printouts with everything else."""
    app = app or current_app
    return app.config.get("PRINTOUTS_DIR") or os.path.join(app.config["UPLOAD_FOLDER"], "printouts")


def short_name(full_name: str) -> str:
    """«Смирнова Анна Петровна» → «Смирнова А. П.», as a signature is deciphered; a name
    already short (or of another shape) is left as it is."""
    words = (full_name or "").split()
    if len(words) < 2 or any(w.endswith(".") for w in words[1:]):
        return " ".join(words)
    return f"{words[0]} " + " ".join(f"{w[0]}." for w in words[1:3])


def director_signer(school: School) -> Signer:
    """The director's line: the name the school's card gives, else the account holding the role."""
    name = short_name(school.director_name)
    if not name:
        director = db.session.scalar(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.school_id == school.id, UserRole.role == "director", User.is_active_account.is_(True))
            .order_by(User.id).limit(1)
        )
        name = director.short_name if director is not None else ""
    return Signer(_("Директор"), name)


def certificate(school: School, *, kind: str, title: str, period: str = "", signers=(), of=None,
                printed_at: datetime | None = None, default_tz: str = "Europe/Moscow") -> Certificate:
    """A fresh code and the layout's data, before the PDF exists (its footer prints the code)."""
    printed_at = as_utc(printed_at or utcnow())
    local = printed_at.astimezone(ZoneInfo(school.timezone or default_tz))
    return Certificate(
        code=new_code(), school_id=school.id, school_name=school.name, kind=kind, title=title,
        period=period, signers=list(signers), printed_at=printed_at,
        printed_text=local.strftime("%d.%m.%Y %H:%M"), of=dict(of or {}),
    )


def record_printout(pdf: bytes, cert: Certificate, user: User | None, *, printed_by_name: str = "",
                    folder: str | None = None) -> Printout:
    """Hash and keep the PDF rendered with `cert`, and add its record to the session (flushed;
    the caller commits). The file is created exclusively: a code's file is never overwritten.
    A file whose transaction is rolled back stays without a record and verifies as nothing."""
    folder = folder or printouts_dir()
    relpath = os.path.join(str(cert.school_id), cert.printed_at.strftime("%Y-%m"), f"{cert.code}.pdf")
    path = os.path.join(folder, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "xb") as f:
        f.write(pdf)
        f.flush()
        os.fsync(f.fileno())
    printout = Printout(
        school_id=cert.school_id, code=cert.code, kind=cert.kind, title=cert.title[:300],
        period=cert.period[:200], of=cert.of, printed_by_id=user.id if user is not None else None,
        printed_by_name=(user.full_name if user is not None else printed_by_name)[:200],
        printed_at=cert.printed_at, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), path=relpath,
    )
    db.session.add(printout)
    db.session.flush()
    return printout


def certified_pdf(template: str, *, kind: str, title: str, period: str, signers, user: User, of=None,
                  **context: Any) -> tuple[bytes, Printout]:
    """Render `template` (which extends pdf/certified.html) as a certified printout of
    `user`'s school; returns the PDF and its flushed record."""
    cert = certificate(user.school, kind=kind, title=title, period=period, signers=signers, of=of,
                       default_tz=current_app.config["SCHOOL_TIMEZONE"])
    pdf = render_pdf(template, cert=cert, **context)
    return pdf, record_printout(pdf, cert, user)


def stored_path(printout: Printout, folder: str | None = None) -> str | None:
    """The kept PDF of a printout, or None when the file is missing or leaves the store."""
    root = os.path.realpath(folder or printouts_dir())
    path = os.path.realpath(os.path.join(root, printout.path))
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        return None
    return path


def matches(printout: Printout, data: bytes) -> bool:
    """Whether an uploaded PDF is byte for byte the recorded one."""
    return hashlib.sha256(data).hexdigest() == printout.sha256 and len(data) == printout.size
