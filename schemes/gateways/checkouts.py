"""Online payments: a checkout started with a provider, and the payment it
becomes once the provider says the money was received.

Starting calls the provider between two short transactions, never inside
one: the checkout is written first (one per idempotency key), then the
provider is asked with an idempotency key of its own, so a retry, or ten
taps at once, start one checkout there too. What the provider says next,
by an event or by the status poll, goes through :func:`apply`, which holds
the checkout's row: the first word that the money was received records the
payment, once; a failure after it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog

from schemes.contributions import errors as contribution_errors
from schemes.contributions import payments
from schemes.gateways import accounts, errors
from schemes.gateways.providers import (
    AccountKeys,
    CheckoutRequest,
    Gateway,
    Observed,
    ProviderRefused,
    ProviderUnavailable,
    Started,
)
from schemes.gateways.registry import Gateways
from schemes.gateways.tables import Checkout, CheckoutStatus, GatewayAccount
from schemes.members.tables import Member, MemberStatus
from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.ids import new_id
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx

POLL_AFTER = timedelta(minutes=2)
"""How long a checkout waits for its event before the poll asks the provider."""
POLL_WINDOW = timedelta(days=2)
"""How long the poll asks about a checkout: providers close theirs well before (Wave's in 30 minutes);
one still open after it (a payment Socle could not record) is a manager's."""
POLL_BATCH = 200
"""Checkouts asked about per tenant and run, the oldest first; providers close theirs within the hour."""
NOT_STARTED_AFTER = timedelta(hours=1)
"""A checkout the provider never started (unreachable, and not retried) fails after this."""

_log = structlog.get_logger("socle.gateways")


@dataclass(frozen=True)
class NewCheckout:
    """An online payment to start for a member."""

    member_id: UUID
    amount: int
    currency: str
    provider: str
    idempotency_key: str


@dataclass(frozen=True)
class StartedCheckout:
    """A checkout, what the payer's client needs, and whether an earlier request with the same key made it."""

    checkout: Checkout
    client_secret: str | None = None
    replayed: bool = False


def _checked(ctx: TenantContext, gateways: Gateways, data: NewCheckout) -> Gateway:
    found: list[contribution_errors.ContributionError] = payments.amount_errors(ctx, data.amount, data.currency)
    try:
        gateway = gateways.of(data.provider)
    except errors.ProviderNotOnline as error:
        found.append(error)
    if found:
        raise contribution_errors.ContributionError.all_of(found)
    return gateway


async def _payer(ctx: TenantContext, member_id: UUID) -> Member:
    member = await within(ctx, Member).objects().where(Member.id == member_id).first()
    if member is None:
        raise contribution_errors.PayerNotFound(path=("input", "member"))
    if member.status == MemberStatus.TERMINATED:
        raise contribution_errors.PayerTerminated(path=("input", "member"))
    return member


async def _written(
    ctx: TenantContext, gateway: Gateway, data: NewCheckout, key: str, now: datetime
) -> tuple[Checkout, bool, GatewayAccount]:
    """The checkout of ``key``, written now or by an earlier request, whether
    it was earlier, and the enabled account it is started with."""
    async with tenant_tx(ctx) as tx:
        await _payer(ctx, data.member_id)
        account = await accounts.account_of(ctx, data.provider)
        if account is None or not account.enabled:
            raise errors.GatewayNotConfigured(path=("input", "provider"), provider=gateway.name)
        inserted = await tx.fetchval(
            "INSERT INTO checkouts (id, tenant_id, member_id, provider, amount, currency, status,"
            " idempotency_key, failure, started_by_kind, started_by_id, created_at, updated_at)"
            " VALUES ($2, $1, $3, $4, $5, $6, 'open', $7, '', $8, $9, $10, $10)"
            " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id",
            ctx.tenant_id,
            new_id(),
            data.member_id,
            data.provider,
            data.amount,
            ctx.currency,
            key,
            ctx.principal.kind.value,
            ctx.principal.id,
            now,
        )
        checkout = await within(ctx, Checkout).objects().where(Checkout.idempotency_key == key).first()
        assert checkout is not None
        if inserted is None:
            if (checkout.member_id, checkout.amount, checkout.provider) != (
                data.member_id,
                data.amount,
                data.provider,
            ):
                raise errors.CheckoutKeyReused(path=("input", "idempotencyKey"))
            return checkout, True, account
        await audit.record_change(
            tx,
            ctx,
            "checkout.start",
            "checkout",
            checkout.id,
            member=str(data.member_id),
            amount=str(data.amount),
            currency=ctx.currency,
            provider=data.provider,
        )
        return checkout, False, account


async def start_checkout(ctx: TenantContext, gateways: Gateways, data: NewCheckout, now: datetime) -> StartedCheckout:
    """Start an online payment for a member with the tenant's provider account.

    A replay of the key returns the same checkout; while it is open, the
    provider is asked for it again, which gives back what the client needs
    (Stripe's card secret is never stored).
    """
    key = payments.checked_key(data.idempotency_key)
    gateway = _checked(ctx, gateways, data)
    checkout, replayed, account = await _written(ctx, gateway, data, key, now)
    if checkout.status != CheckoutStatus.OPEN:
        return StartedCheckout(checkout=checkout, replayed=replayed)
    keys = accounts.keys_of(gateways.sealer, ctx, account)
    request = CheckoutRequest(
        reference=str(checkout.id),
        amount=checkout.amount,
        currency=checkout.currency,
        success_url=gateways.return_url(checkout.id),
        error_url=gateways.return_url(checkout.id),
        idempotency_key=f"socle-checkout-{checkout.id}",
    )
    try:
        if checkout.session_id is not None:
            started = await gateway.reopen(keys, checkout.session_id)
        else:
            started = await gateway.start(keys, request)
    except ProviderUnavailable as error:
        _log.warning("gateways.start_unavailable", checkout_id=str(checkout.id), error=str(error))
        raise errors.GatewayUnavailable(path=("input", "provider"), provider=gateway.name) from None
    except ProviderRefused as refusal:
        if checkout.session_id is None:
            async with tenant_tx(ctx) as tx:
                await _fail_unstarted(tx, ctx, checkout.id, refusal.code, now)
        raise errors.GatewayRefused(path=("input", "provider"), provider=gateway.name, code=refusal.code) from None
    if checkout.session_id is not None:
        return StartedCheckout(checkout=checkout, client_secret=started.client_secret, replayed=replayed)
    async with tenant_tx(ctx) as tx:
        written = await tx.fetchval(
            "UPDATE checkouts SET session_id = $3, launch_url = $4, updated_at = $5"
            " WHERE tenant_id = $1 AND id = $2 AND session_id IS NULL RETURNING id",
            ctx.tenant_id,
            checkout.id,
            started.session_id,
            started.launch_url,
            now,
        )
        if written is not None:
            await audit.record_change(tx, ctx, "checkout.started", "checkout", checkout.id, session=started.session_id)
        fresh = await _locked(tx, ctx, checkout.id)
    if fresh.session_id != started.session_id and fresh.session_id is not None:
        # A concurrent request of the same key started it first (a provider without idempotency keys
        # answers each request anew): the client gets the checkout that was kept.
        started = await _reopened(gateway, keys, fresh.session_id)
    return StartedCheckout(checkout=fresh, client_secret=started.client_secret, replayed=replayed)


async def _reopened(gateway: Gateway, keys: AccountKeys, session_id: str) -> Started:
    try:
        return await gateway.reopen(keys, session_id)
    except (ProviderUnavailable, ProviderRefused):
        raise errors.GatewayUnavailable(path=("input", "provider"), provider=gateway.name) from None


async def _fail_unstarted(tx: Transaction, ctx: TenantContext, checkout_id: UUID, failure: str, now: datetime) -> None:
    await audit.record_change(tx, ctx, "checkout.failed", "checkout", checkout_id, failure=failure[:100])
    await tx.execute(
        "UPDATE checkouts SET status = 'failed', failure = $3, updated_at = $4"
        " WHERE tenant_id = $1 AND id = $2 AND status = 'open' AND session_id IS NULL",
        ctx.tenant_id,
        checkout_id,
        failure[:100],
        now,
    )


async def _locked(tx: Transaction, ctx: TenantContext, checkout_id: UUID) -> Checkout:
    row = await tx.fetchrow(
        "SELECT * FROM checkouts WHERE tenant_id = $1 AND id = $2 FOR UPDATE", ctx.tenant_id, checkout_id
    )
    if row is None:
        raise errors.CheckoutNotFound(path=("input", "onlinePayment"))
    return _row(row)


def _row(row: Any) -> Checkout:
    return Checkout(**dict(row), _exists_in_db=True)


def _as_provider(ctx: TenantContext, gateway: Gateway) -> TenantContext:
    """The context payments are recorded in: by the provider, as Socle's own act."""
    return replace(ctx, principal=Principal(kind=PrincipalKind.SYSTEM, name=gateway.name))


async def apply(
    tx: Transaction, ctx: TenantContext, gateway: Gateway, checkout_id: UUID, observed: Observed, now: datetime
) -> Checkout:
    """Take in what the provider says of a checkout, under the checkout's row lock.

    Money received records the payment (once: its key is the checkout's)
    and settles the member's calls, even after a failure was reported,
    since the money is there; a failure or an expiry closes an open
    checkout; anything said of a checkout that succeeded changes nothing.
    """
    checkout = await _locked(tx, ctx, checkout_id)
    if checkout.status == CheckoutStatus.SUCCEEDED or observed.status == CheckoutStatus.OPEN:
        return checkout
    if observed.status == CheckoutStatus.SUCCEEDED:
        payment_id = await _recorded(tx, ctx, gateway, checkout, observed, now)
        if payment_id is None:
            return checkout
    elif checkout.status == CheckoutStatus.OPEN:
        payment_id = None
    else:
        return checkout
    await tx.execute(
        "UPDATE checkouts SET status = $3, payment_id = $4, failure = $5, session_id = coalesce(session_id, $6),"
        " updated_at = $7 WHERE tenant_id = $1 AND id = $2",
        ctx.tenant_id,
        checkout.id,
        observed.status.value,
        payment_id,
        observed.failure if payment_id is None else "",
        observed.session_id,
        now,
    )
    await audit.record_change(
        tx, ctx, "checkout." + observed.status.value, "checkout", checkout.id, provider=checkout.provider
    )
    return await _locked(tx, ctx, checkout.id)


async def _recorded(
    tx: Transaction, ctx: TenantContext, gateway: Gateway, checkout: Checkout, observed: Observed, now: datetime
) -> UUID | None:
    """The payment of the money the provider received: recorded now, or
    already (a cashier typed the same transaction in); None when it cannot
    be recorded (the member's membership ended since), which is left to a
    manager, with the reason on the checkout."""
    reference = observed.transaction_id or observed.session_id
    try:
        recorded = await payments.record_payment(
            tx,
            _as_provider(ctx, gateway),
            payments.NewPayment(
                member_id=checkout.member_id,
                amount=observed.amount if observed.amount is not None else checkout.amount,
                currency=(observed.currency or checkout.currency).upper(),
                channel=gateway.channel,
                idempotency_key=f"checkout:{checkout.id}",
                provider=gateway.provider,
                reference=reference,
                received_at=min(observed.at, now) if observed.at else now,
            ),
            now,
        )
    except contribution_errors.ReferenceAlreadyRecorded:
        found: UUID = await tx.fetchval(
            "SELECT id FROM payments WHERE tenant_id = $1 AND provider = $2 AND provider_reference = $3",
            ctx.tenant_id,
            gateway.provider.value,
            reference,
        )
        return found
    except contribution_errors.ContributionError as refusal:
        # Checked before anything is written: the transaction goes on and keeps the reason.
        _log.error("gateways.payment_not_recorded", checkout_id=str(checkout.id), code=refusal.code)
        await tx.execute(
            "UPDATE checkouts SET failure = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
            ctx.tenant_id,
            checkout.id,
            refusal.code.rsplit(".", 1)[-1].lower(),
            now,
        )
        await audit.record_change(tx, ctx, "checkout.not_recorded", "checkout", checkout.id, code=refusal.code)
        return None
    return recorded.payment.id


async def checkout_for(tx: Transaction, ctx: TenantContext, provider: str, observed: Observed) -> UUID | None:
    """The checkout an observation is about: by the provider's session id,
    else by the client reference Socle gave (an event may come before the
    session id is written)."""
    found: UUID | None = await tx.fetchval(
        "SELECT id FROM checkouts WHERE tenant_id = $1 AND provider = $2 AND session_id = $3",
        ctx.tenant_id,
        provider,
        observed.session_id,
    )
    if found is not None or not observed.reference:
        return found
    try:
        reference = UUID(observed.reference)
    except ValueError:
        return None
    by_reference: UUID | None = await tx.fetchval(
        "SELECT id FROM checkouts WHERE tenant_id = $1 AND provider = $2 AND id = $3 AND session_id IS NULL",
        ctx.tenant_id,
        provider,
        reference,
    )
    return by_reference


async def _keys(ctx: TenantContext, gateways: Gateways, provider: str) -> AccountKeys | None:
    """The keys of the tenant's account with ``provider``, enabled or not: money already on its way is taken in."""
    async with tenant_tx(ctx):
        account = await accounts.account_of(ctx, provider)
    if account is None:
        return None
    try:
        return accounts.keys_of(gateways.sealer, ctx, account)
    except errors.GatewayNotConfigured:
        return None  # keys that no longer open, logged: nothing to ask the provider with


async def refresh(
    ctx: TenantContext, gateways: Gateways, checkout: Checkout, now: datetime, keys: AccountKeys | None = None
) -> Checkout:
    """Ask the provider how an open checkout stands and take the answer in;
    an unreachable provider leaves it as it is, for the next poll. ``keys``:
    the account's, when the caller read them already (the poll, once per provider)."""
    if checkout.status != CheckoutStatus.OPEN or checkout.session_id is None:
        return checkout
    gateway = gateways.of(checkout.provider)
    if keys is None:
        keys = await _keys(ctx, gateways, checkout.provider)
    observed: Observed | None = None
    if keys is not None:
        try:
            observed = await gateway.status(keys, checkout.session_id)
        except (ProviderUnavailable, ProviderRefused) as error:
            _log.warning("gateways.status_unavailable", checkout_id=str(checkout.id), error=str(error))
    async with tenant_tx(ctx) as tx:
        if observed is None:
            return await _locked(tx, ctx, checkout.id)
        return await apply(tx, ctx, gateway, checkout.id, observed, now)


async def poll(ctx: TenantContext, gateways: Gateways, now: datetime) -> int:
    """Ask the providers about the tenant's checkouts still open after
    :data:`POLL_AFTER`, for the events that never came; close those the
    provider never started. Returns how many were asked about."""
    async with tenant_tx(ctx) as tx:
        unstarted = await tx.fetch(
            "UPDATE checkouts SET status = 'failed', failure = 'not_started', updated_at = $2"
            " WHERE tenant_id = $1 AND status = 'open' AND session_id IS NULL AND created_at <= $3 RETURNING id",
            ctx.tenant_id,
            now,
            now - NOT_STARTED_AFTER,
        )
        for row in unstarted:
            await audit.record_change(tx, ctx, "checkout.failed", "checkout", row["id"], failure="not_started")
        rows = await tx.fetch(
            "SELECT * FROM checkouts WHERE tenant_id = $1 AND status = 'open' AND session_id IS NOT NULL"
            " AND created_at <= $2 AND created_at > $3 ORDER BY created_at, id LIMIT $4",
            ctx.tenant_id,
            now - POLL_AFTER,
            now - POLL_WINDOW,
            POLL_BATCH,
        )
    keys = {provider: await _keys(ctx, gateways, provider) for provider in {row["provider"] for row in rows}}
    for row in rows:
        try:
            await refresh(ctx, gateways, _row(row), now, keys[row["provider"]])
        except Exception:
            # One checkout that cannot be taken in must not keep the others waiting.
            _log.exception("gateways.poll_failed", checkout_id=str(row["id"]))
    return len(rows)


async def refund_checkout(
    ctx: TenantContext, gateways: Gateways, checkout_id: UUID, reason: str, idempotency_key: str, now: datetime
) -> payments.Recorded:
    """Give the member back an online payment: the provider refunds it and
    the payment is reversed by a new entry, both or neither.

    The checkout's row is held from the check to the commit, so refunds of
    one checkout run one after the other: the second finds the reversal and
    asks the provider nothing. The provider is asked before the reversal
    takes the payer's lock and the audit chain, which it holds only for the
    moment of writing. A replay of the client's key returns the reversal
    made with it.
    """
    key = payments.checked_key(idempotency_key)
    if not " ".join(reason.split()):
        raise contribution_errors.ReasonRequired(path=("input", "reason"))
    async with tenant_tx(ctx) as tx:
        checkout = await _locked(tx, ctx, checkout_id)
        if checkout.status != CheckoutStatus.SUCCEEDED or checkout.payment_id is None or not checkout.session_id:
            raise errors.CheckoutNotRefundable(path=("input", "onlinePayment"))
        reversed_already = await tx.fetchval(
            "SELECT EXISTS (SELECT 1 FROM payments WHERE tenant_id = $1 AND reverses_id = $2)",
            ctx.tenant_id,
            checkout.payment_id,
        )
        if not reversed_already:
            await _refund_at_provider(ctx, gateways, checkout, checkout.session_id)
        recorded = await payments.reverse_payment(tx, ctx, checkout.payment_id, reason, key, now)
        if not recorded.replayed:
            await audit.record_change(
                tx, ctx, "checkout.refund", "checkout", checkout.id, reversal=str(recorded.payment.id)
            )
    return recorded


async def _refund_at_provider(ctx: TenantContext, gateways: Gateways, checkout: Checkout, session_id: str) -> None:
    gateway = gateways.of(checkout.provider)
    account = await accounts.account_of(ctx, checkout.provider)
    if account is None:
        raise errors.GatewayNotConfigured(path=("input", "onlinePayment"), provider=gateway.name)
    paid = Observed(session_id=session_id, status=CheckoutStatus.SUCCEEDED)
    try:
        await gateway.refund(accounts.keys_of(gateways.sealer, ctx, account), paid, f"socle-refund-{checkout.id}")
    except ProviderUnavailable:
        raise errors.GatewayUnavailable(path=("input", "onlinePayment"), provider=gateway.name) from None
    except ProviderRefused as refusal:
        raise errors.GatewayRefused(path=("input", "onlinePayment"), provider=gateway.name, code=refusal.code) from None
