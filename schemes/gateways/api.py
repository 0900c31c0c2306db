"""GraphQL queries and mutations of online payments: the tenant's provider
accounts, and online payments started by staff, partner applications or
members themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.contributions import errors as contribution_errors
from schemes.contributions.api import caller_member, member_id_of
from schemes.contributions.payments import Provider
from schemes.contributions.types import Payment, PaymentRecording
from schemes.gateways import accounts, checkouts, errors, loaders, reads
from schemes.gateways.registry import GATEWAYS
from schemes.gateways.tables import Checkout
from schemes.gateways.types import OnlinePayment, OnlinePaymentStarted, PaymentGateway
from tenants.context import TenantContext
from tenants.errors import InvalidText
from tenants.graphql import Info, decode_id, field, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tx import Transaction, tenant_tx

START_ERRORS: list[type[contribution_errors.ContributionError]] = [
    contribution_errors.PayerNotFound,
    contribution_errors.PayerTerminated,
    contribution_errors.InvalidAmount,
    contribution_errors.CurrencyMismatch,
    contribution_errors.InvalidIdempotencyKey,
    errors.ProviderNotOnline,
    errors.GatewayNotConfigured,
    errors.GatewayUnavailable,
    errors.GatewayRefused,
    errors.CheckoutKeyReused,
]
_NOTHING = UUID(int=0)
"""A member id no member has: an id that is not a member's lists nothing."""
AMOUNT = "In the currency's minor unit (whole francs for XOF and XAF)."
KEY = (
    "Made by the client once per payment (a UUID) and sent again with every retry: a replay returns the online "
    "payment first started, and starts nothing."
)


def _now() -> datetime:
    return datetime.now(UTC)


@strawberry.input(description="Keys of the tenant's account with a payment provider.")
class PaymentGatewayConfigureInput:
    provider: Provider
    api_key: str = strawberry.field(description="The provider's secret API key; stored sealed, never shown again.")
    webhook_secret: str = strawberry.field(description="The secret the provider signs its events with.")
    enabled: bool = strawberry.field(default=True, description="Whether members may pay online with it.")


@strawberry.input(description="An online payment to start for a member.")
class OnlinePaymentStartInput:
    member: relay.GlobalID
    amount: int = strawberry.field(description=AMOUNT)
    currency: str = strawberry.field(description="ISO 4217 code: the tenant's currency.")
    provider: Provider
    idempotency_key: str = strawberry.field(description=KEY)


@strawberry.input(description="An online payment the member signed in starts for themselves.")
class MyOnlinePaymentStartInput:
    amount: int = strawberry.field(description=AMOUNT)
    currency: str = strawberry.field(description="ISO 4217 code: the tenant's currency.")
    provider: Provider
    idempotency_key: str = strawberry.field(description=KEY)


@strawberry.input(description="Ask the provider how an online payment stands.")
class OnlinePaymentRefreshInput:
    online_payment: relay.GlobalID


@strawberry.input(description="Refund an online payment to the payer through its provider.")
class OnlinePaymentRefundInput:
    online_payment: relay.GlobalID
    reason: str
    idempotency_key: str = strawberry.field(description=KEY)


@strawberry.type
class Query:
    @field(
        "The tenant's accounts with payment providers. Requires `tenant:manage`.",
        permission=Permission.TENANT_MANAGE,
    )
    async def payment_gateways(self, info: Info) -> list[PaymentGateway]:
        context = tenant_of(info)
        async with tenant_tx(context):
            return [PaymentGateway.of(row) for row in await accounts.accounts(context)]

    @field(
        "A member's online payments, the latest started first. Requires `contributions:read`.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def online_payments(
        self, info: Info, member: relay.GlobalID, first: int | None = None, after: str | None = None
    ) -> Connection[OnlinePayment]:
        return await _online_payments_page(info, decode_id(member, "Member") or _NOTHING, first, after)

    @field(
        "The online payments of the member signed in, the latest started first. Requires `self:service`.",
        permission=Permission.SELF_SERVICE,
    )
    async def my_online_payments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[OnlinePayment]:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            member = await caller_member(tx, context)
        return await _online_payments_page(info, member.id if member else _NOTHING, first, after)

    @field(
        "The providers the member signed in may pay online with. Requires `self:service`.",
        permission=Permission.SELF_SERVICE,
    )
    async def my_online_payment_providers(self, info: Info) -> list[Provider]:
        return await _enabled_providers(info)


async def _online_payments_page(
    info: Info, member_id: UUID, first: int | None, after: str | None
) -> Connection[OnlinePayment]:
    async def rows(
        tx: Transaction, ctx: TenantContext, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Checkout]:
        return await reads.list_checkouts(tx, ctx, member_id, after=after, limit=limit)

    async def count(tx: Transaction, ctx: TenantContext) -> int:
        return await reads.count_checkouts(tx, ctx, member_id)

    return await tenant_page(
        tenant_of(info),
        first,
        after,
        (datetime, UUID),
        rows=rows,
        count=count,
        node=OnlinePayment.of,
        key=lambda row: (row.created_at, row.id),
    )


async def _enabled_providers(info: Info) -> list[Provider]:
    context = tenant_of(info)
    async with tenant_tx(context):
        return [Provider(row.provider) for row in await accounts.accounts(context) if row.enabled]


