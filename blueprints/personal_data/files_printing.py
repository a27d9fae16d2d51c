"""Printed forms of the personal file (REP-6, PD-8):

- `leaving_extract(...)`: the certified extract of current marks of a student leaving mid-year
  (001:2.6.11): the period marks so far and the averages of the current marks per subject, the
  missed lessons, the signature lines and the stamp; recorded as a printout (the caller records
  the disclosure and commits).
- `personal_file_extract_pdf(student, year)`: the year's page of the personal file as a PDF, not
  recorded, for the archive packages (their signature is what proves it)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import current_app
from flask_babel import gettext as _

import policy
from blueprints.personal_data import files_operations as ops
from blueprints.personal_data.files_labels import DECISION_LABELS
from models import AcademicYear, Student, User
from models.printouts import Printout
from utils.pdf import render_pdf
from utils.printouts import Signer, certificate, certified_pdf, director_signer, short_name


def _who(student: Student, class_name: str = "") -> str:
    return student.full_name + (f", {class_name}" if class_name else "")


def leaving_extract(student: Student, year: AcademicYear, user: User, today: date, recipient: str,
                    purpose: str) -> tuple[bytes, Printout]:
    marks = ops.current_marks(student, year, today)
    class_name = marks.class_group.name if marks.class_group else ""
    signers = [Signer(_("Классный руководитель") if not policy.can_administer(user) else _("Ответственный"),
                      short_name(user.full_name)), director_signer(user.school)]
    return certified_pdf(
        "pdf/leaving_extract.html", kind="leaving_extract",
        title=_("Выписка текущих отметок обучающегося"),
        period=_("%(who)s; %(y)s учебный год, на %(d)s", who=_who(student, class_name), y=year.name,
                 d=today.strftime("%d.%m.%Y")),
        signers=signers, user=user, of={"student_id": student.id, "year_id": year.id},
        student=student, marks=marks, year=year, today=today, recipient=recipient, purpose=purpose,
    )


def personal_file_extract_pdf(student: Student, year: AcademicYear) -> bytes:
    """The year's page of the student's personal file as a PDF (the written copy; when the year
    is not filled yet, what the journal holds now, marked so). Not recorded as a printout."""
    entry = ops.entry_of(student.id, year.id)
    live = None if entry is not None else ops.gather(student, year)
    class_name = entry.class_name if entry is not None else (live.copy.get("class_name", "") if live else "")
    cert = certificate(
        student.school, kind="personal_file_year", title=_("Личное дело обучающегося № %(n)s", n=student.book_number),
        period=_("%(who)s; %(y)s учебный год", who=_who(student, class_name), y=year.name),
        signers=[director_signer(student.school)], of={"student_id": student.id, "year_id": year.id},
        default_tz=current_app.config["SCHOOL_TIMEZONE"],
    )
    cert = replace(cert, code="")  # not a recorded printout: the archive package's signature proves it
    copy = ops.shown_copy(ops._copy_of(entry) if entry is not None else (live.copy if live else {}))
    return render_pdf("pdf/personal_file_year.html", cert=cert, student=student, year=year, entry=entry,
                      copy=copy, decisions=DECISION_LABELS)
