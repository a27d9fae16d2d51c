"""The weekly paper report (DIA-4; 003:2.7): a class file of printed pages in alphabetical
order, the week's marks, absences and homework, the job's progress and failures, and one
batch however many schedulers fire the same slot."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select

from extensions import db
from jobs import weekly_reports
from jobs.weekly_reports import abbreviate_kind
from jobs.weekly_reports import report_week as week_of
from models import AuditEntry, JobRun
from models.jobs import SentEmail
from tests.clock import school_date, school_moment
from tests.conftest import DATABASE_URL
from tests.weekly_fixtures import MONDAY, SATURDAY, SLOT, pdf_pages_text

ROOT = Path(__file__).resolve().parent.parent



def batch_file(app, s) -> Path:
    return Path(app.config["REPORTS_FOLDER"]) / str(s.school.id) / MONDAY.isoformat() / "class-5А.pdf"


def test_the_saturday_slot_reports_the_week_monday_to_saturday():
    assert week_of(SLOT, "Europe/Moscow") == (MONDAY, SATURDAY)
    sunday_evening = school_moment(2026, 11, 22, 20, 0)  # Sunday 23:00 in Moscow
    assert week_of(sunday_evening, "Europe/Moscow") == (MONDAY, SATURDAY)
    monday_night = school_moment(2026, 11, 22, 21, 30)  # Monday 00:30 in Moscow
    # a new week has begun, but the last complete one is still the one reported
    assert week_of(monday_night, "Europe/Moscow") == (MONDAY, SATURDAY)


def test_kinds_of_work_are_abbreviated_as_in_a_paper_journal():
    assert abbreviate_kind("Контрольная работа") == "контр."
    assert abbreviate_kind("Самостоятельная работа") == "самост."
    assert abbreviate_kind("Устный ответ") == "устн."
    assert abbreviate_kind("Тест") == "тест"


def test_printed_reports_of_a_class_in_one_file_in_alphabetical_order(app, report_week):
    s = report_week
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors
    assert run.total == 3 and run.done == 3 and run.failed == 0

    path = batch_file(app, s)
    assert run.counts["files"] == {str(s.school.id): [f"{s.school.id}/{school_date(2026, 11, 16)}/class-5А.pdf"]}
    pages = pdf_pages_text(path.read_bytes())
    # Борисов: e-mail asked and consented, but e-mail is disabled here, so he is printed too;
    # Васильева: e-mail asked without consent 6.9, printed; Петров: paper. Алексеева: diary only.
    assert len(pages) == 3
    assert "Борисов Борис" in pages[0] and "Васильева Вера" in pages[1] and "Петров Пётр" in pages[2]
    assert not any("Алексеева" in p for p in pages)

    petrov = pages[2]
    assert "МБОУ «Средняя общеобразовательная школа № 1»" in petrov
    assert "Одинцово" in petrov
    assert f"{MONDAY:%d.%m.%Y}" in petrov and f"{SATURDAY:%d.%m.%Y}" in petrov
    assert "Математика" in petrov and "Русский язык" in petrov
    assert "4,67" in petrov  # (5×2 + 4×1) / 3, the journal's weighted average
    assert "контр." in petrov and "Контрольная работа" in petrov
    assert "Решить задачи на дроби" in petrov and "стр. 45" in petrov
    assert "Ознакомлен(а)" in petrov and "М.П." in petrov
    assert "Петрова Елена" in petrov  # the copy names its parent
    assert "Пропусков нет" in petrov
    vasilieva = pages[1]
    assert "по болезни" in vasilieva and "Б" in vasilieva

    assert run.counts["pages_printed"] == 3 and run.counts["print_no_consent"] == 1
    assert run.counts["emails_not_sent"] == 1 and run.counts["emails_sent"] == 0
    email = db.session.scalar(select(SentEmail))
    assert email.status == "not_sent" and email.recipient == "borisov@example.ru" and "MAIL_SERVER" in email.error
    printed = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "disclosure", AuditEntry.action == "print")).all()
    assert {e.after["student_id"] for e in printed} == {s.petrov.id, s.borisov.id, s.vasilieva.id}


def test_the_batch_is_written_atomically_without_leftovers(app, report_week):
    weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    folder = batch_file(app, report_week).parent
    assert sorted(os.listdir(folder)) == ["class-5А.pdf"]


def test_a_second_run_of_the_same_slot_is_skipped(app, report_week):
    assert weekly_reports.run_scheduled(app, SLOT) is not None
    assert weekly_reports.run_scheduled(app, SLOT) is None
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_a_failing_student_is_recorded_and_the_others_are_printed(app, report_week, monkeypatch):
    from blueprints.diary import queries

    real = queries.week_data

    def broken(student, monday):
        if student.last_name == "Васильева":
            raise RuntimeError("нет данных")
        return real(student, monday)

    monkeypatch.setattr(queries, "week_data", broken)
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "partial"
    assert run.done == 2 and run.failed == 1
    assert "Васильева" in run.errors and "нет данных" in run.errors
    pages = pdf_pages_text(batch_file(app, report_week).read_bytes())
    assert len(pages) == 2 and not any("Васильева Вера" in p for p in pages)


def test_pages_are_rendered_in_a_process_pool(app, report_week):
    app.config["REPORT_WORKERS"] = 2
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors
    assert run.counts["process_pool"] is True
    pages = pdf_pages_text(batch_file(app, report_week).read_bytes())
    assert [("Борисов" in p, "Васильева" in p, "Петров" in p) for p in pages] == [
        (True, False, False), (False, True, False), (False, False, True)
    ]


def test_no_pool_falls_back_to_rendering_in_process(app, report_week, monkeypatch):
    import utils.pdf_pool

    def no_pool(*args, **kwargs):
        raise OSError("no /dev/shm")

    monkeypatch.setattr(utils.pdf_pool, "ProcessPoolExecutor", no_pool)
    app.config["REPORT_WORKERS"] = 2
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded" and run.counts["process_pool"] is False
    assert len(pdf_pages_text(batch_file(app, report_week).read_bytes())) == 3


def test_cli_runs_the_job_by_hand(app, report_week):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "weekly_reports"])
    assert result.exit_code == 0, result.output
    assert "weekly_reports: succeeded" in result.output
    run = db.session.scalar(select(JobRun))
    assert run.trigger == "cli"


SCHEDULER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import datetime
    sys.path.insert(0, {root!r})
    from app import create_app
    from config import TestConfig
    config = {{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}}
    config.update(SQLALCHEMY_DATABASE_URI={url!r}, REPORTS_FOLDER={folder!r}, REPORT_WORKERS=0)
    app = create_app(config)
    from jobs.weekly_reports import run_scheduled
    open({ready!r}, "w").close()
    while not os.path.exists({go!r}):
        time.sleep(0.01)
    run = run_scheduled(app, datetime.fromisoformat({slot!r}))
    print("claimed" if run is not None else "skipped", run.status if run is not None else "")
    """
)


