"""GraphQL types, queries and mutations of the State's subsidies: a
tenant's statements of what the State owes it, drawn up by its managers or
the daily job; a ministry's view of its tenants' statements, and its record
of the State's payments of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.contributions import errors, loaders, schedule, subsidies, subsidy_reads
from schemes.contributions.api import NOTHING
from schemes.contributions.subsidy_reads import (
    PaymentRow,
    StatementFilter,
    StatementLine,
    StatementRow,
    StatementStatus,
)
from schemes.contributions.tables import CallKind
from schemes.contributions.tables import SubsidyStatement as StatementTableRow
from schemes.contributions.types import MINOR
from schemes.rules.errors import SchemeNotFound
from schemes.rules.model import MemberCategory, SubsidyGroup
from schemes.rules.tables import Scheme as SchemeRow
from tenants.context import TenantContext
from tenants.graphql import Info, decode_id, field, nodes_by_id, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.registry.api import Tenant
from tenants.registry.loaders import tenants_by_id
from tenants.scalars import Amount
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx

strawberry.enum(StatementStatus, description="How far the State has paid a subsidy statement.")


@strawberry.type(description="A payment of the State's for a subsidy statement, as its ministry recorded it.")
class SubsidyPayment:
    id: UUID
    amount: Amount = strawberry.field(description=f"{MINOR}.")
    currency: str
    reference: str = strawberry.field(description="The reference of the Treasury's transfer.")
    paid_on: date = strawberry.field(description="The transfer's date.")
    recorded_by_name: str = strawberry.field(description="The ministry's officer who recorded it.")
    created_at: datetime
    receipt_number: str | None = strawberry.field(
        description="The receipt the tenant's ledger gave the money; null for the moment it takes to record it."
    )

    @classmethod
    def of(cls, row: PaymentRow) -> SubsidyPayment:
        """The GraphQL view of a payment of the State's."""
        payment = row.payment
        return cls(
            id=payment.id,
            amount=Amount(payment.amount),
            currency=payment.currency,
            reference=payment.reference,
            paid_on=payment.paid_on,
            recorded_by_name=payment.recorded_by_name,
            created_at=payment.created_at,
            receipt_number=row.receipt_number,
        )


@strawberry.type(description="A call of the State's a statement covers: the member it pays for, and how much.")
class SubsidyStatementLine:
    member_number: str
    last_name: str
    first_names: str
    category: MemberCategory
    subsidy_group: SubsidyGroup | None = strawberry.field(description="Set for a household the State pays for whole.")
    kind: CallKind
    persons: int = strawberry.field(description="The people the call covers: the member and their dependants.")
    amount: Amount = strawberry.field(description=f"{MINOR}.")

    @classmethod
    def of(cls, line: StatementLine) -> SubsidyStatementLine:
        """The GraphQL view of a statement's line."""
        return cls(
            member_number=line.member_number,
            last_name=line.last_name,
            first_names=line.first_names,
            category=MemberCategory(line.category),
            subsidy_group=SubsidyGroup(line.subsidy_group) if line.subsidy_group else None,
            kind=CallKind(line.kind),
            persons=line.persons,
            amount=Amount(line.amount),
        )


