"""GraphQL types of online payments: the tenant's provider accounts (never
their keys) and the checkouts started with them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.contributions import loaders as contribution_loaders
from schemes.contributions.payments import Provider
from schemes.contributions.types import Payment
from schemes.gateways import loaders
from schemes.gateways.registry import GATEWAYS
from schemes.gateways.tables import Checkout, CheckoutStatus, GatewayAccount
from schemes.members import loaders as member_loaders
from schemes.members.types import Member
from tenants.graphql import Info, field, node_uuids
from tenants.permissions import Permission
from tenants.scalars import Amount

strawberry.enum(CheckoutStatus, name="OnlinePaymentStatus", description="Where an online payment stands.")


@strawberry.type(description="The tenant's account with a payment provider; its keys are never shown.")
class PaymentGateway:
    provider: Provider
    enabled: bool
    key_hint: str = strawberry.field(description="The API key's last four characters.")
    updated_at: datetime
    _tenant_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, row: GatewayAccount) -> PaymentGateway:
        """The GraphQL view of an account row."""
        return cls(
            provider=Provider(row.provider),
            enabled=row.enabled,
            key_hint=row.key_hint,
            updated_at=row.updated_at,
            _tenant_id=row.tenant_id,
        )

    @field("The address to register at the provider for its events (webhooks).")
    def webhook_url(self, info: Info) -> str:
        return info.context.services.get(GATEWAYS).webhook_url(self._tenant_id, self.provider.value)


@strawberry.type(description="A payment a member started online (Wave, card); it becomes a payment once paid.")
class OnlinePayment(relay.Node):
    id: relay.NodeID[UUID]
    provider: Provider
    amount: Amount = strawberry.field(description="In the currency's minor unit (whole francs for XOF and XAF).")
    currency: str
    status: CheckoutStatus
    launch_url: str | None = strawberry.field(
        description="Where the payer goes to pay (Wave); null for a card payment or until the provider answered."
    )
    failure: str = strawberry.field(description="The provider's code for why it failed; empty otherwise.")
    created_at: datetime
    updated_at: datetime
    _row: strawberry.Private[Checkout]

    @classmethod
    def of(cls, row: Checkout) -> OnlinePayment:
        """The GraphQL view of a checkout row."""
        return cls(
            id=row.id,
            provider=Provider(row.provider),
            amount=Amount(row.amount),
            currency=row.currency,
            status=CheckoutStatus(row.status),
            launch_url=row.launch_url,
            failure=row.failure,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _row=row,
        )

    @field("The payment recorded once the provider said the money was received.")
    async def payment(self, info: Info) -> Payment | None:
        if self._row.payment_id is None:
            return None
        row = await info.context.loaders.get(contribution_loaders.payments_by_id).load(self._row.payment_id)
        return Payment.of(row) if row is not None else None

    @field("The member who pays. Requires `members:read`.", permission=Permission.MEMBERS_READ)
    async def member(self, info: Info) -> Member | None:
        row = await info.context.loaders.get(member_loaders.members_by_id).load(self._row.member_id)
        return Member.from_row(row) if row is not None else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[OnlinePayment | None]:
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(loaders.checkouts_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.id: row for row in found if row is not None}
        return [cls.of(by_id[i]) if i in by_id else None for i in ids]


@strawberry.type(description="An online payment started, or the one an earlier request with the same key started.")
class OnlinePaymentStarted:
    online_payment: OnlinePayment
    client_secret: str | None = strawberry.field(
        description="For a card payment: what the card form confirms the payment with (Stripe's client secret)."
    )
    already_started: bool = strawberry.field(
        description="The idempotency key was already used: this is the online payment started then."
    )
