"""Protection of personal data at rest and of the access log (PD-6, 000:5.4, 001:5.4).

- `chain_counts` and `utils.pd_access.verify_chain`: the whole check behind `flask audit verify`;
- `dashboard_chain_state`: the administrator's dashboard checks only what was appended since the
  last point found intact (AccessLogCheck), plus that this point is still there unchanged and
  that no older entry is missing — a bounded cost on a long log. An edit of an older entry's
  content is found by the full check (`flask audit verify`, run by the operator or on a schedule);
- `rotate_keys`: re-encrypts every EncryptedText column of every model still under another key
  than the current one, in batches, committing each (resumable and idempotent).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Text, and_, func, literal, or_, select, type_coerce, update

from extensions import db
from models.base import utcnow
from models.pd_protection import AccessLogCheck
from models.pd_register import AccessLogEntry, AccessLogHead
from utils.encryption import PREFIX, EncryptedText, keyring
from utils.pd_access import CHAIN_COLUMNS, GENESIS, ChainProblem, entry_hash

# The access log ------------------------------------------------------------------------------


def chain_counts() -> dict[int, int]:
    """Entries per school."""
    rows = db.session.execute(
        select(AccessLogEntry.school_id, func.count()).group_by(AccessLogEntry.school_id)
    ).all()
    heads = db.session.scalars(select(AccessLogHead.school_id)).all()
    counts = {sid: 0 for sid in heads}
    counts.update({sid: n for sid, n in rows})
    return counts


@dataclass(frozen=True)
class ChainState:
    intact: bool  # no problem found in what was checked
    entries: int  # the newest entry's number (the head)
    problem: ChainProblem | None = None
    checked: int = 0  # entries checked up to (< entries: the rest on the next views)


def _walk(
    school_id: int, seq: int, prev: str, batch: int = 2000, until: int | None = None
) -> tuple[int, str, ChainProblem | None]:
    """Check the school's entries after number `seq` (whose hash is `prev`) up to `until`, in
    batches by number (bounded memory); the last good point and the first problem."""
    while True:
        query = select(*CHAIN_COLUMNS).where(AccessLogEntry.school_id == school_id, AccessLogEntry.seq > seq)
        if until is not None:
            if seq >= until:
                return seq, prev, None
            query = query.where(AccessLogEntry.seq <= until)
        entries = db.session.execute(query.order_by(AccessLogEntry.seq).limit(batch)).all()
        for entry in entries:
            if entry.seq != seq + 1:
                return seq, prev, ChainProblem(school_id, seq + 1, None, f"entry no. {seq + 1} is missing")
            if entry.prev_hash != prev:
                return seq, prev, ChainProblem(
                    school_id, entry.seq, entry.id, f"entry no. {entry.seq} does not follow entry no. {seq}"
                )
            if entry_hash(entry) != entry.hash:
                return seq, prev, ChainProblem(school_id, entry.seq, entry.id, f"entry no. {entry.seq} was changed")
            seq, prev = entry.seq, entry.hash
        if len(entries) < batch:
            return seq, prev, None


# Entries re-checked below the checkpoint on each view of the dashboard: a full pass over a
# log of N entries takes N / SWEEP views (100,000 entries: 50 views); see README for timings.
SWEEP = 2000
# New entries checked on one view at most (a first view of a long log goes on at the next).
TAIL = 5000


def _sweep(school_id: int, check: AccessLogCheck) -> ChainProblem | None:
    """Re-check the next SWEEP entries below the checkpoint from the sweep's cursor, then move
    the cursor on (back to the start after the checkpoint): an edit of an old entry's content
    is found within a bounded number of views."""
    start = check.sweep_seq or 0
    if start >= check.seq:
        start = 0
    if start:
        anchor = db.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.school_id == school_id, AccessLogEntry.seq == start)
        ).first()
        if anchor is None:
            return ChainProblem(school_id, start, None, f"entry no. {start} is missing")
        if entry_hash(anchor) != anchor.hash:
            return ChainProblem(school_id, start, anchor.id, f"entry no. {start} was changed")
        prev = anchor.hash
    else:
        prev = GENESIS
    until = min(start + SWEEP, check.seq)
    seq, _prev, problem = _walk(school_id, start, prev, until=until)
    if problem is None and seq == until:
        # the stretch ends where the stored chain goes on
        if until == check.seq and _prev != check.hash:
            problem = ChainProblem(school_id, until, None, f"entry no. {until} was changed")
        check.sweep_seq = 0 if until >= check.seq else until
    return problem


def dashboard_chain_state(school_id: int) -> ChainState:
    """The chain's state for the dashboard, checking incrementally from the last intact point
    (which it then moves forward, flushed with the request) plus a sweep of older entries."""
    head = db.session.get(AccessLogHead, school_id)
    head_seq, head_hash = (head.seq, head.hash or GENESIS) if head is not None else (0, GENESIS)
    check = db.session.get(AccessLogCheck, school_id)
    seq, prev = (check.seq, check.hash) if check is not None and check.seq else (0, GENESIS)
    if check is not None and seq:
        problem = _sweep(school_id, check)
        if problem is not None:
            db.session.flush()
            return ChainState(intact=False, entries=head_seq, problem=problem)
    if seq:
        # the checkpoint still there, unchanged, and no entry before it removed
        anchor = db.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.school_id == school_id, AccessLogEntry.seq == seq)
        ).first()
        older = db.session.scalar(
            select(func.count()).where(AccessLogEntry.school_id == school_id, AccessLogEntry.seq <= seq)
        )
        if anchor is None or anchor.hash != prev or entry_hash(anchor) != anchor.hash or older != seq:
            seq, prev = 0, GENESIS  # something changed below the checkpoint: walk it all
    partial = head_seq - seq > TAIL
    seq, prev, problem = _walk(school_id, seq, prev, until=seq + TAIL if partial else None)
    if problem is None and not partial and (head_seq != seq or head_hash != prev):
        problem = ChainProblem(school_id, seq + 1, None, f"entries after no. {seq} were removed")
    if check is None:
        check = AccessLogCheck(school_id=school_id)
        db.session.add(check)
    if (check.seq, check.hash) != (seq, prev):
        check.seq, check.hash, check.checked_at = seq, prev, utcnow()
    db.session.flush()
    return ChainState(intact=problem is None, entries=head_seq, problem=problem, checked=seq)


# Key rotation --------------------------------------------------------------------------------


def encrypted_columns() -> Iterator[tuple[object, list[str]]]:
    """(table, names of its EncryptedText columns) for every table that has some."""
    for table in db.metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if names:
            yield table, names


@dataclass
class RotationResult:
    rewritten: int = 0
    unreadable: int = 0


def rotate_keys(batch_size: int = 500, progress: Callable[[str], None] = lambda _m: None) -> RotationResult:
    """Re-encrypt under the current key (the first of PD_ENCRYPTION_KEYS) every value written
    under another key, and encrypt what was stored in plain text before encryption was on.
    Commits after each batch: an interrupted run resumes where it stopped, a second run finds
    nothing to do. A value whose key is no longer configured is counted and left as it is."""
    ring = keyring()
    current = f"{PREFIX}:{ring.current}:"
    result = RotationResult()
    for table, names in encrypted_columns():
        (pk,) = table.primary_key.columns
        raw = {name: type_coerce(table.c[name], Text) for name in names}
        stale = or_(*[and_(raw[n].is_not(None), raw[n] != "", ~raw[n].startswith(current)) for n in names])
        last = None
        done = 0
        while True:
            query = select(pk, *raw.values()).where(stale).order_by(pk).limit(batch_size)
            if last is not None:
                query = query.where(pk > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            for row in rows:
                last = row[0]
                values = {}
                for name, stored in zip(names, row[1:], strict=True):
                    if not stored or stored.startswith(current):
                        continue
                    try:
                        values[name] = literal(ring.encrypt(ring.decrypt(stored)), Text)
                    except Exception:  # noqa: BLE001  a key no longer configured: reported, kept
                        result.unreadable += 1
                if values:
                    db.session.execute(update(table).where(pk == row[0]).values(values))
                    result.rewritten += 1
                    done += 1
            db.session.commit()
            progress(f"{table.name}: {done} rows re-encrypted")
    return result
