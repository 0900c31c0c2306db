"""The State's subsidies: for a scheme's period, a statement of what the
State owes the tenant (its calls of the period, counted and summed); the
ministry's record of the State's payments of it; and that money in the
tenant's ledger.

A ministry never writes in a tenant it supervises: it records the State's
payment in its own tenant, and a job acting for the tenant paid records the
money in that tenant's ledger, once, settling the statement's calls first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

import asyncpg

from schemes.contributions import errors, ledger, payments, subsidy_reads
from schemes.contributions.ledger import LIVE, PayerKey
from schemes.contributions.periods import ContributionPeriod, parse_period
from schemes.contributions.subsidy_reads import StatementFilter, StatementRow
from schemes.contributions.tables import CallKind, Channel, Payment, SubsidyPayment, SubsidyStatement
from schemes.rules.model import Payer, Period
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx

SUBSIDY_ACTOR = "contributions.record_subsidy"
STATE = PayerKey(Payer.STATE, None)
PAID_BACK_DAYS = payments.RECEIVED_BACK.days - 31
"""How far back the State's transfer may be dated: a month less than the
ledger takes a payment back, so the job that records it there, even late,
is still within the ledger's reach."""
LOOK_BACK_DAYS = 366
"""How long after a period ends the daily job still looks for its calls on no statement: a period's
calls are made while it runs, so the one statement drawn once it has ended takes its last ones."""

_UNSTATED = (
    "c.tenant_id = $1 AND c.payer = 'state' AND " + LIVE + " AND NOT EXISTS (SELECT 1 FROM subsidy_statement_calls l"
    " WHERE l.tenant_id = $1 AND l.call_id = c.id)"
)
"""The State's calls ``c`` that count and are on no statement yet."""


@dataclass(frozen=True)
class Drawn:
    """A statement drawn up, or the one an earlier request with the same key drew up."""

    statement: SubsidyStatement
    replayed: bool = False


async def _lock(tx: Transaction, key: str) -> None:
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)


async def draw_statement(
    tx: Transaction,
    ctx: TenantContext,
    scheme_id: UUID,
    period: ContributionPeriod,
    idempotency_key: str | None,
    now: datetime,
) -> Drawn:
    """Draw up the statement of the scheme's ``period``: every call of the
    State's of the period on no statement yet, counted (members, people
    covered) and summed. The period's first statement is number 1; calls made
    later (members enrolled since) go on the next one.

    Raises :class:`errors.NothingToState` when no such call is left.
    """
    key = payments.checked_key(idempotency_key) if idempotency_key is not None else None
    await _lock(tx, f"subsidy-statement:{ctx.tenant_id}:{scheme_id}:{period.start}")
    if key is not None:
        earlier = await within(ctx, SubsidyStatement).objects().where(SubsidyStatement.idempotency_key == key).first()
        if earlier is not None:
            if earlier.scheme_id != scheme_id or earlier.period_start != period.start:
                raise errors.StatementKeyReused(path=("input", "idempotencyKey"))
            return Drawn(statement=earlier, replayed=True)
    # The calls are read once and linked by id: a call made meanwhile is
    # neither counted nor linked, and goes on the next statement.
    unstated = await tx.fetch(
        f"SELECT c.id, c.member_id, c.kind, c.persons, c.amount FROM contribution_calls c WHERE {_UNSTATED}"
        " AND c.scheme_id = $2 AND c.period_start = $3",
        ctx.tenant_id,
        scheme_id,
        period.start,
    )
    amount = sum(int(call["amount"]) for call in unstated)
    if not amount:
        raise errors.NothingToState(path=("input", "period"), period=period.label)
    last_number = await tx.fetchval(
        "SELECT coalesce(max(s.number), 0) FROM subsidy_statements s WHERE s.tenant_id = $1 AND s.scheme_id = $2"
        " AND s.period_start = $3",
        ctx.tenant_id,
        scheme_id,
        period.start,
    )
    scope = within(ctx, SubsidyStatement)
    statement = scope.new(
        scheme_id=scheme_id,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        number=last_number + 1,
        members=len({call["member_id"] for call in unstated}),
        beneficiaries=sum(call["persons"] for call in unstated if call["kind"] == CallKind.CONTRIBUTION),
        amount=amount,
        currency=ctx.currency,
        idempotency_key=key,
        **payments.recorder(ctx, "drawn_by"),
        created_at=now,
    )
    try:
        await scope.insert(statement)
    except asyncpg.UniqueViolationError:
        # The same key, sent at once for another scheme or period.
        raise errors.StatementKeyReused(path=("input", "idempotencyKey")) from None
    await tx.execute(
        "INSERT INTO subsidy_statement_calls (id, tenant_id, statement_id, call_id)"
        " SELECT gen_random_uuid(), $1, $2, call_id FROM unnest($3::uuid[]) AS call_id",
        ctx.tenant_id,
        statement.id,
        [call["id"] for call in unstated],
    )
    await audit.record_change(
        tx,
        ctx,
        "subsidy_statement.draw",
        "subsidy_statement",
        statement.id,
        period=statement.period,
        number=str(statement.number),
        members=str(statement.members),
        amount=str(statement.amount),
        currency=statement.currency,
    )
    return Drawn(statement=statement)


