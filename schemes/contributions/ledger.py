"""The ledger of one payer: its open calls, its credit, and how money
settles calls. Every figure is a sum of calls, payments and allocations;
nothing is stored that they could contradict.

A payer's writes (a payment, a reversal, calls that take its credit) hold
the payer's lock until their transaction ends, so two of them never
allocate the same money or settle the same remainder twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemes.contributions.tables import Payment, PaymentAllocation
from schemes.rules.model import Payer
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction


@dataclass(frozen=True, order=True)
class PayerKey:
    """Who pays: a member, an employer, or the State (for the tenant's
    subsidised calls, ``party_id`` None)."""

    payer: Payer
    party_id: UUID | None

    @property
    def column(self) -> str:
        """The calls' and payments' column naming the party."""
        return "employer_id" if self.payer is Payer.EMPLOYER else "member_id"

    def where(self, alias: str, start: int) -> tuple[str, list[object]]:
        """A condition on ``alias``'s rows of this payer, its arguments from ``$start``."""
        if self.party_id is None:
            return f"{alias}.payer = ${start}", [self.payer.value]
        return f"{alias}.payer = ${start} AND {alias}.{self.column} = ${start + 1}", [self.payer.value, self.party_id]


def payer_of(payment: Payment) -> PayerKey:
    """The payer of a payment."""
    payer = Payer(payment.payer)
    return PayerKey(payer, payment.employer_id if payer is Payer.EMPLOYER else payment.member_id)


@dataclass(frozen=True)
class OpenCall:
    """A call not settled yet, and what remains due on it."""

    id: UUID
    remaining: int


@dataclass(frozen=True)
class Credit:
    """What a payment has not settled yet."""

    payment_id: UUID
    left: int


@dataclass(frozen=True)
class Allocation:
    payment_id: UUID
    call_id: UUID
    amount: int


def allocate(available: Sequence[Credit], calls: Sequence[OpenCall]) -> list[Allocation]:
    """Settle ``calls`` in their order with the ``available`` credits in
    theirs: each call takes what it still needs from the first credit left,
    then the next."""
    allocations: list[Allocation] = []
    lefts = [credit.left for credit in available]
    index = 0
    for call in calls:
        needed = call.remaining
        while needed > 0 and index < len(available):
            taken = min(needed, lefts[index])
            if taken > 0:
                allocations.append(Allocation(available[index].payment_id, call.id, taken))
                lefts[index] -= taken
                needed -= taken
            if lefts[index] == 0:
                index += 1
    return allocations


async def lock_payer(tx: Transaction, ctx: TenantContext, payers: Sequence[PayerKey]) -> None:
    """Take the payers' locks for the rest of the transaction, in one order
    whatever the caller's, so two transactions never wait for each other crosswise."""
    keys = sorted({f"payer:{ctx.tenant_id}:{key.payer.value}:{key.party_id or ''}" for key in payers})
    if keys:
        await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) FROM unnest($1::text[]) AS key", keys)


SETTLED = "coalesce((SELECT sum(a.amount) FROM payment_allocations a WHERE a.tenant_id = $1 AND a.call_id = c.id), 0)"
"""What is settled of the call ``c``: the sum of its allocations."""
LIVE = (
    "(c.declaration_id IS NULL OR NOT EXISTS (SELECT 1 FROM employer_declarations d"
    " WHERE d.tenant_id = $1 AND d.replaces_id = c.declaration_id))"
)
"""A call ``c`` that counts: not the call of a declaration a correction replaced."""
CALL_ORDER = "c.due_on, c.period_start, c.kind DESC, c.id"
"""Oldest first; a period's registration fee before its contribution."""


async def open_calls(
    tx: Transaction, ctx: TenantContext, payer: PayerKey, among: Sequence[UUID] | None = None
) -> list[OpenCall]:
    """The payer's calls with something left to pay, oldest first; only
    those of ``among`` when given."""
    condition, arguments = payer.where("c", 2)
    if among is not None:
        condition += f" AND c.id = ANY (${len(arguments) + 2}::uuid[])"
        arguments.append(list(among))
    rows = await tx.fetch(
        f"SELECT c.id, c.amount - {SETTLED} AS remaining FROM contribution_calls c"
        f" WHERE c.tenant_id = $1 AND {condition} AND {LIVE} AND c.amount > {SETTLED} ORDER BY {CALL_ORDER}",
        ctx.tenant_id,
        *arguments,
    )
    return [OpenCall(id=row["id"], remaining=int(row["remaining"])) for row in rows]