def test_two_scheduler_processes_on_one_database_produce_one_batch(app, report_week, tmp_path):
    """Two real processes fire the same Saturday slot at the same moment: one claims it and
    writes the batch, the other skips (SQLite: BEGIN IMMEDIATE + busy timeout; PostgreSQL:
    the unique key)."""
    db.session.commit()
    folder = app.config["REPORTS_FOLDER"]
    go = tmp_path / "go"
    procs, readies = [], []
    for n in range(2):
        ready = tmp_path / f"ready-{n}"
        readies.append(ready)
        code = SCHEDULER.format(root=str(ROOT), url=DATABASE_URL, folder=folder, ready=str(ready), go=str(go), slot=SLOT.isoformat())
        procs.append(subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in readies):
        assert time.monotonic() < deadline, "the scheduler processes did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.05)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    verdicts = sorted(out.split()[0] for out, _err in outputs)
    assert verdicts == ["claimed", "skipped"], outputs

    db.session.commit()  # read what the processes stored
    runs = db.session.scalars(select(JobRun)).all()
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].trigger == "schedule"
    files = [p for p in Path(folder).rglob("*") if p.is_file()]
    assert [f.name for f in files] == ["class-5А.pdf"]
    assert len(pdf_pages_text(files[0].read_bytes())) == 3
    assert db.session.scalar(select(func.count()).select_from(SentEmail)) == 1