def _period_named(label: str) -> ContributionPeriod:
    """The period a call's label names (``2026-12``, ``2026-T4``, ``2026``)."""
    return next(period for kind in Period if (period := parse_period(kind, label)) is not None)


async def draw_due(ctx: TenantContext, today: date, now: datetime) -> list[SubsidyStatement]:
    """Draw up, as the daily job, the statements of periods begun: the
    first of a period as soon as it has calls of the State's, and once it
    has ended, one for the calls made after that first one. Periods ended
    more than :data:`LOOK_BACK_DAYS` ago are left alone (their calls are
    stated). Each statement is its own transaction."""
    async with tenant_tx(ctx) as tx:
        rows = await tx.fetch(
            "SELECT c.scheme_id, c.period, c.period_end, EXISTS (SELECT 1 FROM subsidy_statements s"
            " WHERE s.tenant_id = $1 AND s.scheme_id = c.scheme_id AND s.period_start = c.period_start) AS stated"
            f" FROM contribution_calls c WHERE {_UNSTATED} AND c.period_start <= $2 AND c.period_end >= $3"
            " GROUP BY c.scheme_id, c.period, c.period_start, c.period_end ORDER BY c.period_start, c.scheme_id",
            ctx.tenant_id,
            today,
            today - timedelta(days=LOOK_BACK_DAYS),
        )
    drawn: list[SubsidyStatement] = []
    for row in rows:
        if row["stated"] and row["period_end"] >= today:
            continue
        try:
            async with tenant_tx(ctx) as tx:
                done = await draw_statement(tx, ctx, row["scheme_id"], _period_named(row["period"]), None, now)
        except errors.NothingToState:
            continue  # drawn meanwhile by a manager
        drawn.append(done.statement)
    return drawn


@dataclass(frozen=True)
class NewSubsidyPayment:
    """The State's payment of a statement, as the ministry records it."""

    statement_id: UUID
    amount: int
    currency: str
    reference: str
    paid_on: date
    idempotency_key: str


@dataclass(frozen=True)
class SubsidyPaid:
    """A payment of the State recorded, or the one an earlier request with the same key recorded."""

    payment: SubsidyPayment
    statement: SubsidyStatement
    replayed: bool = False


async def _statement(tx: Transaction, ctx: TenantContext, statement_id: UUID) -> StatementRow | None:
    """The statement of a tenant ``ctx`` supervises (or of its own), with what the State paid of it."""
    found = await subsidy_reads.list_statements(tx, ctx, StatementFilter(ids=[statement_id]), after=None, limit=1)
    return found[0] if found else None


def _checked(data: NewSubsidyPayment, today: date) -> list[errors.ContributionError]:
    found: list[errors.ContributionError] = []
    if not 0 < data.amount <= payments.MAX_AMOUNT:
        found.append(errors.InvalidAmount(path=("input", "amount"), amount=data.amount))
    reference = data.reference.strip()
    if not reference:
        found.append(errors.ReferenceRequired(path=("input", "reference")))
    elif not payments.valid_reference(reference):
        found.append(errors.InvalidReference(path=("input", "reference")))
    if not 0 <= (today - data.paid_on).days <= PAID_BACK_DAYS:
        found.append(errors.InvalidPaidOn(path=("input", "paidOn")))
    return found


