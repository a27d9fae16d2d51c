"""Flask CLI commands: `flask demo`, `flask create-admin`…"""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from blueprints.archive.cli import archive_group
from extensions import db
from jobs.backup_cli import backup_group
from utils.pd_cli import audit_group, pd_group
from utils.school_cli import school_group


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(jobs_group)
    app.cli.add_command(backup_group)
    app.cli.add_command(archive_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(pd_group)
    app.cli.add_command(school_group)


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the one scheduler process (weekly reports, backups). Start exactly one per deployment."""
    from flask import current_app

    from jobs.scheduler import JOBS, build_scheduler

    scheduler = build_scheduler(current_app._get_current_object(), blocking=True)
    click.echo(f"Scheduler started with jobs: {', '.join(sorted(JOBS)) or 'none'}")
    scheduler.start()


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs by hand."""


@jobs_group.command("list")
def jobs_list() -> None:
    import jobs.catalogue  # noqa: F401
    from jobs.schedule_settings import effective_cron
    from jobs.scheduler import JOBS

    for job_id, (target, cron_key) in sorted(JOBS.items()):
        from flask import current_app

        click.echo(f"{job_id:<20} {effective_cron(current_app, job_id, cron_key, in_request=True):<16} {target}")


@jobs_group.command("run")
@click.argument("job_id")
def jobs_run(job_id: str) -> None:
    """Run JOB_ID now (recorded as a run by hand)."""
    from flask import current_app

    import jobs.catalogue  # noqa: F401
    from jobs.runner import manual_key
    from jobs.scheduler import JOBS, _resolve

    if job_id not in JOBS:
        raise click.ClickException(f"Unknown job {job_id!r}; known: {', '.join(sorted(JOBS))}")
    function = _resolve(JOBS[job_id][0])
    run = function(current_app._get_current_object(), manual_key(), trigger="cli")
    if run is None:
        click.echo("Skipped: this run was already claimed.")
        return
    click.echo(f"{job_id}: {run.status}; done {run.done} of {run.total}, failed {run.failed}; {run.counts}")
    if run.status == "failed":
        raise click.ClickException(run.errors.splitlines()[-1] if run.errors else "failed")


@click.group("demo", invoke_without_command=True)
@click.option("--password", default=None, help="Password of every demo account (default: a random one, printed).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds a school.")
@click.pass_context
def demo_command(ctx: click.Context, password: str | None, if_empty: bool) -> None:
    """Fill an empty database with the demo school «СОШ № 7» (2026/2027).

    `flask demo fill-year` then sets the year's missing period and year marks."""
    if ctx.invoked_subcommand is not None:
        return
    from demo import build_demo_school
    from models import School

    if db.session.scalar(select(School.id).limit(1)) is not None:
        if if_empty:
            click.echo("A school already exists; demo data not loaded.")
            return
        raise click.ClickException("The database already holds a school; the demo needs an empty database.")
    started = time.monotonic()
    result = build_demo_school(password)
    counts = result["counts"]
    click.echo(
        f"Demo school created in {time.monotonic() - started:.1f} s: {counts['classes']} classes, "
        f"{counts['students']} students, {counts['parents']} parents, {counts['staff']} staff; "
        f"journal: {counts.get('lessons', 0)} lessons, {counts.get('marks', 0)} marks, {counts.get('absences', 0)} absences."
    )
    click.echo("Demo logins:")
    for login, description in result["logins"]:
        click.echo(f"  {login:<10} {description}")
    click.echo(f"Password of every demo account: {result['password']}")


@demo_command.command("fill-year")
@click.option("--year", "year_id", type=int, default=None, help="Id of the school year (default: the current year).")
@with_appcontext
def fill_year_command(year_id: int | None) -> None:
    """Set the period and year marks still missing in a school year (what the period's marks
    round to; «4» where there are none), so that the year can be closed after the council's
    decisions and the printed summary sheets (ARC-1)."""
    from demo.year_end import fill_year
    from models import AcademicYear

    query = select(AcademicYear)
    query = query.where(AcademicYear.id == year_id) if year_id else query.where(AcademicYear.is_current.is_(True))
    year = db.session.scalar(query.limit(1))
    if year is None:
        raise click.ClickException("No such school year.")
    created = fill_year(year)
    db.session.commit()
    click.echo(f"{year.name}: {created} period and year marks set.")