def test_the_reported_week_is_the_last_one_that_reached_its_saturday():
    from datetime import date, datetime, timezone

    from jobs.weekly_reports import report_week

    saturday_10 = datetime(2026, 11, 28, 7, 0, tzinfo=timezone.utc)  # 10:00 in Moscow
    assert report_week(saturday_10, "Europe/Moscow") == (date(2026, 11, 23), date(2026, 11, 28))
    sunday = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
    assert report_week(sunday, "Europe/Moscow") == (date(2026, 11, 23), date(2026, 11, 28))
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a run by hand on Monday
    assert report_week(monday, "Europe/Moscow") == (date(2026, 11, 16), date(2026, 11, 21))


def test_the_report_stamps_its_time_in_the_schools_zone(app, report_week):
    """Issue 9 item 9: the diary's «Отчёт за неделю» passes the UTC clock; the page says Moscow time."""
    from datetime import datetime, timezone

    from blueprints.diary.queries import week_data
    from domain.settings import school_settings

    s = report_week
    s.school.timezone = "Europe/Moscow"
    late_evening_utc = datetime(2026, 11, 20, 21, 30, tzinfo=timezone.utc)
    page = weekly_reports.page_data(week_data(s.petrov, MONDAY), s.school, school_settings(s.school.settings),
                                    late_evening_utc)
    assert page.generated_text == "21.11.2026 00:30"


def test_the_next_class_is_queued_for_rendering_before_the_last_one_is_delivered(app, report_week, monkeypatch):
    """Two classes in flight (issue 16): the pool renders the next class's pages while this
    process certifies, sends and prints the previous class, so it never waits on that tail.
    Every class is still delivered once, in order, and the run counts every student."""
    s = report_week
    real_plan = weekly_reports.plan_school

    def three_classes(school, scheduled_for, default_tz):
        plan = real_plan(school, scheduled_for, default_tz)
        first = plan.classes[0]
        plan.classes = [first] + [
            weekly_reports.ClassPlan(first.class_id, f"{first.class_name}-{n}", [], {}) for n in (2, 3)
        ]
        return plan

    calls = []
    real_submit, real_deliver = weekly_reports.WeeklyReports._submit, weekly_reports.WeeklyReports._deliver

    def submit(self, plan, class_plan, result, renderer):
        calls.append(("submit", class_plan.class_name))
        return real_submit(self, plan, class_plan, result, renderer)

    def deliver(self, submitted, renderer, mailer, progress):
        calls.append(("deliver", submitted.class_plan.class_name))
        return real_deliver(self, submitted, renderer, mailer, progress)

    monkeypatch.setattr(weekly_reports, "plan_school", three_classes)
    monkeypatch.setattr(weekly_reports.WeeklyReports, "_submit", submit)
    monkeypatch.setattr(weekly_reports.WeeklyReports, "_deliver", deliver)
    run = weekly_reports.run_scheduled(app, SLOT, trigger="cli")
    assert run.status == "succeeded", run.errors
    assert calls == [("submit", "5А"), ("submit", "5А-2"), ("deliver", "5А"), ("submit", "5А-3"),
                     ("deliver", "5А-2"), ("deliver", "5А-3")]
    assert run.done == 3 and run.failed == 0
    assert len(pdf_pages_text(batch_file(app, s).read_bytes())) == 3
