"""The weekly report scenarios (jobs/weekly_reports.py): seconds per student page, and the
whole school's batch with the PDF pool using every core. Skipped, with the reason in the JSON,
when the job or the entry points used here are missing.

Only parents who refused electronic access get a paper report, and the generator records no
such application; the batch scenario therefore files a "print" application for one parent of
every student of the school (or of --report-students of them) for the duration of the run and
removes it, its job run, audit entries and PDF files afterwards."""
from __future__ import annotations

import shutil
import tempfile
import time
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select

from bench import scenarios as sc


def _needs():
    module = sc.weekly_report_module()
    missing = [n for n in ("page_data", "render_page_html", "run_scheduled") if not hasattr(module, n)]
    if missing:
        raise sc.Skip(f"{sc.NOT_AVAILABLE}: jobs/weekly_reports.py lacks {', '.join(missing)} "
                      f"(functions: {sc.describe_callables(module)})")
    try:
        from blueprints.diary.queries import monday_of, week_data  # noqa: F401
    except ImportError as e:
        raise sc.Skip(f"{sc.NOT_AVAILABLE}: blueprints/diary/queries.py: {e}") from None
    return module


def page(app, t: sc.Targets, limit: int = 40, seconds: float = 30) -> dict[str, Any]:
    """One student's page as the job makes it, in this process: the diary's week data, the
    page data, the HTML, the PDF (xhtml2pdf). Students of the grid's class, then the next."""
    module = _needs()
    from blueprints.diary.queries import monday_of, week_data
    from domain.settings import school_settings
    from extensions import db
    from models import School, Student
    from utils.pdf import html_to_pdf

    counter = sc.QueryCounter(_engine(app))
    samples = sc.Samples()
    sizes = []
    try:
        with app.app_context():
            school = db.session.get(School, t.school_id)
            settings = school_settings(school.settings)
            students = db.session.scalars(
                select(Student).where(Student.school_id == t.school_id).order_by(Student.current_class_id, Student.id)
            ).all()
            start_at = next((i for i, s in enumerate(students) if s.id == t.student_id), 0)
            students = (students[start_at:] + students[:start_at])[:limit]
            monday = monday_of(t.today)
            generated_at = datetime.now(timezone.utc)
            start = time.perf_counter()
            for i, student in enumerate(students):
                if time.perf_counter() - start > seconds and i >= 5:
                    break
                counter.reset()
                t0 = time.perf_counter()
                try:
                    data = module.page_data(week_data(student, monday), school, settings, generated_at)
                    html = module.render_page_html(app, data, "Родитель Бенчмарка")
                    pdf = html_to_pdf(html, app.static_folder)
                except Exception as e:  # recorded, not fatal
                    samples.add_error(f"{type(e).__name__}: {e}")
                    db.session.rollback()
                    continue
                samples.latencies.append(time.perf_counter() - t0)
                samples.queries.append(counter.count)
                sizes.append(len(pdf))
                db.session.rollback()
            samples.elapsed = time.perf_counter() - start
    finally:
        counter.close()
    out = samples.summary()
    out.update({"mode": "in_process", "unit": "one student's page: week data + HTML + PDF",
                "seconds_per_page": round(out["p50_ms"] / 1000, 3) if out["p50_ms"] else None,
                "pdf_kb_avg": round(sum(sizes) / len(sizes) / 1024, 1) if sizes else None,
                "bench_rss_peak_mb": sc.rss_peak_mb()})
    return out


def district_batch(app, limit: int | None = None, workers: int | None = None) -> dict[str, Any]:
    """The job as the scheduler runs it: ONE run over every school of the database (one school,
    or a district), with one PDF pool for all of them (a run per school would start a pool per
    school, and scaling a sample of each school would multiply those start-ups). `limit`
    students of each school (--report-students; all by default); the run's time is scaled to
    all the students of the database."""
    from extensions import db
    from models import School

    with app.app_context():
        schools = db.session.scalar(select(func.count()).select_from(School))
    r = batch(app, limit, workers)
    district = r["school_seconds"]
    print(f"    weekly batch in one run: {r['students']} students of {schools} school(s) in {r['seconds']} s "
          f"→ {district} s for its {r['school_students']}", flush=True)
    return {
        **{k: r[k] for k in ("p50_ms", "p95_ms", "rps", "queries", "errors", "students", "pages", "seconds",
                             "seconds_per_page", "report_workers", "process_pool", "status", "bench_rss_peak_mb")},
        "mode": "in_process (one run of the job for every school, one PDF process pool)",
        "schools": schools,
        "district_students": r["school_students"], "district_seconds": district,
        "school_seconds": round(district / schools, 1),
        "school_students": round(r["school_students"] / schools),
        "seconds_per_1000_students": r["seconds_per_1000_students"],
    }