async def record_subsidy_payment(
    tx: Transaction, ctx: TenantContext, data: NewSubsidyPayment, now: datetime
) -> SubsidyPaid:
    """Record, for a ministry, the State's payment of a statement of a
    tenant it supervises: at most what is left to pay on it. A job then
    records the money in the tenant's ledger. A replay of the key returns
    the payment recorded with it."""
    key = payments.checked_key(data.idempotency_key)
    stated = await _statement(tx, ctx, data.statement_id)
    if stated is None or stated.statement.tenant_id == ctx.tenant_id:
        raise errors.StatementNotFound(path=("input", "statement"))
    statement = stated.statement
    await _lock(tx, f"subsidy-payment:{statement.id}")
    scope = within(ctx, SubsidyPayment)
    earlier = await scope.objects().where(SubsidyPayment.idempotency_key == key).first()
    if earlier is not None:
        if earlier.statement_id != statement.id or earlier.amount != data.amount:
            raise errors.SubsidyKeyReused(path=("input", "idempotencyKey"))
        return SubsidyPaid(payment=earlier, statement=statement, replayed=True)
    found = _checked(data, now.date())
    if data.currency != statement.currency:
        found.append(
            errors.CurrencyMismatch(path=("input", "currency"), currency=data.currency[:3], expected=statement.currency)
        )
    if found:
        raise errors.ContributionError.all_of(found)
    # Read again under the statement's lock: a payment committed meanwhile counts.
    paid_now = await _statement(tx, ctx, statement.id)
    outstanding = paid_now.outstanding if paid_now is not None else 0
    if data.amount > outstanding:
        raise errors.StatementOverpaid(path=("input", "amount"), outstanding=outstanding, currency=statement.currency)
    payment = scope.new(
        statement_tenant_id=statement.tenant_id,
        statement_id=statement.id,
        amount=data.amount,
        currency=statement.currency,
        reference=data.reference.strip(),
        paid_on=data.paid_on,
        idempotency_key=key,
        **payments.recorder(ctx),
        created_at=now,
    )
    try:
        await scope.insert(payment)
    except asyncpg.UniqueViolationError:
        # The same key, sent at once for another statement.
        raise errors.SubsidyKeyReused(path=("input", "idempotencyKey")) from None
    await audit.record_change(
        tx,
        ctx,
        "subsidy_payment.record",
        "subsidy_statement",
        statement.id,
        tenant=str(statement.tenant_id),
        amount=str(payment.amount),
        currency=payment.currency,
        reference=payment.reference,
    )
    await tx.enqueue(SUBSIDY_ACTOR, tenant_id=str(statement.tenant_id), subsidy_payment_id=str(payment.id))
    return SubsidyPaid(payment=payment, statement=statement)


async def record_in_ledger(
    tx: Transaction, ctx: TenantContext, subsidy_payment_id: UUID, now: datetime
) -> payments.Recorded | None:
    """Record in the tenant's ledger the State's payment its ministry
    recorded: a bank transfer of the State's that settles the statement's
    calls still open, then the State's oldest; what is left is the State's
    credit. Recorded once, however often the job runs; None for a payment
    of no statement of this tenant."""
    row = await tx.fetchrow(
        "SELECT p.id, p.statement_id, p.amount, p.currency, p.reference, p.paid_on, p.recorded_by_name,"
        " s.period, s.number FROM subsidy_payments p"
        " JOIN subsidy_statements s ON s.tenant_id = p.statement_tenant_id AND s.id = p.statement_id"
        " WHERE p.statement_tenant_id = $1 AND p.id = $2 AND s.tenant_id = $1",
        ctx.tenant_id,
        subsidy_payment_id,
        across_tenants=True,  # the ministry's row about this tenant; row-level security bounds it
    )
    if row is None:
        return None
    await ledger.lock_payer(tx, ctx, [STATE])
    recorded = await within(ctx, Payment).objects().where(Payment.subsidy_payment_id == row["id"]).first()
    if recorded is not None:
        return payments.Recorded(payment=recorded, allocations=[], replayed=True)
    stated = await tx.fetch(
        "SELECT l.call_id FROM subsidy_statement_calls l WHERE l.tenant_id = $1 AND l.statement_id = $2",
        ctx.tenant_id,
        row["statement_id"],
    )
    still_open = await ledger.open_calls(tx, ctx, STATE, among=[line["call_id"] for line in stated])
    paid_on = datetime.combine(row["paid_on"], time(), UTC)
    data = payments.NewPayment(
        member_id=None,
        amount=int(row["amount"]),
        currency=row["currency"],
        channel=Channel.BANK_TRANSFER,
        idempotency_key=f"subsidy:{row['id']}",
        reference=row["reference"],
        received_at=min(paid_on, now),
        note=f"{row['period']} n° {row['number']} · {row['recorded_by_name']}"[: payments.NOTE_MAX],
        call_ids=tuple(call.id for call in still_open),
        subsidy_payment_id=row["id"],
    )
    return await payments.record_payment(tx, ctx, data, now)
