"""Who may open a student's personal data, and the log of who did (PD-3, PD-5, PD-6).

Every personal-data page and export calls `require(user, categories, students=…)` before it
shows anything:
- staff must be named in the director's order in force today for those categories (PD-3,
  000:5.3, 001:5.3) — `granted_categories`;
- nothing is shown while the director's suspension for the school, the user or the category is
  active (PD-5, 001:5.5.5) — the refusal carries its reason;
- the opening is appended to the school's hash-chained access log (PD-6, ASVS 8.3.5).
A parent opening their own child's data (the subject's right of access) is logged, never
refused here: the view has already checked the family link through policy.

The log is append-only by construction: each entry's hash covers its content and the previous
entry's hash, `seq` counts the school's entries without gaps, and AccessLogHead keeps the newest
one; `verify_chain` (the `flask audit verify` command and the dashboard) recomputes all of it.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timezone
from functools import wraps

from flask import current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from domain import personal_data as pd
from domain.messages import N_, Refusal
from extensions import db
from models import User
from models.base import as_utc, utcnow
from models.pd_register import AccessLogEntry, AccessLogHead, OrderOperator, ProcessingOrder, Suspension
from utils.audit import client_ip
from utils.timeutil import school_today

GENESIS = "0" * 64


class PersonalDataRefusal(Refusal):
    """No access to personal data: not named in the order, or suspended (403)."""

    status = 403


def _today(user: User):
    return school_today(user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _cached(key: tuple, compute):
    if not has_request_context():
        return compute()
    store = g.setdefault("pd_access_cache", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def granted_categories(user: User) -> frozenset[str]:
    """The categories the user is named for in the school's orders in force today ("*": all)."""

    def compute() -> frozenset[str]:
        today = _today(user)
        rows = db.session.execute(
            select(OrderOperator.categories, ProcessingOrder)
            .join(ProcessingOrder, ProcessingOrder.id == OrderOperator.order_id)
            .where(ProcessingOrder.school_id == user.school_id, OrderOperator.user_id == user.id)
        ).all()
        granted: set[str] = set()
        for categories, order in rows:
            if order.is_in_force(today):
                granted.update(categories or [])
        return frozenset(granted)

    return _cached(("granted", user.id), compute)


def active_suspensions(school_id: int) -> list[Suspension]:
    return _cached(
        ("suspensions", school_id),
        lambda: list(
            db.session.scalars(
                select(Suspension)
                .where(Suspension.school_id == school_id, Suspension.lifted_at.is_(None))
                .order_by(Suspension.id)
            )
        ),
    )


def forget_cache() -> None:
    """After an order or a suspension changed within the same request."""
    if has_request_context():
        g.pop("pd_access_cache", None)


def suspension_for(user: User, categories: Iterable[str]) -> Suspension | None:
    """The active suspension that covers this user and any of these categories, if one does."""
    wanted = set(categories)
    for suspension in active_suspensions(user.school_id):
        if suspension.scope == "school":
            return suspension
        if suspension.scope == "user" and suspension.user_id == user.id:
            return suspension
        if suspension.scope == "category" and (suspension.category in wanted or pd.ALL in wanted):
            return suspension
    return None


def allowed_categories(user: User, categories: Iterable[str]) -> frozenset[str]:
    """Of the wanted categories, those this member of staff may open now: named in the order
    and not suspended (a suspension of the school or of the user leaves none)."""
    wanted = frozenset(categories)
    permitted = pd.permitted(granted_categories(user), wanted)
    return frozenset(c for c in permitted if suspension_for(user, {c}) is None)


def refusal(user: User, categories: Iterable[str], *, all_of: bool = False) -> PersonalDataRefusal | None:
    """Why this member of staff may not open these categories now; None when they may
    (all_of: every category is needed, otherwise any one of them is enough)."""
    wanted = frozenset(categories)
    suspension = suspension_for(user, wanted)
    if suspension is not None and (all_of or not allowed_categories(user, wanted)):
        return PersonalDataRefusal(
            N_("Доступ к персональным данным приостановлен директором. Причина: %(reason)s"),
            reason=suspension.reason,
        )
    granted = granted_categories(user)
    if not granted:
        return PersonalDataRefusal(
            N_("Вы не включены в действующий приказ директора о допуске к персональным данным. "
               "Обратитесь к директору.")
        )
    ok = pd.covers(granted, wanted) if all_of else bool(pd.permitted(granted, wanted))
    if not ok:
        return PersonalDataRefusal(
            N_("Приказ директора не допускает вас к этим категориям персональных данных.")
        )
    return None


def require(
    user: User,
    categories: Iterable[str],
    *,
    students: Iterable[int] = (),
    action: str = "view",
    what: str = "",
    all_of: bool = False,
    log: bool = True,
) -> frozenset[str]:
    """Check the user may open these categories of these students' data and log the opening;
    return the categories they may see. Raises PersonalDataRefusal (403) for staff not named in
    the order or suspended. Parents and students (their own data, checked by the view) pass."""
    wanted = frozenset(categories)
    if user.is_staff:
        problem = refusal(user, wanted, all_of=all_of)
        if problem is not None:
            raise problem
        shown = allowed_categories(user, wanted)
    else:
        shown = wanted
    if log:
        log_access(user, action, what or _endpoint(), students, sorted(shown))
    return shown


def may(user: User, categories: Iterable[str], *, all_of: bool = False) -> bool:
    """For links and buttons: would `require` let this user through? (no logging)"""
    return not user.is_staff or refusal(user, categories, all_of=all_of) is None


