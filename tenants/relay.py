"""The relay sweep: sends outbox jobs whose own process did not (it died
between commit and send, or the broker was down), and parks the jobs that
keep failing where an operator sees them (``socle outbox``)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import structlog

from tenants import outbox
from tenants.tx import Transaction, platform_tx

log = structlog.get_logger(__name__)

BATCH_SIZE = 500
MAX_ATTEMPTS = 5
"""Failed sweeps after which a job is parked."""

_PENDING = """
SELECT id, actor_name, kwargs, attempts FROM outbox
WHERE parked_at IS NULL AND created_at < clock_timestamp() - make_interval(secs => $1)
ORDER BY created_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""

_FAILED = """
UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                  parked_at = CASE WHEN attempts + 1 >= $3 THEN clock_timestamp() END
WHERE id = $1
RETURNING attempts, parked_at
"""


async def relay_pending(*, older_than: float) -> int:
    """Send, one by one, up to one batch of jobs committed more than
    ``older_than`` seconds ago and not parked; delete those sent and return
    how many they were.

    A job the broker refuses (its actor is unknown, say) counts an attempt and
    is parked at the :data:`MAX_ATTEMPTS`-th, without holding back the others.
    When the broker cannot be reached, the sweep stops there and counts
    nothing: the jobs are not at fault. Rows are locked with SKIP LOCKED so
    several processes can sweep at once, and deleted in the same transaction
    as they are sent: a crash in between sends a job again, with the same
    message id, which actors recognise (delivery is at least once).
    """
    sent: list[UUID] = []
    async with platform_tx() as tx:
        for row in await tx.fetch(_PENDING, older_than, BATCH_SIZE):
            job = outbox.Job.from_row(row)
            try:
                await outbox.send(job)
            except Exception as error:
                if outbox.broker_unavailable(error):
                    log.warning("outbox.broker_unavailable", job=str(job.id), error=repr(error))
                    break
                await _count_failure(tx, job, error)
                continue
            sent.append(job.id)
        await tx.execute("DELETE FROM outbox WHERE id = ANY($1::uuid[])", sent)
    if sent:
        log.info("outbox.relayed", count=len(sent))
    return len(sent)


async def _count_failure(tx: Transaction, job: outbox.Job, error: Exception) -> None:
    failed = await tx.fetchrow(_FAILED, job.id, repr(error), MAX_ATTEMPTS)
    details = {"job": str(job.id), "actor": job.actor_name, "attempts": failed["attempts"], "error": repr(error)}
    if failed["parked_at"] is not None:
        log.error("outbox.parked", **details)
    else:
        log.warning("outbox.send_failed", **details)


async def run_relay(stop: asyncio.Event, *, interval: float, older_than: float) -> None:
    """Sweep the outbox every ``interval`` seconds until ``stop`` is set; a
    sweep under way finishes first."""
    while not stop.is_set():
        try:
            while await relay_pending(older_than=older_than) == BATCH_SIZE and not stop.is_set():
                pass
        except Exception:
            log.exception("outbox.relay_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


@dataclass(frozen=True)
class ParkedJob:
    """A job the sweep gave up on, as an operator sees it."""

    id: UUID
    actor_name: str
    tenant_id: UUID | None
    attempts: int
    last_error: str | None
    created_at: datetime
    parked_at: datetime


async def parked_jobs(tx: Transaction) -> list[ParkedJob]:
    """Every parked job, oldest parked first."""
    rows = await tx.fetch(
        "SELECT id, actor_name, tenant_id, attempts, last_error, created_at, parked_at FROM outbox"
        " WHERE parked_at IS NOT NULL ORDER BY parked_at, id"
    )
    return [ParkedJob(**dict(row)) for row in rows]


async def requeue(tx: Transaction, job_ids: list[UUID] | None) -> list[UUID]:
    """Give parked jobs (those of ``job_ids``, or all of them when None) to
    the next sweep again, attempts reset; return the ids re-queued."""
    rows = await tx.fetch(
        "UPDATE outbox SET parked_at = NULL, attempts = 0"
        " WHERE parked_at IS NOT NULL AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) RETURNING id",
        job_ids,
    )
    ids = sorted(row["id"] for row in rows)
    if ids:
        log.info("outbox.requeued", jobs=[str(job_id) for job_id in ids])
    return ids
