"""``POST /webhooks/<provider>/<tenant>``: where a tenant's provider sends its events.

Each tenant registers this address, with its own webhook secret, in its
provider account. The answer is 200 for an event kept now or before, 400
for one whose signature does not hold (forged, altered or stale) and 404
for a tenant or provider with no enabled account; never a 5xx for what a
sender can put in a request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import structlog
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from schemes.gateways import errors, events
from schemes.gateways.providers import SignatureInvalid
from schemes.gateways.registry import GATEWAYS
from tenants.context import SYSTEM
from tenants.graphql import RequestContext
from tenants.registry import service as tenant_service
from tenants.registry.errors import TenantNotFound
from tenants.roles import TenantKind
from tenants.tx import platform_tx

_log = structlog.get_logger("socle.gateways")


@post("/webhooks/{provider:str}/{tenant:str}", status_code=200)
async def webhook(
    request: Request,  # type: ignore[type-arg]
    provider: FromPath[str],
    tenant: FromPath[str],
    request_context: NamedDependency[RequestContext],
) -> Response[dict[str, object]]:
    """Verify and keep one event; it is taken in by a job."""
    try:
        tenant_id = UUID(tenant)
    except ValueError:
        raise NotFoundException() from None
    body = await request.body()
    try:
        async with platform_tx() as tx:
            ctx = await tenant_service.context_for(tx, SYSTEM, tenant_id)
        if ctx.tenant_kind is TenantKind.MINISTRY:
            raise NotFoundException()
        new = await events.receive(
            ctx, request_context.services.get(GATEWAYS), provider, request.headers, body, datetime.now(UTC)
        )
    except (TenantNotFound, errors.ProviderNotOnline, errors.GatewayNotConfigured):
        raise NotFoundException() from None
    except SignatureInvalid as refusal:
        _log.warning("gateways.event_refused", provider=provider, tenant_id=str(tenant_id), reason=refusal.reason)
        return Response({"error": "invalid_signature", "reason": refusal.reason}, status_code=400)
    return Response({"received": True, "duplicate": not new})
