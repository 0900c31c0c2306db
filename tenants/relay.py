"""The relay sweep: sends outbox jobs whose own process did not (it died
between commit and send, or the broker was down)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from tenants import outbox
from tenants.tx import platform_tx

log = structlog.get_logger(__name__)

BATCH_SIZE = 500


async def relay_pending(*, older_than: float) -> int:
    """Send and delete up to one batch of jobs committed more than
    ``older_than`` seconds ago; return how many were sent.

    Rows are locked with SKIP LOCKED so several processes can sweep at once,
    and deleted in the same transaction as they are sent: a crash in between
    sends a job again, which actors tolerate (delivery is at least once).
    """
    async with platform_tx() as tx:
        rows = await tx.fetch(
            """
            SELECT id, actor_name, kwargs FROM outbox
            WHERE created_at < now() - make_interval(secs => $1)
            ORDER BY created_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED
            """,
            older_than,
            BATCH_SIZE,
        )
        jobs = [outbox.Job.from_row(row) for row in rows]
        await outbox.send(jobs)
        await tx.execute("DELETE FROM outbox WHERE id = ANY($1::uuid[])", [job.id for job in jobs])
    if jobs:
        log.info("outbox.relayed", count=len(jobs))
    return len(jobs)


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
