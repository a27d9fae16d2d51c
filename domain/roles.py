"""The hierarchy of roles: who may grant which role and whose password an administrator may
reset. Pure rules without Flask; policy.py and the people operations ask them.

The rank of a role says how much of the school's data it reads:

- 5 director: everything, and the only one who grants the roles of the school's management;
- 4 deputy (учебная часть): every journal, read-only (004:3.3);
- 3 methodist, journal administrator: every journal, read-only (002:4.1-4.2, 002:5.2);
- 2 technical administrator: accounts, backups, the system (003 Положение 2.2), no journals;
- 1 teachers: the journals of their own classes (004:3.6);
- 0 students and parents: their own diary (004:2.11-2.12).

A user's rank is that of their highest role. Nobody changes their own roles upwards; a role
ranked above the actor's own is granted only by the director, and so are the roles of someone
who already holds such a role. A password of someone ranked above the actor, or of a director
or deputy, is reset only by the director (the reset of another's password lets the resetter
log in as them)."""
from __future__ import annotations

from collections.abc import Iterable

RANKS: dict[str, int] = {
    "director": 5,
    "deputy": 4,
    "methodist": 3,
    "journal_admin": 3,
    "tech_admin": 2,
    "class_teacher": 1,
    "teacher": 1,
    "extra_teacher": 1,
    "student": 0,
    "parent": 0,
}
DIRECTOR = "director"
# Accounts whose password only the director resets, whatever the resetter's rank.
DIRECTOR_RESETS = frozenset({"director", "deputy"})


def rank(roles: Iterable[str]) -> int:
    """The rank of a set of roles: that of the highest; -1 for none."""
    return max((RANKS[r] for r in roles if r in RANKS), default=-1)


def grant_refusal(actor_roles: Iterable[str], target_before: Iterable[str], target_after: Iterable[str],
                  is_self: bool) -> str | None:
    """Why `actor` may not change `target`'s roles from `before` to `after`, or None.

    The answer is a code: "self" (nobody adds a role to themselves), "above" (a role above
    the actor's own is added, or removed), "senior" (the target already ranks above the actor)."""
    actor, before, after = frozenset(actor_roles), frozenset(target_before), frozenset(target_after)
    added = after - before
    if is_self and added:
        return "self"
    if DIRECTOR in actor:
        return None
    own = rank(actor)
    if rank(before) > own:
        return "senior"
    if rank(added | (before - after)) > own:
        return "above"
    return None


def reset_needs_director(actor_roles: Iterable[str], target_roles: Iterable[str]) -> bool:
    """A director's or deputy's password, or that of anyone ranked above the actor, is reset by
    the director only."""
    actor, target = frozenset(actor_roles), frozenset(target_roles)
    if DIRECTOR in actor:
        return False
    return bool(target & DIRECTOR_RESETS) or rank(target) > rank(actor)
