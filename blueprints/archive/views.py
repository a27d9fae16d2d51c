"""The archive's pages (ARC-1, ARC-3): the packages by year with a check of every destination's
copy, the building of packages and the acceptance act. Views are thin: blueprints/archive/
operations.py does the work."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import policy
from blueprints.archive import bp, builds
from blueprints.archive import operations as ops
from domain.personal_data import MARKS_CATEGORIES
from extensions import db
from models import AcademicYear, ClassGroup
from models.archive import ArchivePackage
from models.year_archive import ArchiveBuildRequest
from utils import pd_access
from utils.htmx import render_htmx_template
from utils.pd_access import personal_data_view


def _allowed() -> None:
    if not policy.can_manage_archive(current_user):
        abort(403)


def _year(year_id: int) -> AcademicYear:
    _allowed()
    return policy.checked(db.session.get(AcademicYear, year_id), None, current_user)


def _page(verification: dict | None = None):
    return render_template(
        "archive/index.html", years=ops.year_packages(current_user.school_id),
        verification=verification or {}, may_build=policy.can_manage_archive(current_user),
        builds=builds.requests_by_year(current_user.school_id),
    )


@bp.get("")
@login_required
def index():
    _allowed()
    return _page()


@bp.post("/packages/<int:package_id>/verify")
@login_required
def verify(package_id: int):
    """Check every destination's copy: ✓ or ✗ with the files that failed."""
    _allowed()
    package = policy.checked(db.session.get(ArchivePackage, package_id), None, current_user)
    checks = ops.verify(package)
    return render_htmx_template("archive/verify.html", "archive/_verification.html",
                                package=package, checks=checks, years=ops.year_packages(current_user.school_id),
                                verification={package.id: checks})


def _require(what: str, student_ids=()) -> None:
    # A package prints the students' marks and attendance (journal pages, summary sheets): only
    # staff named in the personal-data order for them (PD-3), and the printing is logged (PD-4).
    pd_access.require(current_user, MARKS_CATEGORIES, students=student_ids, action="print", what=what)


@bp.post("/classes/<int:class_id>/build")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def build_class(class_id: int):
    _allowed()
    class_group = policy.checked(db.session.get(ClassGroup, class_id), None, current_user)
    builds.require_closed(class_group.year)
    _require("archive_package", ops.class_student_ids(class_group))
    package = ops.build_class_package(class_group, class_group.year, current_user)
    db.session.commit()
    flash(_("Пакет %(name)s записан в архив (%(n)s файлов).", name=package.name, n=package.files), "success")
    return redirect(url_for("archive.index"))


@bp.post("/years/<int:year_id>/summary-sheets")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def build_summary_sheets(year_id: int):
    """The year's summary sheets, as soon as the accounting ends, before the year is closed."""
    year = _year(year_id)
    builds.require_summary_sheets_ready(year)
    _require("archive_summary_sheets")
    package = ops.build_summary_sheets_package(year, current_user)
    db.session.commit()
    flash(_("Сводные ведомости записаны в архив: %(name)s.", name=package.name), "success")
    return redirect(url_for("archive.index"))


@bp.post("/years/<int:year_id>/build")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def build_year(year_id: int):
    """Every class of the year and the summary sheets, as a job run (its progress on the jobs page)."""
    year = _year(year_id)
    builds.require_closed(year)
    _require("archive_year_packages")
    outcome = ops.build_year_packages(year, current_user)
    counts = outcome["counts"]
    flash(_("Архивирование года: записано пакетов %(done)s, с ошибками %(failed)s.",
            done=counts.get("packages", 0), failed=counts.get("failed", 0)),
          "success" if not counts.get("failed") else "error")
    return redirect(url_for("archive.index"))


@bp.post("/years/<int:year_id>/build/retry")
@login_required
def retry_build(year_id: int):
    """A failed automatic build queued again: the scheduler builds what is still missing."""
    year = _year(year_id)
    request = db.session.scalar(db.select(ArchiveBuildRequest).where(ArchiveBuildRequest.year_id == year.id))
    if request is None:
        abort(404)
    builds.retry(request, current_user)
    db.session.commit()
    flash(_("Формирование пакетов поставлено в очередь: оно начнётся в течение минуты."), "success")
    return redirect(url_for("archive.index"))


@bp.get("/years/<int:year_id>/act.pdf")
@login_required
def act(year_id: int):
    """The act of acceptance into the archive with the school's public key (ARC-3)."""
    year = _year(year_id)
    pdf, printout = ops.acceptance_act_pdf(year, current_user)
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="archive-act-{year.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