CREDIT_OF = (
    "p.amount - coalesce((SELECT sum(a.amount) FROM payment_allocations a"
    " WHERE a.tenant_id = $1 AND a.payment_id = p.id), 0)"
)
STANDING = (
    "p.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.tenant_id = $1 AND r.reverses_id = p.id)"
)
"""A payment that counts: neither a reversal nor reversed (a reversed pair nets to nothing)."""


async def credits_of(tx: Transaction, ctx: TenantContext, payer: PayerKey) -> list[Credit]:
    """The payer's payments with money not allocated yet, oldest first."""
    condition, arguments = payer.where("p", 2)
    rows = await tx.fetch(
        f"SELECT p.id, {CREDIT_OF} AS left_over FROM payments p"
        f" WHERE p.tenant_id = $1 AND {condition} AND {STANDING} AND {CREDIT_OF} > 0 ORDER BY p.received_at, p.id",
        ctx.tenant_id,
        *arguments,
    )
    return [Credit(payment_id=row["id"], left=int(row["left_over"])) for row in rows]


async def with_credit(tx: Transaction, ctx: TenantContext, payers: Sequence[PayerKey]) -> list[PayerKey]:
    """Those of ``payers`` who have credit, in one statement."""
    if not payers:
        return []
    rows = await tx.fetch(
        f"SELECT DISTINCT p.payer, p.member_id, p.employer_id FROM payments p"
        " JOIN unnest($2::text[], $3::uuid[]) AS k(payer, party_id) ON p.payer = k.payer"
        " AND (k.party_id IS NULL OR p.member_id = k.party_id OR p.employer_id = k.party_id)"
        f" WHERE p.tenant_id = $1 AND {STANDING} AND {CREDIT_OF} > 0",
        ctx.tenant_id,
        [key.payer.value for key in payers],
        [key.party_id for key in payers],
    )
    found = {
        PayerKey(Payer(row["payer"]), row["employer_id"] if row["payer"] == Payer.EMPLOYER else row["member_id"])
        for row in rows
    }
    return [key for key in payers if key in found]


async def allocations_of(
    tx: Transaction, ctx: TenantContext, payment_ids: Sequence[UUID]
) -> dict[UUID, list[Allocation]]:
    """What each payment settled, call by call in the calls' order, net of
    the steps that settled a call several times, in one statement."""
    if not payment_ids:
        return {}
    rows = await tx.fetch(
        "SELECT a.payment_id, a.call_id, sum(a.amount) AS amount FROM payment_allocations a"
        " JOIN contribution_calls c ON c.tenant_id = $1 AND c.id = a.call_id"
        " WHERE a.tenant_id = $1 AND a.payment_id = ANY ($2::uuid[])"
        f" GROUP BY a.payment_id, a.call_id, c.due_on, c.period_start, c.kind, c.id HAVING sum(a.amount) <> 0"
        f" ORDER BY a.payment_id, {CALL_ORDER}",
        ctx.tenant_id,
        list(payment_ids),
    )
    found: dict[UUID, list[Allocation]] = {}
    for row in rows:
        found.setdefault(row["payment_id"], []).append(
            Allocation(row["payment_id"], row["call_id"], int(row["amount"]))
        )
    return found


async def write(tx: Transaction, ctx: TenantContext, allocations: Sequence[Allocation], now: datetime) -> None:
    """Insert ``allocations`` in one statement."""
    scope = within(ctx, PaymentAllocation)
    await scope.insert(
        *(scope.new(payment_id=a.payment_id, call_id=a.call_id, amount=a.amount, created_at=now) for a in allocations)
    )


async def settle(tx: Transaction, ctx: TenantContext, payer: PayerKey, now: datetime) -> list[Allocation]:
    """Settle the payer's open calls with its credit, oldest first. The
    caller holds the payer's lock."""
    available = await credits_of(tx, ctx, payer)
    if not available:
        return []
    allocations = allocate(available, await open_calls(tx, ctx, payer))
    await write(tx, ctx, allocations, now)
    return allocations
