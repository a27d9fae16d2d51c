"""Flask CLI commands: `flask demo`, `flask create-admin`…"""
from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import select

from extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)


@click.command("demo")
@click.option("--password", default=None, help="Password of every demo account (default: a random one, printed).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds a school.")
def demo_command(password: str | None, if_empty: bool) -> None:
    """Fill an empty database with the demo school «СОШ № 7» (2026/2027)."""
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
        f"{counts['students']} students, {counts['parents']} parents, {counts['staff']} staff."
    )
    click.echo("Demo logins:")
    for login, description in result["logins"]:
        click.echo(f"  {login:<10} {description}")
    click.echo(f"Password of every demo account: {result['password']}")
