"""`flask school create`: the first school of a fresh deployment and its director's account
(README, «Развёртывание для района / Deploying a district»). Everything else — the school year,
classes, people, the technical administrator's role — is then set up in the interface by the
director. Each further school of a district is created the same way."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from extensions import db


@click.group("school")
def school_group() -> None:
    """Schools of this deployment."""


@school_group.command("create")
@click.option("--name", required=True, help="Full name, as printed on documents.")
@click.option("--short-name", required=True, help="Short name, e.g. «МБОУ «СОШ № 7»».")
@click.option("--director-login", required=True, help="Login of the director's account.")
@click.option("--director-name", required=True, help="Surname, first name and patronymic of the director.")
@click.option("--timezone", default=None, help="The school's time zone (default: SCHOOL_TIMEZONE).")
@with_appcontext
def create_school_command(name: str, short_name: str, director_login: str, director_name: str,
                          timezone: str | None) -> None:
    """Create a school and its director; prints the director's one-time password."""
    from models import School, User, UserRole
    from utils.credentials import generate_password

    parts = director_name.split()
    if len(parts) < 2:
        raise click.ClickException("--director-name: surname and first name at least.")
    login = director_login.strip()
    if not login or db.session.scalar(select(User.id).where(User.login == login)) is not None:
        raise click.ClickException(f"The login {login!r} is empty or already taken.")
    password = generate_password(12)
    school = School(
        name=name.strip(), short_name=short_name.strip(), director_name=" ".join(parts),
        timezone=timezone or current_app.config["SCHOOL_TIMEZONE"], settings={},
    )
    director = User(
        school=school, login=login,
        password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]),
        last_name=parts[0], first_name=parts[1], middle_name=" ".join(parts[2:]),
        must_change_password=True,
    )
    director.role_rows = [UserRole(role="director")]
    db.session.add_all([school, director])
    db.session.commit()
    click.echo(f"School {school.id} «{school.short_name}» created; director {login}.")
    click.echo(f"One-time password (to be changed at the first login): {password}")
