"""Outside effects of a job happen once per message, though delivery is at
least once.

A job with an outside effect (an SMS, an email) claims its message id in
``job_deliveries`` before the effect and marks it sent after. A second
delivery of a sent message does nothing. A delivery that finds the message
claimed by another one under way waits for that one's outcome; the claim is a
lease, so a delivery that died half-way (its worker killed) is taken over once
the lease ends, and one that failed gives its claim back for the retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import Enum
from uuid import UUID

import structlog

from tenants.tx import platform_tx

log = structlog.get_logger(__name__)

LEASE_SECONDS = 300.0
"""How long a claim holds: longer than any sender takes to answer."""

_WAIT_SECONDS = (0.05, 2.0)
"""First and longest pause of a delivery waiting for another one's outcome."""

_CLAIM = """
INSERT INTO job_deliveries (message_id, actor_name, claimed_until, created_at)
VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3), clock_timestamp())
ON CONFLICT (message_id) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
WHERE job_deliveries.sent_at IS NULL AND job_deliveries.claimed_until <= clock_timestamp()
RETURNING message_id
"""


class _Claim(Enum):
    OURS = "ours"
    SENT = "sent"
    HELD = "held"


async def _claim(message_id: UUID, actor_name: str) -> _Claim:
    async with platform_tx() as tx:
        if await tx.fetchval(_CLAIM, message_id, actor_name, LEASE_SECONDS) is not None:
            return _Claim.OURS
        # ON CONFLICT locked the row, so this read sees the other delivery's last commit.
        sent = await tx.fetchval("SELECT sent_at IS NOT NULL FROM job_deliveries WHERE message_id = $1", message_id)
    return _Claim.SENT if sent else _Claim.HELD


async def once(message_id: UUID, actor_name: str, effect: Callable[[], Awaitable[None]]) -> bool:
    """Run ``effect`` for message ``message_id`` of ``actor_name`` unless a
    delivery of that message already did; return whether this one did.

    An error of ``effect`` gives the claim back and propagates, so that the
    broker's retry of the message runs it again.
    """
    wait = _WAIT_SECONDS[0]
    while (claim := await _claim(message_id, actor_name)) is _Claim.HELD:
        await asyncio.sleep(wait)
        wait = min(wait * 2, _WAIT_SECONDS[1])
    if claim is _Claim.SENT:
        log.info("delivery.duplicate", message_id=str(message_id), actor=actor_name)
        return False
    try:
        await effect()
    except Exception:
        async with platform_tx() as tx:
            await tx.execute(
                "UPDATE job_deliveries SET claimed_until = clock_timestamp() WHERE message_id = $1", message_id
            )
        raise
    async with platform_tx() as tx:
        await tx.execute("UPDATE job_deliveries SET sent_at = clock_timestamp() WHERE message_id = $1", message_id)
    return True