async def _start(
    info: Info, member_id: UUID, data: OnlinePaymentStartInput | MyOnlinePaymentStartInput
) -> OnlinePaymentStarted:
    context = tenant_of(info)
    started = await checkouts.start_checkout(
        context,
        info.context.services.get(GATEWAYS),
        checkouts.NewCheckout(
            member_id=member_id,
            amount=data.amount,
            currency=data.currency.strip().upper(),
            provider=data.provider.value,
            idempotency_key=data.idempotency_key,
        ),
        _now(),
    )
    return OnlinePaymentStarted(
        online_payment=OnlinePayment.of(started.checkout),
        client_secret=started.client_secret,
        already_started=started.replayed,
    )


async def _refresh(info: Info, given: relay.GlobalID) -> OnlinePayment:
    checkout_id = decode_id(given, "OnlinePayment")
    found: Checkout | None = None
    if checkout_id is not None:
        found = await info.context.loaders.get(loaders.checkouts_by_id).load(checkout_id)
    if found is None:
        raise errors.CheckoutNotFound(path=("input", "onlinePayment"))
    return OnlinePayment.of(
        await checkouts.refresh(tenant_of(info), info.context.services.get(GATEWAYS), found, _now())
    )


@strawberry.type
class Mutation:
    @mutation(
        "Set the tenant's keys with a payment provider (Wave, Stripe), replacing earlier ones; the money members "
        "pay online goes to this account. Register the gateway's `webhookUrl` at the provider with the same "
        "webhook secret. Requires `tenant:manage`.",
        errors=[errors.InvalidKey, errors.ProviderNotOnline],
        permission=Permission.TENANT_MANAGE,
    )
    async def payment_gateway_configure(
        self,
        info: Info,
        input: PaymentGatewayConfigureInput,  # noqa: A002
    ) -> PaymentGateway:
        context = tenant_of(info)
        gateways = info.context.services.get(GATEWAYS)
        gateway = gateways.of(input.provider.value)
        async with tenant_tx(context) as tx:
            row = await accounts.configure(
                tx,
                context,
                gateways.sealer,
                gateway.provider.value,
                input.api_key,
                input.webhook_secret,
                input.enabled,
                _now(),
            )
        return PaymentGateway.of(row)

    @mutation(
        "Start an online payment for a member with the tenant's provider account: Wave answers a `launchUrl` "
        "to open, a card payment a `clientSecret` for the card form. The payment is recorded, and the member's "
        "calls settled, when the provider says the money was received. Requires `contributions:write`.",
        errors=START_ERRORS,
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def online_payment_start(
        self,
        info: Info,
        input: OnlinePaymentStartInput,  # noqa: A002
    ) -> OnlinePaymentStarted:
        return await _start(info, member_id_of(input.member), input)

    @mutation(
        "Start an online payment of the member signed in, for their own dues. Requires `self:service`.",
        errors=START_ERRORS,
        permission=Permission.SELF_SERVICE,
    )
    async def my_online_payment_start(
        self,
        info: Info,
        input: MyOnlinePaymentStartInput,  # noqa: A002
    ) -> OnlinePaymentStarted:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            member = await caller_member(tx, context)
        if member is None:
            raise contribution_errors.PayerNotFound(path=("input",))
        return await _start(info, member.id, input)

    @mutation(
        "Ask the provider now how an online payment stands, rather than wait for its event; a payment the "
        "provider says was received is recorded. Requires `contributions:write`.",
        errors=[errors.CheckoutNotFound],
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def online_payment_refresh(
        self,
        info: Info,
        input: OnlinePaymentRefreshInput,  # noqa: A002
    ) -> OnlinePayment:
        return await _refresh(info, input.online_payment)

    @mutation(
        "Ask the provider now how the member's own online payment stands (when they come back from paying). "
        "Requires `self:service`.",
        errors=[errors.CheckoutNotFound],
        permission=Permission.SELF_SERVICE,
    )
    async def my_online_payment_refresh(
        self,
        info: Info,
        input: OnlinePaymentRefreshInput,  # noqa: A002
    ) -> OnlinePayment:
        return await _refresh(info, input.online_payment)

    @mutation(
        "Give the payer back an online payment the provider received: the provider refunds it and the "
        "payment is reversed by a new entry with its own receipt number, both or neither. Requires "
        "`contributions:write`.",
        errors=[
            errors.CheckoutNotFound,
            errors.CheckoutNotRefundable,
            contribution_errors.PaymentAlreadyReversed,
            contribution_errors.ReasonRequired,
            contribution_errors.InvalidIdempotencyKey,
            contribution_errors.IdempotencyKeyReused,
            contribution_errors.TextTooLong,
            errors.GatewayNotConfigured,
            errors.GatewayUnavailable,
            errors.GatewayRefused,
            InvalidText,
        ],
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def online_payment_refund(
        self,
        info: Info,
        input: OnlinePaymentRefundInput,  # noqa: A002
    ) -> PaymentRecording:
        checkout_id = decode_id(input.online_payment, "OnlinePayment")
        found = await info.context.loaders.get(loaders.checkouts_by_id).load(checkout_id) if checkout_id else None
        if found is None:
            raise errors.CheckoutNotFound(path=("input", "onlinePayment"))
        recorded = await checkouts.refund_checkout(
            tenant_of(info), info.context.services.get(GATEWAYS), found.id, input.reason, input.idempotency_key, _now()
        )
        return PaymentRecording(payment=Payment.of(recorded.payment), already_recorded=recorded.replayed)
