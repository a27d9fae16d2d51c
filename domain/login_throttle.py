"""How long a login must wait after failed attempts (ASVS 2.2.1): growing delays per account and
address instead of a lock that anyone could set off for an account they do not own. Pure."""
from __future__ import annotations

from datetime import datetime, timedelta


def delay_after(failures: int, free: int, max_seconds: int) -> int:
    """Seconds to wait after `failures` failures in a row: none for the first `free` (typos),
    then 1, 2, 4, 8… seconds, never more than `max_seconds`."""
    if failures < free:
        return 0
    return min(max_seconds, 2 ** min(failures - free, 30))


def seconds_to_wait(failures: int, last_failure_at: datetime | None, now: datetime, free: int,
                    max_seconds: int) -> int:
    """Whole seconds still to wait before the next attempt is checked (0: check it now)."""
    if last_failure_at is None:
        return 0
    ready_at = last_failure_at + timedelta(seconds=delay_after(failures, free, max_seconds))
    remaining = (ready_at - now).total_seconds()
    return max(0, int(remaining + 0.999))
