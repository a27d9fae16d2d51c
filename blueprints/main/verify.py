"""Checking a paper copy against its record (REP-4): /verify/<code> shows what was printed, of
what, when and by whom, with the SHA-256 and size of the PDF; an uploaded PDF is compared with
the record byte for byte; the kept PDF is downloaded by those who may read such a document.
Staff only (policy.can_verify_printouts); the code lookup is rate-limited against guessing
(VERIFY_RATE_LIMIT), and a code is accepted however it is typed (domain/printout_codes.py)."""
from __future__ import annotations

import os

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

import policy
from blueprints.main import bp, labels
from domain.messages import N_
from domain.printout_codes import grouped, normalise
from extensions import db, limiter
from models.printouts import Printout
from utils import audit, refusals
from utils.printouts import matches, stored_path
from utils.uploads import UploadRefused, check_upload, send_stored_file

KIND_LABELS = labels.register("printout_kind", {
    "journal_page": _l("Страница классного журнала"),
    "weekly_report": _l("Еженедельный отчёт родителям"),
    "summary_sheet": _l("Сводная ведомость"),
    "statistics": _l("Статистика успеваемости"),
    "personal_file_extract": _l("Выписка из личного дела"),
    "destruction_act": _l("Акт об уничтожении"),
})


def _staff_only() -> None:
    if not policy.can_verify_printouts(current_user):
        abort(403)


def _lookup_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _page(printout: Printout | None, typed: str, status: int = 200, **context):
    return render_template(
        "main/verify.html", printout=printout, typed=typed,
        code_text=grouped(printout.code) if printout is not None else "",
        may_download=printout is not None and policy.can_download_printout(current_user, printout),
        **context,
    ), status


def _load(typed: str) -> Printout | None:
    """The printout of the user's school with this code, or None (another school's is not told)."""
    code = normalise(typed)
    if code is None:
        return None
    printout = db.session.scalar(select(Printout).where(Printout.code == code))
    if printout is None or printout.school_id != current_user.school_id:
        return None
    return printout


@bp.get("/verify")
@login_required
def verify_index():
    """The form to type a code from a paper copy; ?code= goes to its page."""
    _staff_only()
    typed = request.args.get("code", "")
    if typed:
        code = normalise(typed)
        if code is not None:
            return redirect(url_for("main.verify", code=grouped(code)), 303)
        return _page(None, typed, 400, error=_("Код проверки — десять знаков, например ACD34-EF679; «%(typed)s» им быть не может.", typed=typed[:40]))
    return _page(None, "")


@bp.route("/verify/<code>", methods=["GET", "POST"])
@login_required
@limiter.limit(_lookup_limit)
def verify(code: str):
    """The record of one printout; POST compares an uploaded PDF with it."""
    _staff_only()
    printout = _load(code)
    if printout is None:
        return _page(None, code[:40], 404, not_found=True)
    if request.method == "GET":
        return _page(printout, code)
    try:
        upload = check_upload(request.files.get("file"), current_app.config.get("MAX_CONTENT_LENGTH"), ("pdf",),
                              N_("Файл «%(name)s» не принят: сверяются только PDF."))
    except UploadRefused as refusal:
        return _page(printout, code, refusal.status, error=refusals.undo(refusal))
    if upload is None:
        return _page(printout, code, 400, error=_("Выберите PDF-файл для сверки."))
    same = matches(printout, upload.data)
    return _page(printout, code, outcome="match" if same else "mismatch", uploaded_name=upload.original_name,
                 uploaded_size=len(upload.data))


@bp.get("/verify/<code>/pdf")
@login_required
@limiter.limit(_lookup_limit)
def verify_download(code: str):
    """The kept PDF of the printout, to those who may read such a document."""
    _staff_only()
    printout = _load(code)
    if printout is None:
        abort(404)
    if not policy.can_download_printout(current_user, printout):
        abort(403)
    path = stored_path(printout)
    if path is None:
        abort(404)
    # A copy of a document with personal data leaves the system (PD-4, 000:5.5.4).
    audit.record("printout", printout.id, "download", after={"code": printout.code, "kind": printout.kind},
                 school_id=printout.school_id)
    db.session.commit()
    return send_stored_file(os.path.dirname(path), os.path.basename(path), f"{grouped(printout.code)}.pdf",
                            "application/pdf")