def personal_data_view(*categories: str, all_of: bool = False):
    """Marks a view (below @login_required) as a personal-data page or export of these
    categories: staff not named in the order for them, or under a suspension, are refused
    (403 with the reason) before the view runs. The view still calls `require(...)` with the
    students it shows, which logs the opening. tests/test_pd_gate.py finds every marked view
    through `personal_data_categories` and proves the refusals."""
    wanted = frozenset(categories)

    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if current_user.is_authenticated and current_user.is_staff:
                problem = refusal(current_user, wanted, all_of=all_of)
                if problem is not None:
                    raise problem
            return view(*args, **kwargs)

        inner.personal_data_categories = wanted
        return inner

    return wrap


def _endpoint() -> str:
    from flask import request

    return request.path[:200] if has_request_context() else ""


# The hash-chained access log -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    school_id: int
    seq: int | None
    entry_id: int | None
    message: str


def entry_hash(entry) -> str:
    """SHA-256 over the entry's content and its predecessor's hash, in a fixed text form. `entry`
    is an AccessLogEntry or a row of CHAIN_COLUMNS (the check reads rows, not objects: 100,000
    entries in a few seconds)."""
    content = [
        entry.school_id,
        entry.seq,
        # in UTC whatever the session's time zone: PostgreSQL returns the moment in its own,
        # SQLite a naive UTC value
        as_utc(entry.at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        entry.user_id,
        entry.action,
        entry.what,
        [int(i) for i in entry.student_ids or []],
        [str(c) for c in entry.categories or []],
        entry.ip or "",
        entry.prev_hash,
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


CHAIN_COLUMNS = (
    AccessLogEntry.id, AccessLogEntry.school_id, AccessLogEntry.seq, AccessLogEntry.at, AccessLogEntry.user_id,
    AccessLogEntry.action, AccessLogEntry.what, AccessLogEntry.student_ids, AccessLogEntry.categories,
    AccessLogEntry.ip, AccessLogEntry.prev_hash, AccessLogEntry.hash,
)


def _locked_head(school_id: int) -> AccessLogHead:
    """The school's head row, locked until the transaction ends (FOR UPDATE on PostgreSQL;
    SQLite serialises writers). The first entry of a school creates it with INSERT … ON CONFLICT
    DO NOTHING, so that two first appends at once do not fail on the primary key."""
    query = select(AccessLogHead).where(AccessLogHead.school_id == school_id).with_for_update()
    head = db.session.scalars(query).first()
    if head is None:
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        db.session.execute(
            insert(AccessLogHead).values(school_id=school_id, seq=0, hash=GENESIS).on_conflict_do_nothing()
        )
        head = db.session.scalars(query.execution_options(populate_existing=True)).one()
    return head


def log_access(
    user: User | None,
    action: str,
    what: str,
    student_ids: Iterable[int] = (),
    categories: Iterable[str] = (),
    *,
    school_id: int | None = None,
) -> AccessLogEntry:
    """Append one entry to the school's access log, in the current transaction (committed with
    the request; a refused request rolls it back with everything else)."""
    school_id = school_id if school_id is not None else user.school_id
    head = _locked_head(school_id)
    entry = AccessLogEntry(
        school_id=school_id,
        seq=head.seq + 1,
        at=utcnow(),
        user_id=user.id if user is not None else None,
        action=action[:20],
        what=what[:200],
        student_ids=sorted({int(i) for i in student_ids}),
        categories=sorted({str(c) for c in categories}),
        ip=client_ip(),
        prev_hash=head.hash or GENESIS,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    db.session.flush()
    if has_request_context():
        g.pd_access_logged = True
    return entry


def init_app(app) -> None:
    """A page that only reads still keeps its access-log entry: after a successful response the
    request's transaction is committed when an entry was appended (a refused or failed request
    was rolled back, and its entry with it)."""

    @app.after_request
    def keep_access_log(response):
        if g.pop("pd_access_logged", False) and response.status_code < 400:
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                app.logger.exception("the access log entry of %s was not stored", _endpoint())
                raise
        return response


def verify_chain(school_id: int | None = None) -> list[ChainProblem]:
    """Recompute every school's chain; the first problem of each school (an edited, deleted or
    inserted entry, or a head that does not match the newest entry)."""
    heads = {h.school_id: h for h in db.session.scalars(select(AccessLogHead))}
    query = select(*CHAIN_COLUMNS).order_by(AccessLogEntry.school_id, AccessLogEntry.seq)
    if school_id is not None:
        query = query.where(AccessLogEntry.school_id == school_id)
        heads = {k: v for k, v in heads.items() if k == school_id}
    problems: dict[int, ChainProblem] = {}
    last: dict[int, tuple[int, str]] = {}
    for entry in db.session.execute(query.execution_options(yield_per=2000)):
        sid = entry.school_id
        if sid in problems:
            continue
        seq, prev = last.get(sid, (0, GENESIS))
        if entry.seq != seq + 1:
            problems[sid] = ChainProblem(sid, seq + 1, None, f"entry no. {seq + 1} is missing")
        elif entry.prev_hash != prev:
            problems[sid] = ChainProblem(sid, entry.seq, entry.id, f"entry no. {entry.seq} does not follow entry no. {seq}")
        elif entry_hash(entry) != entry.hash:
            problems[sid] = ChainProblem(sid, entry.seq, entry.id, f"entry no. {entry.seq} was changed")
        else:
            last[sid] = (entry.seq, entry.hash)
    for sid, head in heads.items():
        if sid in problems:
            continue
        seq, digest = last.get(sid, (0, GENESIS))
        if head.seq != seq or (head.hash or GENESIS) != digest:
            problems[sid] = ChainProblem(sid, seq + 1, None, f"entries after no. {seq} were removed")
    for sid in last:
        if sid not in heads and sid not in problems:
            problems[sid] = ChainProblem(sid, None, None, "the log's head is missing")
    return sorted(problems.values(), key=lambda p: p.school_id)
