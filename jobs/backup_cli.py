"""`flask backup run | list | restore`: the backup by hand and the restore (ARC-4)."""
from __future__ import annotations

import click
from flask import current_app

from jobs.backup import BackupError, destinations, list_backups, run_scheduled, verify_folder
from jobs.runner import manual_key


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@click.group("backup")
def backup_group() -> None:
    """Backups of the database and the uploaded files (ARC-4)."""


@backup_group.command("run")
def backup_run() -> None:
    """Make a backup now into every destination (recorded as a run by hand)."""
    from extensions import db
    from models.archive import BackupCopy

    app = current_app._get_current_object()
    run = run_scheduled(app, manual_key(), trigger="cli")
    if run is None:
        raise click.ClickException("Skipped: this run was already claimed.")
    for copy in db.session.query(BackupCopy).filter_by(job_run_id=run.id).order_by(BackupCopy.id):
        state = "verified" if copy.verified else f"FAILED: {copy.error}"
        click.echo(f"{copy.destination}/{copy.folder}  {_size(copy.size)}  {state}")
    click.echo(f"weekly_backup: {run.status}; {run.counts}")
    if run.status != "succeeded":
        raise click.ClickException(run.errors.splitlines()[-1] if run.errors else run.status)


@backup_group.command("list")
@click.option("--check", is_flag=True, help="Recompute every checksum now (reads every copy).")
def backup_list(check: bool) -> None:
    """The backups found in the destinations, newest first."""
    targets = destinations(current_app)
    found = list_backups(targets)
    click.echo("Destinations: " + ", ".join(targets))
    if not found:
        click.echo("No complete backups found.")
        return
    for b in found:
        if check:
            problems = verify_folder(b.path)
            state = "checked ok" if not problems else "DAMAGED: " + "; ".join(problems)
        else:
            state = {True: "verified", False: "FAILED", None: "not recorded"}[b.recorded]
        click.echo(f"{b.name}  {b.engine:<10} {_size(b.size):>10}  {state:<12}  {b.path}")


@backup_group.command("restore")
@click.argument("name_or_path")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(name_or_path: str, yes: bool) -> None:
    """Replace the database and the uploads with the backup NAME_OR_PATH (a folder name from
    `flask backup list`, or a path). Stop the scheduler first; web processes refuse changes meanwhile."""
    from jobs.restore import plan_restore, restore

    app = current_app._get_current_object()
    try:
        plan = plan_restore(app, name_or_path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for folder, problems in plan.skipped.items():
        click.echo(f"Skipped damaged copy {folder}: {'; '.join(problems)}")
    info = plan.info
    click.echo(f"Backup:   {plan.folder} (checksums verified)")
    click.echo(f"Taken:    {info.get('created_at')}  app commit {info.get('app_commit') or 'unknown'}")
    click.echo(f"Replaces: the database {plan.target}")
    click.echo(f"          and the uploads folder {plan.upload_folder} ({info['files']['count']} files in the backup)")
    for table, now in plan.rows_now.items():
        after = plan.rows_after.get(table, "?")
        click.echo(f"  {table:<14} now {'missing' if now is None else now:>8}  after restore {after:>8}")
    click.echo("Everything written since the backup is lost. Stop the scheduler first; while the restore runs, "
               "the web server refuses changes (503) and shows why.")
    if not yes:
        click.confirm("Restore this backup?", abort=True)
    try:
        kept = restore(app, plan)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {info.get('name')}.")
    if kept.get("database"):
        click.echo(f"The previous database file is kept as {kept['database']}")
    if kept.get("uploads"):
        click.echo(f"The previous uploads folder is kept as {kept['uploads']}")
    click.echo("If the backup is from an older version, run `flask db upgrade` before starting the server.")
