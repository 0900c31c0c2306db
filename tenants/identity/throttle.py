"""Brute-force protection of sign-in: failures are counted per account and
per source address over a window; past a few, each attempt waits longer,
and past a limit the key is refused for a while. A success clears the
account's count (not the address's, which one valid account must not reset).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenants.identity import errors
from tenants.tx import Transaction

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """When a key starts being slowed down, and when it is locked."""

    slow_after: int
    lock_after: int


ACCOUNT = Limit(slow_after=3, lock_after=10)
ADDRESS = Limit(slow_after=20, lock_after=50)
MAX_DELAY_SECONDS = 8.0


def _keys(identifier: str, address: str | None) -> list[tuple[str, Limit]]:
    keys = [(f"account:{identifier}", ACCOUNT)]
    if address:
        keys.append((f"address:{address}", ADDRESS))
    return keys


async def delay_before_attempt(
    tx: Transaction, identifier: str, address: str | None, *, path: tuple[str, ...] = ("input", "identifier")
) -> float:
    """Seconds to wait before checking the password; raises ``TooManyAttempts``
    (naming the input at ``path``) while a key is locked (platform transaction)."""
    now = datetime.now(UTC)
    delay = 0.0
    keys = _keys(identifier, address)
    rows = await tx.fetch(
        "SELECT key, failures, window_started_at, locked_until FROM sign_in_throttles WHERE key = ANY($1::text[])",
        [key for key, _ in keys],
    )
    found = {row["key"]: row for row in rows}
    for key, limit in keys:
        row = found.get(key)
        if row is None:
            continue
        if row["locked_until"] is not None and row["locked_until"] > now:
            minutes = math.ceil((row["locked_until"] - now).total_seconds() / 60)
            raise errors.TooManyAttempts(path=path, minutes=minutes)
        if row["window_started_at"] + WINDOW > now and row["failures"] > limit.slow_after:
            delay = max(delay, min(MAX_DELAY_SECONDS, 2.0 ** (row["failures"] - limit.slow_after - 1)))
    return delay


async def record_failure(tx: Transaction, identifier: str, address: str | None) -> None:
    """Count a failed attempt against the account and the address (platform transaction)."""
    for key, limit in _keys(identifier, address):
        await tx.execute(
            """
            INSERT INTO sign_in_throttles (id, key, failures, window_started_at)
            VALUES (gen_random_uuid(), $1, 1, now())
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN sign_in_throttles.window_started_at + $2 < now()
                                THEN 1 ELSE sign_in_throttles.failures + 1 END,
                window_started_at = CASE WHEN sign_in_throttles.window_started_at + $2 < now()
                                         THEN now() ELSE sign_in_throttles.window_started_at END
            """,
            key,
            WINDOW,
        )
        await tx.execute(
            "UPDATE sign_in_throttles SET locked_until = now() + $3, failures = 0, window_started_at = now()"
            " WHERE key = $1 AND failures >= $2",
            key,
            limit.lock_after,
            LOCK,
        )


async def clear_accounts(tx: Transaction, identifiers: list[str]) -> None:
    """Forget the failures counted against these identifiers of one account
    (after a successful sign-in, or a new password)."""
    await tx.execute(
        "DELETE FROM sign_in_throttles WHERE key = ANY($1::text[])", [f"account:{name}" for name in identifiers]
    )