@strawberry.type(
    description="What the State owes a tenant for a scheme's period (état des bénéficiaires subventionnés): the "
    "State's calls of the period, counted and summed when the statement was drawn up. Calls made later in the "
    "period go on its next statement."
)
class SubsidyStatement(relay.Node):
    id: relay.NodeID[UUID]
    scheme_name: str
    period: str = strawberry.field(description="`2026-12` (month), `2026-T4` (quarter) or `2026` (year).")
    period_start: date
    period_end: date
    number: int = strawberry.field(description="1 for the period's first statement, then one more for each.")
    members: int = strawberry.field(description="The members the State pays for.")
    beneficiaries: int = strawberry.field(description="The people covered: the members and their dependants.")
    amount: Amount = strawberry.field(description=f"What the State owes, {MINOR}.")
    paid: Amount = strawberry.field(description=f"What the State has paid of it, {MINOR}.")
    outstanding: Amount = strawberry.field(description=f"What the State has left to pay, {MINOR}.")
    status: StatementStatus
    currency: str
    drawn_by_name: str = strawberry.field(description="Who drew it up (a manager, or Socle's daily job).")
    created_at: datetime
    _statement: strawberry.Private[StatementTableRow]

    @classmethod
    def of(cls, row: StatementRow) -> SubsidyStatement:
        """The GraphQL view of a statement and what the State paid of it."""
        statement = row.statement
        return cls(
            id=statement.id,
            scheme_name=row.scheme_name,
            period=statement.period,
            period_start=statement.period_start,
            period_end=statement.period_end,
            number=statement.number,
            members=statement.members,
            beneficiaries=statement.beneficiaries,
            amount=Amount(statement.amount),
            paid=Amount(row.paid),
            outstanding=Amount(row.outstanding),
            status=row.status,
            currency=statement.currency,
            drawn_by_name=statement.drawn_by_name,
            created_at=statement.created_at,
            _statement=statement,
        )

    @field("The tenant the State owes.")
    async def tenant(self, info: Info) -> Tenant | None:
        row = await info.context.loaders.get(tenants_by_id).load(self._statement.tenant_id)
        return Tenant.from_row(row) if row is not None else None

    @field("The State's payments of it, oldest first.")
    async def payments(self, info: Info) -> list[SubsidyPayment]:
        rows = await info.context.loaders.get(loaders.subsidy_payments_by_statement).load(self.id)
        return [SubsidyPayment.of(row) for row in rows]

    @field(
        "The nominative list: the statement's calls by member number (a ministry's read is recorded in its log). "
        "Requires `members:read`; `first` is at most 100.",
        permission=Permission.MEMBERS_READ,
    )
    async def lines(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SubsidyStatementLine]:
        statement = self._statement

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            return await subsidy_reads.count_lines(tx, statement)

        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (str, UUID),
            rows=partial(subsidy_reads.lines_of, statement=statement),
            count=count,
            node=SubsidyStatementLine.of,
            key=lambda line: (line.member_number, line.id),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[SubsidyStatement | None]:
        async def load(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[StatementRow]:
            return await _statements(tx, ctx, ids)

        return await nodes_by_id(info, node_ids, Permission.SUBSIDIES_READ, load, cls.of)


async def _statements(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[StatementRow]:
    return await subsidy_reads.list_statements(tx, ctx, StatementFilter(ids=ids), after=None, limit=len(ids))


@strawberry.input(description="Which statements: each condition given narrows the list.")
class SubsidyStatementFilter:
    tenant: relay.GlobalID | None = strawberry.field(default=None, description="For a ministry: one tenant's.")
    scheme: relay.GlobalID | None = None
    period: str | None = strawberry.field(default=None, description="`2026-12`, `2026-T4` or `2026`.")
    status: StatementStatus | None = None


def _filter(given: SubsidyStatementFilter | None) -> StatementFilter:
    if given is None:
        return StatementFilter()
    return StatementFilter(
        tenant_id=(decode_id(given.tenant, "Tenant") or NOTHING) if given.tenant else None,
        scheme_id=(decode_id(given.scheme, "Scheme") or NOTHING) if given.scheme else None,
        period=given.period.strip().upper()[:7] if given.period else None,
        status=given.status,
    )


@strawberry.type(description="A statement drawn up, or the one an earlier request with the same key drew up.")
class SubsidyStatementDrawing:
    statement: SubsidyStatement
    already_drawn: bool = strawberry.field(
        description="The idempotency key was already used: this is the statement drawn up then."
    )


@strawberry.type(
    description="A payment of the State's recorded, or the one an earlier request with the same key recorded."
)
class SubsidyPaymentRecording:
    payment: SubsidyPayment
    statement: SubsidyStatement = strawberry.field(description="The statement paid, with what is left to pay on it.")
    already_recorded: bool = strawberry.field(
        description="The idempotency key was already used: this is the payment recorded then, unchanged."
    )


@strawberry.input(description="The statement of a scheme's period to draw up.")
class SubsidyStatementDrawInput:
    scheme: relay.GlobalID
    period: str = strawberry.field(description="`2026-12` (month), `2026-T4` (quarter) or `2026` (year).")
    idempotency_key: str = strawberry.field(
        description="Made by the client once per statement (a UUID) and sent again with every retry."
    )


@strawberry.input(description="The State's payment of a statement, from the Treasury's transfer notice.")
class SubsidyPaymentRecordInput:
    statement: relay.GlobalID
    amount: Amount = strawberry.field(description=f"At most what is left to pay on the statement, {MINOR}.")
    currency: str = strawberry.field(description="The statement's currency (ISO 4217).")
    reference: str = strawberry.field(description="The reference of the Treasury's transfer.")
    paid_on: date = strawberry.field(description="The transfer's date: not in the future, not more than a year ago.")
    idempotency_key: str = strawberry.field(
        description="Made by the client once per payment (a UUID) and sent again with every retry."
    )


@strawberry.type
class Query:
    @field(
        "Subsidy statements, the latest period first: the caller's tenant's or, for a ministry, those of every "
        "tenant it supervises. Requires `subsidies:read`; `first` is at most 100.",
        permission=Permission.SUBSIDIES_READ,
    )
    async def subsidy_statements(
        self,
        info: Info,
        filter: SubsidyStatementFilter | None = None,  # noqa: A002
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SubsidyStatement]:
        where = _filter(filter)

        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[date, UUID] | None, limit: int
        ) -> list[StatementRow]:
            return await subsidy_reads.list_statements(tx, ctx, where, after=after, limit=limit)

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            return await subsidy_reads.count_statements(tx, ctx, where)

        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (date, UUID),
            rows=rows,
            count=count,
            node=SubsidyStatement.of,
            key=subsidy_reads.statement_key,
        )


