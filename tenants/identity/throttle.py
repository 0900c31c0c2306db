"""Brute-force and flood protection: attempts are counted per key (an
account, a phone number, a source address) over a window; past a few, each
attempt waits longer, and past a limit the key is refused for a while.

An attempt is reserved before it is checked: one statement counts it against
every key and says whether it may go on and how long it must wait, and it is
committed before the password or code is checked. Concurrent attempts thus
queue on the key's row and the lock engages at its limit however many arrive
at once. Once checked, a wrong password or code keeps its reservation; a
success clears the subject's count (the account's) and gives the address its
attempt back (one valid account must not reset an address); any other
refusal gives both back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tenants.identity import errors
from tenants.tx import Transaction

MAX_DELAY_SECONDS = 8.0


@dataclass(frozen=True)
class Limit:
    """When a key starts being slowed down and when it is locked, counting
    attempts over ``window``; a locked key is refused for ``lock``."""

    slow_after: int
    lock_after: int
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)


ACCOUNT = Limit(slow_after=3, lock_after=10)
"""Password attempts on one account (sign-in, invitation, password change)."""
ADDRESS = Limit(slow_after=20, lock_after=50)
"""Password attempts from one source address, on any account."""


@dataclass(frozen=True)
class Key:
    """What attempts are counted against: ``<scope>:<who>``."""

    name: str
    limit: Limit


def keys(subject: Key, address: str | None, scope: str, limit: Limit) -> list[Key]:
    """The keys of an attempt on ``subject`` (an account, a phone number):
    the subject's, then, when the source address is known,
    ``<scope>address:<address>``."""
    return [subject, Key(f"{scope}address:{address}", limit)] if address else [subject]


@dataclass(frozen=True)
class Reservation:
    """An attempt counted against its keys, or refused."""

    counted: tuple[tuple[Key, datetime], ...]
    """The keys the attempt was counted against, with the window it counts in."""
    delay: float
    """Seconds to wait before checking the attempt."""
    locked_minutes: int | None
    """When refused: minutes until the locked key opens again."""


# Counts one attempt against each key: one more while the window lasts
# (capped one past the limit, so that a refusal shows), a new window once it or
# the lock is over; the attempt that reaches the limit locks the key.
_RESERVE = """
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::interval[], $4::interval[])
        AS w(key, lock_after, window_length, lock_length)
)
INSERT INTO sign_in_throttles AS t (id, key, failures, window_started_at, locked_until)
SELECT gen_random_uuid(), key, 1, now(), CASE WHEN lock_after <= 1 THEN now() + lock_length END FROM wanted
ON CONFLICT (key) DO UPDATE SET (failures, window_started_at, locked_until) = (
    SELECT CASE WHEN s.locked THEN w.lock_after + 1
                WHEN s.counting THEN least(t.failures + 1, w.lock_after + 1)
                ELSE 1 END,
           CASE WHEN s.locked OR s.counting THEN t.window_started_at ELSE now() END,
           CASE WHEN s.locked THEN t.locked_until
                WHEN CASE WHEN s.counting THEN t.failures + 1 ELSE 1 END >= w.lock_after
                    THEN now() + w.lock_length
                END
    FROM wanted AS w,
         LATERAL (SELECT t.locked_until > now() AS locked,
                         t.locked_until IS NULL AND t.window_started_at + w.window_length > now() AS counting) AS s
    WHERE w.key = t.key
)
RETURNING t.key, t.failures, t.window_started_at, t.locked_until, now() AS now
"""


def _delay(previous: int, limit: Limit) -> float:
    if previous <= limit.slow_after:
        return 0.0
    return min(MAX_DELAY_SECONDS, 2.0 ** (previous - limit.slow_after - 1))


async def reserve(tx: Transaction, attempt_keys: Sequence[Key]) -> Reservation:
    """Count an attempt against ``attempt_keys`` (platform transaction, to
    commit before the attempt is checked). Refused when a key is locked; the
    other keys then get the attempt back at once."""
    rows = await tx.fetch(
        _RESERVE,
        [key.name for key in attempt_keys],
        [key.limit.lock_after for key in attempt_keys],
        [key.limit.window for key in attempt_keys],
        [key.limit.lock for key in attempt_keys],
    )
    found = {row["key"]: row for row in rows}
    counted: list[tuple[Key, datetime]] = []
    delay = 0.0
    locked_minutes: int | None = None
    for key in attempt_keys:
        row = found[key.name]
        if row["failures"] > key.limit.lock_after:
            minutes = math.ceil((row["locked_until"] - row["now"]).total_seconds() / 60)
            locked_minutes = max(locked_minutes or 0, minutes)
            continue
        counted.append((key, row["window_started_at"]))
        delay = max(delay, _delay(row["failures"] - 1, key.limit))
    reservation = Reservation(counted=tuple(counted), delay=delay, locked_minutes=locked_minutes)
    if locked_minutes is not None:
        await give_back(tx, reservation)
        return Reservation(counted=(), delay=0.0, locked_minutes=locked_minutes)
    return reservation


async def count_request(tx: Transaction, request_keys: Sequence[Key], path: tuple[str, ...]) -> None:
    """Count a request (for a code, a link) against ``request_keys`` (platform
    transaction); past a key's limit, ``TooManyRequests`` naming the input at
    ``path``, and the transaction rolls back with nothing counted."""
    reservation = await reserve(tx, request_keys)
    if reservation.locked_minutes is not None:
        raise errors.TooManyRequests(path=path, minutes=reservation.locked_minutes)


async def give_back(tx: Transaction, reservation: Reservation, *, skip_first: bool = False) -> None:
    """Uncount a reserved attempt (platform transaction): it was not a guess.
    With ``skip_first``, the subject's key (the first) is left alone."""
    counted = reservation.counted[1:] if skip_first else reservation.counted
    # One key at a time, in the order reservations lock them (the subject's,
    # then the address's), so that a give-back and a reservation never deadlock.
    for key, window_started_at in counted:
        await tx.execute(
            """
            UPDATE sign_in_throttles SET
                failures = greatest(failures - 1, 0),
                locked_until = CASE WHEN failures - 1 < $3 THEN NULL ELSE locked_until END
            WHERE key = $1 AND window_started_at = $2
            """,
            key.name,
            window_started_at,
            key.limit.lock_after,
        )


