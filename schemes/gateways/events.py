"""Events from the providers: verified on the raw body, kept once per
provider event id, then taken in by a job.

``POST /webhooks/<provider>/<tenant>`` calls :func:`receive`: a signature
that does not hold, or is stale, changes nothing; an event sent again is
recognised by its id and changes nothing either. The job
(:data:`EVENT_ACTOR`) reads the event, finds its checkout and applies it;
events come twice, out of order, or never, which :func:`checkouts.apply`
and the status poll are made for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from schemes.gateways import accounts, checkouts, errors
from schemes.gateways.providers import VerifiedEvent
from schemes.gateways.registry import Gateways
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.tx import tenant_tx

EVENT_ACTOR = "gateways.process_event"


async def receive(
    ctx: TenantContext, gateways: Gateways, provider: str, headers: Mapping[str, str], body: bytes, now: datetime
) -> bool:
    """Verify and keep an event the provider sent to the tenant; whether it is new.

    :class:`errors.ProviderNotOnline` or :class:`errors.GatewayNotConfigured`
    for a provider the tenant has no enabled account with;
    :class:`schemes.gateways.providers.SignatureInvalid` for an event that is not the provider's.
    """
    gateway = gateways.of(provider, path=())
    async with tenant_tx(ctx):
        account = await accounts.account_of(ctx, gateway.provider.value)
    if account is None or not account.enabled:
        raise errors.GatewayNotConfigured(provider=provider)
    event = gateway.verify(accounts.keys_of(gateways.sealer, ctx, account).webhook_secret, headers, body, now)
    async with tenant_tx(ctx) as tx:
        stored = await tx.fetchval(
            "INSERT INTO gateway_events (id, tenant_id, provider, event_id, kind, payload, received_at)"
            " VALUES ($2, $1, $3, $4, $5, $6::jsonb, $7)"
            " ON CONFLICT (tenant_id, provider, event_id) DO NOTHING RETURNING id",
            ctx.tenant_id,
            new_id(),
            gateway.provider.value,
            event.event_id,
            event.kind,
            json.dumps(event.payload),
            now,
        )
        if stored is not None:
            await tx.enqueue(EVENT_ACTOR, tenant_id=str(ctx.tenant_id), event_id=str(stored))
    return stored is not None


async def process(ctx: TenantContext, gateways: Gateways, event_id: UUID, now: datetime) -> None:
    """Take in a kept event, once: what it says of a checkout is applied in
    the same transaction that marks it processed."""
    async with tenant_tx(ctx) as tx:
        row = await tx.fetchrow(
            "SELECT provider, event_id, kind, payload, processed_at FROM gateway_events"
            " WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            ctx.tenant_id,
            event_id,
        )
        if row is None or row["processed_at"] is not None:
            return
        gateway = gateways.of(row["provider"], path=())
        payload = row["payload"]
        event = VerifiedEvent(
            event_id=row["event_id"],
            kind=row["kind"],
            payload=json.loads(payload) if isinstance(payload, str) else payload,
        )
        observed = gateway.observed_in(event)
        if observed is not None:
            checkout_id = await checkouts.checkout_for(tx, ctx, row["provider"], observed)
            if checkout_id is not None:
                await checkouts.apply(tx, ctx, gateway, checkout_id, observed, now)
        await tx.execute(
            "UPDATE gateway_events SET processed_at = $3 WHERE tenant_id = $1 AND id = $2",
            ctx.tenant_id,
            event_id,
            now,
        )
