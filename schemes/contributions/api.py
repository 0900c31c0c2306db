"""GraphQL queries and mutations of contributions: the calls and payments
of the caller's tenant, statements, counter payments and their reversal,
running the calls of a period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.contributions import errors, payments, reads, schedule
from schemes.contributions.ledger import PayerKey
from schemes.contributions.payments import Provider
from schemes.contributions.reads import CallFilter, CallRow
from schemes.contributions.tables import Channel
from schemes.contributions.tables import Payment as PaymentRow
from schemes.contributions.types import (
    ContributionCall,
    ContributionCallTotals,
    ContributionCollection,
    ContributionPeriodRun,
    ContributionStatement,
    Payment,
    PaymentRecording,
)
from schemes.members import access
from schemes.members.tables import Member
from schemes.rules.errors import SchemeNotFound
from schemes.rules.model import Payer
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.errors import InvalidText
from tenants.graphql import Info, decode_id, field, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.scalars import Amount
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx


@strawberry.input(description="Which contribution calls: each condition given narrows the list.")
class ContributionCallFilter:
    member: relay.GlobalID | None = None
    employer: relay.GlobalID | None = strawberry.field(default=None, description="The calls of its declarations.")
    scheme: relay.GlobalID | None = None
    period: str | None = strawberry.field(default=None, description="`2026-12`, `2026-T4` or `2026`.")
    payer: Payer | None = None
    open: bool = strawberry.field(default=False, description="Only the calls with something left to pay.")


NOTHING = UUID(int=0)
"""Stands for an id that names nothing of its type: the filter then matches no call."""


def _filter(given: ContributionCallFilter | None) -> CallFilter:
    if given is None:
        return CallFilter()
    return CallFilter(
        member_id=(decode_id(given.member, "Member") or NOTHING) if given.member else None,
        employer_id=(decode_id(given.employer, "Employer") or NOTHING) if given.employer else None,
        scheme_id=(decode_id(given.scheme, "Scheme") or NOTHING) if given.scheme else None,
        period=given.period.strip().upper()[:7] if given.period else None,
        payer=given.payer,
        open_only=given.open,
    )


@strawberry.input(
    description="A payment received from a member, or from an employer (`employer`) for its declarations: at the "
    "counter, or recorded by a partner application."
)
class PaymentRecordInput:
    member: relay.GlobalID | None = strawberry.field(default=None, description="The member paying; or `employer`.")
    employer: relay.GlobalID | None = strawberry.field(
        default=None, description="The employer paying its declarations' calls, instead of a member."
    )
    amount: Amount = strawberry.field(description="In the currency's minor unit (whole francs for XOF and XAF).")
    currency: str = strawberry.field(description="ISO 4217 code: the tenant's currency.")
    channel: Channel
    idempotency_key: str = strawberry.field(
        description="Made by the client once per payment (a UUID) and sent again with every retry: a replay "
        "returns the payment first recorded, and records nothing."
    )
    provider: Provider | None = strawberry.field(default=None, description="Required for mobile money.")
    reference: str | None = strawberry.field(
        default=None,
        description="The transaction's reference (mobile money, card, bank transfer); a provider's reference is "
        "recorded once.",
    )
    received_at: datetime | None = strawberry.field(
        default=None, description="When the money was received; default now."
    )
    note: str = ""
    calls: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="The calls to settle; none: the member's oldest open calls."
    )


@strawberry.input(description="Reverse a payment wrongly recorded.")
class PaymentReverseInput:
    payment: relay.GlobalID
    reason: str
    idempotency_key: str


@strawberry.input(description="Call one period of a scheme for all its members.")
class ContributionCallsRunInput:
    scheme: relay.GlobalID
    period: str = strawberry.field(
        description="`2026-12` (month), `2026-T4` (quarter) or `2026` (year), as the rule says."
    )


RECORD_ERRORS: list[type[errors.ContributionError] | type[InvalidText]] = [
    errors.PayerNotFound,
    errors.PayerTerminated,
    errors.InvalidAmount,
    errors.CurrencyMismatch,
    errors.ReferenceRequired,
    errors.ProviderRequired,
    errors.InvalidReference,
    errors.ReferenceAlreadyRecorded,
    errors.InvalidReceivedAt,
    errors.InvalidIdempotencyKey,
    errors.IdempotencyKeyReused,
    errors.CallNotFound,
    errors.TextTooLong,
    InvalidText,
]


def _now() -> datetime:
    return datetime.now(UTC)


@strawberry.type
class Query:
    @field(
        "The contribution calls of the caller's tenant, the latest due first. Requires `contributions:read`; "
        "`first` is at most 100.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def contribution_calls(
        self,
        info: Info,
        filter: ContributionCallFilter | None = None,  # noqa: A002
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ContributionCall]:
        where = _filter(filter)

        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[date, str, str, UUID] | None, limit: int
        ) -> list[CallRow]:
            return await reads.list_calls(tx, ctx, where, after=after, limit=limit)

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            return (await reads.call_totals(tx, ctx, where)).count

        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (date, str, str, UUID),
            rows=rows,
            count=count,
            node=ContributionCall.of,
            key=reads.call_key,
        )

    @field(
        "Sums over the contribution calls the filter selects: how many, due, settled and left. "
        "Requires `contributions:read`.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def contribution_call_totals(
        self,
        info: Info,
        filter: ContributionCallFilter | None = None,  # noqa: A002
    ) -> ContributionCallTotals:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            totals = await reads.call_totals(tx, context, _filter(filter))
        return ContributionCallTotals.of(totals, context.currency)

    @field(
        "What each scheme called and collected, per period starting in `year` and kind of payer, the latest "
        "period first: calls, due, collected, outstanding and the collection rate. Requires `contributions:read`.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def contribution_collection(
        self, info: Info, year: int, scheme: relay.GlobalID | None = None
    ) -> list[ContributionCollection]:
        context = tenant_of(info)
        if not reads.MIN_YEAR <= year <= reads.MAX_YEAR:
            raise errors.InvalidYear(path=("year",), minimum=reads.MIN_YEAR, maximum=reads.MAX_YEAR)
        scheme_id = (decode_id(scheme, "Scheme") or NOTHING) if scheme else None
        async with tenant_tx(context) as tx:
            rows = await reads.collection(tx, context, year, scheme_id)
        return [ContributionCollection.of(row, context.currency) for row in rows]

    @field(
        "The payments and reversals of the caller's tenant (of one member, or one employer, when given), the "
        "latest received first. Requires `contributions:read`; `first` is at most 100.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def payments(
        self,
        info: Info,
        member: relay.GlobalID | None = None,
        employer: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Payment]:
        payer = None
        if member is not None:
            payer = PayerKey(Payer.MEMBER, decode_id(member, "Member") or NOTHING)
        if employer is not None:
            employer_id = decode_id(employer, "Employer")
            # Both given: no payment is both a member's and an employer's.
            payer = PayerKey(Payer.EMPLOYER, employer_id if employer_id and payer is None else NOTHING)
        return await _payments_page(info, payer, first, after)

    @field(
        "The payments and reversals of the member the caller is, signed in with their access online (role "
        "`member`), the latest received first, each with its receipt; empty for anyone else. Requires "
        "`self:service`; `first` is at most 100.",
        permission=Permission.SELF_SERVICE,
    )
    async def my_payments(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Payment]:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            member = await caller_member(tx, context)
        return await _payments_page(info, PayerKey(Payer.MEMBER, member.id if member else NOTHING), first, after)

    @field(
        "A member's account as payer: called, paid, left to pay, in credit. Null if the caller's tenant has no "
        "such member. Requires `contributions:read`.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def member_statement(self, info: Info, member: relay.GlobalID) -> ContributionStatement | None:
        context = tenant_of(info)
        member_id = decode_id(member, "Member")
        if member_id is None:
            return None
        async with tenant_tx(context) as tx:
            row = await within(context, Member).objects().where(Member.id == member_id).first()
            return await _statement(tx, context, row)

    @field(
        "The account of the member the caller is, signed in with their access online (role `member`): called, "
        "paid, left to pay, and their rights; null for anyone else. Requires `self:service`.",
        permission=Permission.SELF_SERVICE,
    )
    async def my_statement(self, info: Info) -> ContributionStatement | None:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            return await _statement(tx, context, await caller_member(tx, context))


async def caller_member(tx: Transaction, context: TenantContext) -> Member | None:
    """The member the caller is, signed in with their access online; None for anyone else."""
    if context.principal.id is None:
        return None
    return await access.member_of_user(tx, context, context.principal.id)


async def _payments_page(
    info: Info, payer: PayerKey | None, first: int | None, after: str | None
) -> Connection[Payment]:
    """A page of the tenant's payments, or of one payer's, the latest received first."""

    async def rows(
        tx: Transaction, ctx: TenantContext, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[PaymentRow]:
        return await reads.list_payments(tx, ctx, payer, after=after, limit=limit)

    async def count(tx: Transaction, ctx: TenantContext) -> int:
        query = within(ctx, PaymentRow).count()
        counted: int = await (query.where(reads.of_payer(payer)) if payer else query)
        return counted

    return await tenant_page(
        tenant_of(info),
        first,
        after,
        (datetime, UUID),
        rows=rows,
        count=count,
        node=Payment.of,
        key=lambda row: (row.received_at, row.id),
    )


async def _statement(tx: Transaction, context: TenantContext, member: Member | None) -> ContributionStatement | None:
    if member is None:
        return None
    statement = await reads.payer_statement(tx, context, PayerKey(Payer.MEMBER, member.id))
    standing = await reads.member_standing(tx, context, member, _now().date())
    return ContributionStatement.of(statement, standing, context.currency)


def member_id_of(member: relay.GlobalID | None) -> UUID:
    """The member's id in ``member``; :class:`errors.PayerNotFound` for none, or an id that is not a member's."""
    found = decode_id(member, "Member") if member is not None else None
    if found is None:
        raise errors.PayerNotFound(path=("input", "member"))
    return found


def employer_id_of(employer: relay.GlobalID) -> UUID:
    """The employer's id in ``employer``; :class:`errors.PayerNotFound` for an id that is not an employer's."""
    found = decode_id(employer, "Employer")
    if found is None:
        raise errors.PayerNotFound(path=("input", "employer"))
    return found


def _call_ids(calls: list[relay.GlobalID]) -> tuple[UUID, ...]:
    ids = []
    for index, call in enumerate(calls):
        found = decode_id(call, "ContributionCall")
        if found is None:
            raise errors.CallNotFound(path=("input", "calls", str(index)))
        ids.append(found)
    return tuple(ids)


@strawberry.type
class Mutation:
    @mutation(
        "Record a payment received from a member (cash at the counter, a mobile money or bank transfer "
        "reference typed in) and settle their calls with it: the chosen ones, else the oldest open; what is "
        "left is the member's credit, which settles the next calls. Every payment gets the next receipt number "
        "of the tenant's year. Requires `contributions:write`.",
        errors=RECORD_ERRORS,
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def payment_record(self, info: Info, input: PaymentRecordInput) -> PaymentRecording:  # noqa: A002
        context = tenant_of(info)
        if input.employer is not None and input.member is not None:
            raise errors.PayerNotFound(path=("input", "employer"))
        data = payments.NewPayment(
            member_id=member_id_of(input.member) if input.employer is None else None,
            employer_id=employer_id_of(input.employer) if input.employer is not None else None,
            amount=input.amount,
            currency=input.currency.strip().upper(),
            channel=input.channel,
            idempotency_key=input.idempotency_key,
            provider=input.provider,
            reference=input.reference,
            received_at=input.received_at,
            note=input.note,
            call_ids=_call_ids(input.calls),
        )
        async with tenant_tx(context) as tx:
            recorded = await payments.record_payment(tx, context, data, _now())
        return PaymentRecording(payment=Payment.of(recorded.payment), already_recorded=recorded.replayed)

    @mutation(
        "Reverse a payment wrongly recorded: a new entry of the opposite amount, with its own receipt number; "
        "the calls the payment settled are open again. Nothing is edited or deleted. Requires "
        "`contributions:write`.",
        errors=[
            errors.PaymentNotFound,
            errors.PaymentAlreadyReversed,
            errors.ReversalNotReversible,
            errors.SubsidyNotReversible,
            errors.ReasonRequired,
            errors.InvalidIdempotencyKey,
            errors.IdempotencyKeyReused,
            errors.TextTooLong,
            InvalidText,
        ],
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def payment_reverse(self, info: Info, input: PaymentReverseInput) -> PaymentRecording:  # noqa: A002
        context = tenant_of(info)
        payment_id = decode_id(input.payment, "Payment")
        if payment_id is None:
            raise errors.PaymentNotFound(path=("input", "payment"))
        async with tenant_tx(context) as tx:
            recorded = await payments.reverse_payment(
                tx, context, payment_id, input.reason, input.idempotency_key, _now()
            )
        return PaymentRecording(payment=Payment.of(recorded.payment), already_recorded=recorded.replayed)

    @mutation(
        "Call one period of a scheme for every member not terminated, under the rule version in force: the "
        "member's share, the State's subsidy share, the registration fee in the period a member joined. Calls "
        "already made are left as they are, so running it again creates nothing twice. Requires "
        "`contributions:write`.",
        errors=[SchemeNotFound, errors.InvalidPeriod, errors.NoRuleInForce, errors.RateBasisNotCalled],
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def contribution_calls_run(
        self,
        info: Info,
        input: ContributionCallsRunInput,  # noqa: A002
    ) -> ContributionPeriodRun:
        context = tenant_of(info)
        scheme_id = decode_id(input.scheme, "Scheme")
        async with tenant_tx(context):
            found = scheme_id is not None and await within(context, Scheme).exists().where(Scheme.id == scheme_id)
        if not found or scheme_id is None:
            raise SchemeNotFound(path=("input", "scheme"))
        versions = await schedule.scheme_versions(context, scheme_id)
        period = schedule.period_named(versions, input.period)
        schedule.checked_for_calls(versions, period)
        run = await schedule.run_period(context, scheme_id, versions, period)
        return ContributionPeriodRun(
            period=period.label,
            period_start=period.start,
            period_end=period.end,
            members=run.members,
            created=run.created,
        )