def batch(app, limit: int | None = None, workers: int | None = None) -> dict[str, Any]:
    """The job over every school in one run, as `flask jobs run weekly_reports` and the scheduler
    run it, with the PDF pool on every core (REPORT_WORKERS = CPUs); `limit` students of each
    school; the time is scaled to all the students."""
    module = _needs()
    from extensions import db
    from models import AuditEntry, JobRun, ParentLink, Student
    from models.personal_data import ParentApplication

    workers = workers or sc.cpu_count()
    folder = tempfile.mkdtemp(prefix="bench-reports-")
    app.config["REPORTS_FOLDER"] = folder
    app.config["REPORT_WORKERS"] = workers
    with app.app_context():
        of_school: dict[int, list[int]] = {}
        for sid, student_id in db.session.execute(
            select(Student.school_id, Student.id).order_by(Student.school_id, Student.current_class_id, Student.id)
        ):
            of_school.setdefault(sid, []).append(student_id)
        school_students = sum(len(ids) for ids in of_school.values())
        students, school_of = [], {}
        for sid, ids in of_school.items():
            if limit and limit < len(ids):
                step = len(ids) / limit  # spread over every class, not the first (light) grades
                ids = [ids[int(i * step)] for i in range(limit)]
            students += ids
            school_of.update((student_id, sid) for student_id in ids)
        first_parent = {}
        for student_id, parent_id in db.session.execute(
            select(ParentLink.student_id, ParentLink.parent_id).where(ParentLink.student_id.in_(students))
            .order_by(ParentLink.id)
        ):
            first_parent.setdefault(student_id, parent_id)
        year_start = datetime(2026, 9, 1).date()
        apps = [ParentApplication(school_id=school_of[s], parent_id=p, student_id=s, submitted_on=year_start,
                                  access_level="none", delivery="print", email="", scope=[])
                for s, p in first_parent.items()]
        db.session.add_all(apps)
        db.session.commit()
        app_ids = [a.id for a in apps]
        audit_before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    scheduled_for = datetime.now(timezone.utc).replace(microsecond=0)
    run_id = None
    try:
        start = time.perf_counter()
        run = module.run_scheduled(app, scheduled_for, trigger="cli")
        seconds = time.perf_counter() - start
        if run is None:
            raise sc.Skip("the job slot was taken by another run")
        run_id = run.id
        counts = run.counts or {}
        pages = counts.get("pages_printed") or 0
        errors = len(counts.get("errors") or []) + (run.failed or 0)
        files = sum(1 for _ in _walk(folder))
        per_1000 = seconds * 1000 / max(1, len(first_parent))
        return {
            "p50_ms": None, "p95_ms": None,
            "rps": round(pages / seconds, 2) if seconds else None,
            "queries": None, "errors": errors,
            "mode": "in_process (job with its PDF process pool)",
            "students": len(first_parent), "pages": pages, "class_files": files,
            "seconds": round(seconds, 1),
            "seconds_per_page": round(seconds / pages, 3) if pages else None,
            "school_students": school_students,
            "school_seconds": round(per_1000 * school_students / 1000, 1),
            "seconds_per_1000_students": round(per_1000, 1),
            "report_workers": workers,
            "process_pool": counts.get("process_pool"),
            "status": run.status,
            "bench_rss_peak_mb": sc.rss_peak_mb(),
        }
    finally:
        with app.app_context():
            db.session.execute(delete(ParentApplication).where(ParentApplication.id.in_(app_ids)))
            db.session.execute(delete(AuditEntry).where(AuditEntry.id > audit_before,
                                                        AuditEntry.school_id.in_(list(of_school))))
            if run_id is not None:
                db.session.execute(delete(JobRun).where(JobRun.id == run_id))
            db.session.commit()
        shutil.rmtree(folder, ignore_errors=True)


def _walk(folder: str):
    import os

    for _root, _dirs, files in os.walk(folder):
        yield from (f for f in files if f.endswith(".pdf"))


def _engine(app):
    from extensions import db

    with app.app_context():
        return db.engine
