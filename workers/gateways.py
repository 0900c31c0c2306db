"""The jobs of online payments: take in a provider's event; and the poll
(``socle contributions poll``) that asks the providers about checkouts whose event has not come."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import dramatiq
import structlog

from schemes.gateways import checkouts, events
from schemes.gateways.registry import Gateways
from workers.contributions import as_socle, calling_tenants

_gateways: Gateways | None = None
_log = structlog.get_logger("socle.gateways")


def configure(gateways: Gateways) -> None:
    """Give this process's jobs the payment providers."""
    global _gateways
    _gateways = gateways


def configured() -> Gateways:
    """The payment providers :func:`configure` gave."""
    if _gateways is None:
        raise RuntimeError("payment providers are not configured: build the runtime first")
    return _gateways


@dramatiq.actor(actor_name=events.EVENT_ACTOR, max_retries=20)
async def process_event(tenant_id: str, event_id: str) -> None:
    """Take in an event a provider sent; a second delivery changes nothing."""
    ctx = await as_socle(UUID(tenant_id))
    await events.process(ctx, configured(), UUID(event_id), datetime.now(UTC))


async def poll_all(gateways: Gateways, now: datetime) -> int:
    """Ask the providers about every tenant's open checkouts; how many were asked about."""
    tenant_ids = await calling_tenants()
    asked = 0
    for tenant_id in tenant_ids:
        asked += await checkouts.poll(await as_socle(tenant_id), gateways, now)
    if asked:
        _log.info("gateways.polled", tenants=len(tenant_ids), checkouts=asked)
    return asked
