"""`flask audit verify` (the access log's hash chain) and `flask pd rotate-key` (PD-6)."""
from __future__ import annotations

import click

from extensions import db


@click.group("audit")
def audit_group() -> None:
    """The personal-data access log."""


@audit_group.command("verify")
@click.option("--school", "school_id", type=int, default=None, help="Check one school only.")
def audit_verify(school_id: int | None) -> None:
    """Recompute the access log's hash chain; exit 1 naming the first bad entry."""
    from models import School
    from utils.pd_access import verify_chain
    from utils.pd_protection import chain_counts

    problems = verify_chain(school_id)
    names = dict(db.session.execute(db.select(School.id, School.name)).all())
    if problems:
        for p in problems:
            where = f"entry no. {p.seq}" if p.seq is not None else "head"
            ident = f" (id {p.entry_id})" if p.entry_id is not None else ""
            click.echo(f"BROKEN: school {p.school_id} «{names.get(p.school_id, '?')}», {where}{ident}: {p.message}")
        raise SystemExit(1)
    counts = chain_counts()
    if school_id is not None:
        counts = {k: v for k, v in counts.items() if k == school_id}
    for sid, n in sorted(counts.items()):
        click.echo(f"school {sid} «{names.get(sid, '?')}»: {n} entries")
    click.echo(f"OK: {sum(counts.values())} entries in {len(counts)} schools, the chain is intact.")


@click.group("pd")
def pd_group() -> None:
    """Personal data (152-ФЗ): keys."""


@pd_group.command("rotate-key")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def pd_rotate_key(batch_size: int) -> None:
    """Re-encrypt every encrypted field under the current key (the first of PD_ENCRYPTION_KEYS).
    Put the new key first, keep the old ones after it until this has finished."""
    from utils.encryption import keyring
    from utils.pd_protection import rotate_keys

    click.echo(f"Re-encrypting under key {keyring().current!r} in batches of {batch_size}…")
    result = rotate_keys(batch_size, progress=click.echo)
    click.echo(f"Done: {result.rewritten} rows re-encrypted.")
    if result.unreadable:
        raise click.ClickException(f"{result.unreadable} values could not be read: their key is not configured.")


@pd_group.command("fill-personal-files")
@click.option("--now", "now", is_flag=True, help="Do not wait for the school's date (personal_file_fill_by).")
def pd_fill_personal_files(now: bool) -> None:
    """Write the current year's results into every personal file that is ready (REP-6);
    filled years are not touched."""
    from flask import current_app

    from jobs.personal_files import fill_all

    with current_app.test_request_context():
        result = fill_all(current_app, force_date=now)
    click.echo(f"Filled: {result['filled']}; not ready: {result['not_ready']}; schools due: {result['schools']}.")
