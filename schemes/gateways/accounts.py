"""Each tenant's accounts with its payment providers, keys sealed at rest.

The keys are sealed under ``SOCLE_SECRET_KEY`` and bound to the tenant and
provider (:mod:`tenants.sealing`); nothing reads them back but the gateway
that uses them, and no API returns them.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import structlog

from schemes.gateways import errors
from schemes.gateways.providers import AccountKeys
from schemes.gateways.tables import GatewayAccount
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.scoping import within
from tenants.sealing import SealBroken, Sealer
from tenants.tx import Transaction

KEY_MAX = 500
KEY_MIN = 8
SEAL_PURPOSE = b"socle payment provider keys"

_log = structlog.get_logger("socle.gateways")


def _bound(tenant_id: UUID, provider: str, which: str) -> str:
    return f"{tenant_id}:{provider}:{which}"


def _key_error(value: str, field: str) -> errors.InvalidKey | None:
    if not KEY_MIN <= len(value) <= KEY_MAX or not value.isprintable() or any(c.isspace() for c in value):
        return errors.InvalidKey(path=("input", field), minimum=KEY_MIN, maximum=KEY_MAX)
    return None


async def configure(
    tx: Transaction,
    ctx: TenantContext,
    sealer: Sealer,
    provider: str,
    api_key: str,
    webhook_secret: str,
    enabled: bool,
    now: datetime,
) -> GatewayAccount:
    """Set the tenant's keys with ``provider`` (replacing earlier ones) and
    whether online payments with it are open."""
    found = [
        error
        for error in (_key_error(api_key, "apiKey"), _key_error(webhook_secret, "webhookSecret"))
        if error is not None
    ]
    if found:
        raise errors.GatewayError.all_of(found)
    row = await tx.fetchrow(
        "INSERT INTO gateway_accounts (id, tenant_id, provider, api_key_sealed, webhook_secret_sealed,"
        " key_hint, enabled, created_at, updated_at) VALUES ($2, $1, $3, $4, $5, $6, $7, $8, $8)"
        " ON CONFLICT (tenant_id, provider) DO UPDATE SET api_key_sealed = excluded.api_key_sealed,"
        " webhook_secret_sealed = excluded.webhook_secret_sealed, key_hint = excluded.key_hint,"
        " enabled = excluded.enabled, updated_at = excluded.updated_at"
        " RETURNING id",
        ctx.tenant_id,
        new_id(),
        provider,
        sealer.seal(api_key, _bound(ctx.tenant_id, provider, "api_key")),
        sealer.seal(webhook_secret, _bound(ctx.tenant_id, provider, "webhook_secret")),
        api_key[-4:],
        enabled,
        now,
    )
    await audit.record_change(
        tx, ctx, "gateway_account.configure", "gateway_account", row["id"], provider=provider, enabled=str(enabled)
    )
    account = await account_of(ctx, provider)
    assert account is not None
    return account


async def account_of(ctx: TenantContext, provider: str) -> GatewayAccount | None:
    """The tenant's account with ``provider``, enabled or not."""
    return await within(ctx, GatewayAccount).objects().where(GatewayAccount.provider == provider).first()


async def accounts(ctx: TenantContext) -> list[GatewayAccount]:
    """The tenant's provider accounts, by provider."""
    return await within(ctx, GatewayAccount).objects().order_by(GatewayAccount.provider)


def keys_of(sealer: Sealer, ctx: TenantContext, account: GatewayAccount) -> AccountKeys:
    """The account's keys, opened. Keys that do not open (``SOCLE_SECRET_KEY``
    changed, or the row was altered) leave the account unusable until they
    are set again: :class:`errors.GatewayNotConfigured`."""
    try:
        return AccountKeys(
            api_key=sealer.open(account.api_key_sealed, _bound(ctx.tenant_id, account.provider, "api_key")),
            webhook_secret=sealer.open(
                account.webhook_secret_sealed, _bound(ctx.tenant_id, account.provider, "webhook_secret")
            ),
        )
    except SealBroken:
        _log.error("gateways.keys_unreadable", tenant_id=str(ctx.tenant_id), provider=account.provider)
        raise errors.GatewayNotConfigured(path=("input", "provider"), provider=account.provider.capitalize()) from None
