"""`flask archive …`: check a signed archive package, show the school's public key (ARC-3)."""
from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from utils import archive_packages


def signing_key_path() -> str:
    return current_app.config.get("ARCHIVE_SIGNING_KEY_PATH") or os.path.join(
        current_app.instance_path, "archive_signing_key.pem"
    )


@click.group("archive")
def archive_group() -> None:
    """Signed archive packages."""


@archive_group.command("public-key")
@with_appcontext
def public_key_command() -> None:
    """Print the school's public key (PEM) and its fingerprint, as on the acceptance act."""
    key = archive_packages.load_or_create_signing_key(signing_key_path())
    click.echo(archive_packages.public_key_pem(key).decode("ascii"), nl=False)
    click.echo(f"fingerprint: {archive_packages.fingerprint(key)}")


@archive_group.command("verify")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False),
              help="The school's public key (PEM) from the acceptance act; default: this installation's key.")
@with_appcontext
def verify_command(path: str, public_key: str | None) -> None:
    """Check every file of the package against its manifests and the signature against the key."""
    if public_key:
        with open(public_key, "rb") as f:
            pem = f.read()
    else:
        pem = archive_packages.public_key_pem(archive_packages.load_or_create_signing_key(signing_key_path()))
    ok, problems = archive_packages.verify_package(path, pem)
    for line in problems:
        click.echo(line)
    click.echo("OK: every file is intact and the signature is the school's" if ok else "FAILED")
    sys.exit(0 if ok else 1)
