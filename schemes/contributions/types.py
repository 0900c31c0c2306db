"""GraphQL types of contributions: calls, payments, what they settle, totals
and statements. Amounts are integers in the currency's minor unit."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.contributions import loaders, receipts
from schemes.contributions.payments import Provider
from schemes.contributions.reads import CallRow, CallTotals, Collection, Statement
from schemes.contributions.rights import RightsStatus, Standing
from schemes.contributions.tables import CallKind, Channel
from schemes.contributions.tables import Payment as PaymentRow
from schemes.documents.storage import DOCUMENT_STORE
from schemes.employers.api import Employer, load_employer
from schemes.members import loaders as member_loaders
from schemes.members.types import Member, scheme_views
from schemes.rules.api import Scheme
from schemes.rules.model import Payer
from tenants.graphql import Info, field, loaded, node_uuids, settled
from tenants.permissions import Permission
from tenants.scalars import Amount

strawberry.enum(CallKind, description="What a contribution call is for.")
strawberry.enum(Channel, description="How money reached the tenant.")
strawberry.enum(Provider, description="A mobile money operator or payment provider.")
strawberry.enum(RightsStatus, description="A member's rights as their payments leave them.")

MINOR = "in the currency's minor unit (whole francs for XOF and XAF)"


async def member_view(info: Info, member_id: UUID | None) -> Member | None:
    """The member ``member_id`` as the viewer may read them (awaited: for fields guarded by a permission)."""
    # Awaited here: a field guarded by a permission must not hand an awaitable on.
    if member_id is None:
        return None
    row = await info.context.loaders.get(member_loaders.members_by_id).load(member_id)
    return Member.from_row(row) if row is not None else None


@strawberry.type(description="What one payer owes for one period (appel de cotisation) or for a registration.")
class ContributionCall(relay.Node):
    id: relay.NodeID[UUID]
    kind: CallKind
    payer: Payer
    period: str = strawberry.field(description="`2026-12` (month), `2026-T4` (quarter) or `2026` (year).")
    period_start: date
    period_end: date
    due_on: date
    persons: int = strawberry.field(description="The people the amount covers: the member and covered dependants.")
    amount: Amount = strawberry.field(description=f"Called, {MINOR}.")
    settled: Amount = strawberry.field(description=f"Settled by payments so far, {MINOR}.")
    remaining: Amount = strawberry.field(description=f"Left to pay, {MINOR}.")
    currency: str
    created_at: datetime
    _member_id: strawberry.Private[UUID | None]

    @classmethod
    def of(cls, row: CallRow) -> ContributionCall:
        """The GraphQL view of a call and what is settled of it."""
        call = row.call
        return cls(
            id=call.id,
            kind=CallKind(call.kind),
            payer=Payer(call.payer),
            period=call.period,
            period_start=call.period_start,
            period_end=call.period_end,
            due_on=call.due_on,
            persons=call.persons,
            amount=Amount(call.amount),
            settled=Amount(row.settled),
            remaining=Amount(row.remaining),
            currency=call.currency,
            created_at=call.created_at,
            _member_id=call.member_id,
        )

    @field("The member the call is about. Requires `members:read`.", permission=Permission.MEMBERS_READ)
    async def member(self, info: Info) -> Member | None:
        return await member_view(info, self._member_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ContributionCall | None]:
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(loaders.calls_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.call.id: row for row in found if row is not None}
        return [cls.of(by_id[i]) if i in by_id else None for i in ids]


@strawberry.type(description="The part of a payment that settles one call (negative for a reversal).")
class PaymentAllocation:
    amount: Amount = strawberry.field(description=f"{MINOR}.")
    _call_id: strawberry.Private[UUID]

    @field("The call settled.", graphql_type=ContributionCall | None)
    def call(self, info: Info) -> ContributionCall | Awaitable[ContributionCall | None] | None:
        return settled(info.context.loaders.get(loaders.calls_by_id).load(self._call_id), _call_view)


def _call_view(row: CallRow | None) -> ContributionCall | None:
    return ContributionCall.of(row) if row is not None else None


@strawberry.type(description="Money received from a payer, or the reversal of a payment wrongly recorded.")
class Payment(relay.Node):
    id: relay.NodeID[UUID]
    receipt_number: str = strawberry.field(description="The tenant's receipt number: `2026-000042`.")
    payer: Payer
    amount: Amount = strawberry.field(description=f"{MINOR}; negative for a reversal.")
    currency: str
    channel: Channel
    provider: Provider | None
    reference: str | None = strawberry.field(description="The provider's or the bank's reference of the transaction.")
    received_at: datetime
    note: str
    recorded_by_name: str = strawberry.field(description="Who recorded it (a cashier, a partner application).")
    is_reversal: bool
    created_at: datetime
    _row: strawberry.Private[PaymentRow]

    @classmethod
    def of(cls, row: PaymentRow) -> Payment:
        """The GraphQL view of a payment row."""
        return cls(
            id=row.id,
            receipt_number=row.receipt_number,
            payer=Payer(row.payer),
            amount=Amount(row.amount),
            currency=row.currency,
            channel=Channel(row.channel),
            provider=Provider(row.provider) if row.provider else None,
            reference=row.provider_reference,
            received_at=row.received_at,
            note=row.note,
            recorded_by_name=row.recorded_by_name,
            is_reversal=row.reverses_id is not None,
            created_at=row.created_at,
            _row=row,
        )

    @field("The member who paid. Requires `members:read`.", permission=Permission.MEMBERS_READ)
    async def member(self, info: Info) -> Member | None:
        return await member_view(info, self._row.member_id)

    @field(
        "The employer who paid, for an employer's payment. Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def employer(self, info: Info) -> Employer | None:
        return await load_employer(info, self._row.employer_id)

    @field("What the payment settled, call by call.")
    async def allocations(self, info: Info) -> list[PaymentAllocation]:
        found = await info.context.loaders.get(loaders.allocations_by_payment).load(self.id)
        return [PaymentAllocation(amount=Amount(amount), _call_id=call_id) for call_id, amount in found]

    @field(
        "A link to the payment's PDF receipt (a reversal's notice), valid five minutes; null until the job has "
        "made it, moments after the payment."
    )
    async def receipt_url(self, info: Info) -> str | None:
        key = await info.context.loaders.get(loaders.receipt_keys_by_payment).load(self.id)
        if key is None:
            return None
        store = info.context.services.get(DOCUMENT_STORE)
        return store.download_url(key, receipts.CONTENT_TYPE, receipts.DOWNLOAD_EXPIRES_IN)

    @field("The payment this one reverses.")
    async def reverses(self, info: Info) -> Payment | None:
        if self._row.reverses_id is None:
            return None
        return _payment_view(await info.context.loaders.get(loaders.payments_by_id).load(self._row.reverses_id))

    @field("The reversal of this payment, if it was reversed.")
    async def reversed_by(self, info: Info) -> Payment | None:
        reversal = await info.context.loaders.get(loaders.reversals_by_payment).load(self.id)
        if reversal is None:
            return None
        return _payment_view(await info.context.loaders.get(loaders.payments_by_id).load(reversal))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Payment | None]:
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(loaders.payments_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.id: row for row in found if row is not None}
        return [cls.of(by_id[i]) if i in by_id else None for i in ids]


def _payment_view(row: PaymentRow | None) -> Payment | None:
    return Payment.of(row) if row is not None else None


@strawberry.type(
    description="A payment recorded, or the one an earlier request with the same idempotency key recorded."
)
class PaymentRecording:
    payment: Payment
    already_recorded: bool = strawberry.field(
        description="The idempotency key was already used: this is the payment recorded then, unchanged."
    )


@strawberry.type(description=f"Sums over contribution calls, {MINOR}.")
class ContributionCallTotals:
    count: int
    due: Amount
    settled: Amount
    remaining: Amount
    currency: str

    @classmethod
    def of(cls, totals: CallTotals, currency: str) -> ContributionCallTotals:
        return cls(
            count=totals.count,
            due=Amount(totals.due),
            settled=Amount(totals.settled),
            remaining=Amount(totals.remaining),
            currency=currency,
        )


@strawberry.type(description=f"What a scheme called from one kind of payer for one period, and what was paid, {MINOR}.")
class ContributionCollection:
    period: str
    period_start: date
    payer: Payer
    calls: int
    due: Amount
    collected: Amount
    outstanding: Amount
    rate_basis_points: int = strawberry.field(description="`collected` of `due`, in basis points (10,000 = 100 %).")
    currency: str
    _scheme_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, row: Collection, currency: str) -> ContributionCollection:
        """The GraphQL view of a collection row."""
        return cls(
            period=row.period,
            period_start=row.period_start,
            payer=Payer(row.payer),
            calls=row.calls,
            due=Amount(row.due),
            collected=Amount(row.collected),
            outstanding=Amount(row.due - row.collected),
            rate_basis_points=row.rate,
            currency=currency,
            _scheme_id=row.scheme_id,
        )

    @field("The scheme.", graphql_type=Scheme | None)
    def scheme(self, info: Info) -> Scheme | Awaitable[Scheme | None] | None:
        return loaded(info.context.loaders.get(scheme_views).load(self._scheme_id))


@strawberry.type(
    description=f"A member's account as payer, {MINOR}: `balance` = `due` − `paid` = `outstanding` − `credit`; "
    "and the rights it leaves them."
)
class ContributionStatement:
    due: Amount = strawberry.field(description="Called from the member so far.")
    paid: Amount = strawberry.field(description="Paid by the member, reversals deducted.")
    outstanding: Amount = strawberry.field(description="Left to pay on the member's calls.")
    credit: Amount = strawberry.field(description="Paid and not settling any call yet: it settles the next calls.")
    balance: Amount = strawberry.field(description="What the member owes; negative when in credit.")
    currency: str
    rights: RightsStatus = strawberry.field(description="The member's rights as their payments leave them today.")
    rights_change_on: date | None = strawberry.field(
        description="The first day the rights' status changes if nothing is paid (null: only a payment changes it)."
    )

    @classmethod
    def of(cls, statement: Statement, standing: Standing, currency: str) -> ContributionStatement:
        return cls(
            rights=standing.status,
            rights_change_on=standing.changes_on,
            due=Amount(statement.due),
            paid=Amount(statement.paid),
            outstanding=Amount(statement.outstanding),
            credit=Amount(statement.credit),
            balance=Amount(statement.balance),
            currency=currency,
        )


@strawberry.type(description="What calling a period of a scheme did.")
class ContributionPeriodRun:
    period: str
    period_start: date
    period_end: date
    members: int = strawberry.field(description="Members looked at.")
    created: int = strawberry.field(description="Calls created; 0 when the period was already called.")