async def _view(tx: Transaction, ctx: TenantContext, statement_id: UUID) -> SubsidyStatement:
    (row,) = await _statements(tx, ctx, [statement_id])
    return SubsidyStatement.of(row)


@strawberry.type
class Mutation:
    @mutation(
        "Draw up the statement of a scheme's period: every call of the State's of the period on no statement "
        "yet, counted and summed, for the ministry to pay. The daily job draws up each period's first statement "
        "as the period begins, and one more once it has ended for the calls made since. Requires "
        "`contributions:write`.",
        errors=[
            SchemeNotFound,
            errors.InvalidPeriod,
            errors.NoRuleInForce,
            errors.NothingToState,
            errors.InvalidIdempotencyKey,
            errors.StatementKeyReused,
        ],
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def subsidy_statement_draw(
        self,
        info: Info,
        input: SubsidyStatementDrawInput,  # noqa: A002
    ) -> SubsidyStatementDrawing:
        context = tenant_of(info)
        scheme_id = decode_id(input.scheme, "Scheme")
        if scheme_id is None:
            raise SchemeNotFound(path=("input", "scheme"))
        async with tenant_tx(context):
            if not await within(context, SchemeRow).exists().where(SchemeRow.id == scheme_id):
                raise SchemeNotFound(path=("input", "scheme"))
        period = schedule.period_named(await schedule.scheme_versions(context, scheme_id), input.period)
        async with tenant_tx(context) as tx:
            drawn = await subsidies.draw_statement(
                tx, context, scheme_id, period, input.idempotency_key, datetime.now(UTC)
            )
            statement = await _view(tx, context, drawn.statement.id)
        return SubsidyStatementDrawing(statement=statement, already_drawn=drawn.replayed)

    @mutation(
        "Record, for a ministry, the State's payment of a statement of a tenant it supervises (from the "
        "Treasury's transfer notice): at most what is left to pay on it, in one transfer or several. The tenant's "
        "ledger records the money at once after, settling the statement's calls. Requires `subsidies:settle`.",
        errors=[
            errors.StatementNotFound,
            errors.InvalidAmount,
            errors.CurrencyMismatch,
            errors.ReferenceRequired,
            errors.InvalidReference,
            errors.InvalidPaidOn,
            errors.StatementOverpaid,
            errors.InvalidIdempotencyKey,
            errors.SubsidyKeyReused,
        ],
        permission=Permission.SUBSIDIES_SETTLE,
    )
    async def subsidy_payment_record(
        self,
        info: Info,
        input: SubsidyPaymentRecordInput,  # noqa: A002
    ) -> SubsidyPaymentRecording:
        context = tenant_of(info)
        statement_id = decode_id(input.statement, "SubsidyStatement")
        if statement_id is None:
            raise errors.StatementNotFound(path=("input", "statement"))
        data = subsidies.NewSubsidyPayment(
            statement_id=statement_id,
            amount=input.amount,
            currency=input.currency,
            reference=input.reference,
            paid_on=input.paid_on,
            idempotency_key=input.idempotency_key,
        )
        async with tenant_tx(context) as tx:
            paid = await subsidies.record_subsidy_payment(tx, context, data, datetime.now(UTC))
            statement = await _view(tx, context, paid.statement.id)
            listed = (await subsidy_reads.payments_of(tx, context, [paid.statement.id]))[paid.statement.id]
        (row,) = [row for row in listed if row.payment.id == paid.payment.id]
        return SubsidyPaymentRecording(
            payment=SubsidyPayment.of(row),
            statement=statement,
            already_recorded=paid.replayed,
        )