async def succeeded(tx: Transaction, reservation: Reservation) -> None:
    """A reserved attempt succeeded (platform transaction): the subject's
    count is cleared and the address gets its attempt back."""
    if reservation.counted:
        await clear(tx, [reservation.counted[0][0].name])
    await give_back(tx, reservation, skip_first=True)


async def clear(tx: Transaction, names: list[str]) -> None:
    """Forget the attempts counted against these keys (platform transaction)."""
    await tx.execute("DELETE FROM sign_in_throttles WHERE key = ANY($1::text[])", names)


def password_keys(account: str, address: str | None) -> list[Key]:
    """The keys of a password attempt on ``account`` (``account:<identifier>``)
    from ``address`` (``address:<ip>``)."""
    return keys(Key(f"account:{account}", ACCOUNT), address, "", ADDRESS)


async def account_may_have_another(
    tx: Transaction, table: str, user_id: UUID, *, window: timedelta, maximum: int
) -> bool:
    """Whether an account has had fewer than ``maximum`` rows of ``table``
    (sign-in codes, reset links) in the last ``window``. Takes a lock on the
    account first, held to the end of the transaction, so that concurrent
    requests are counted one after the other and the limit holds."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{table}:{user_id}")
    recent: int = await tx.fetchval(
        f"SELECT count(*) FROM {table} WHERE user_id = $1 AND created_at > now() - $2::interval",  # table: ours
        user_id,
        window,
    )
    return recent < maximum
