"""Reading calls, payments and balances: lists in keyset order, totals and
a payer's statement, each in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from piccolo.custom_types import Combinable

from schemes.contributions.ledger import CREDIT_OF, LIVE, SETTLED, STANDING, PayerKey
from schemes.contributions.rights import Standing, Unpaid, standing
from schemes.contributions.tables import ContributionCall, Payment
from schemes.members.tables import Member
from schemes.rules import service as rules
from schemes.rules.model import Payer, RightsRule
from schemes.rules.service import RuleVersion
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction


@dataclass(frozen=True)
class CallFilter:
    """Which calls: each condition given narrows the list."""

    member_id: UUID | None = None
    employer_id: UUID | None = None
    scheme_id: UUID | None = None
    period: str | None = None
    payer: Payer | None = None
    open_only: bool = False

    def where(self) -> tuple[str, list[Any]]:
        """The condition on calls ``c`` and its arguments, numbered from ``$2``."""
        conditions, arguments = ["c.tenant_id = $1", LIVE], []
        for column, value in (
            ("member_id", self.member_id),
            ("employer_id", self.employer_id),
            ("scheme_id", self.scheme_id),
            ("period", self.period),
            ("payer", self.payer.value if self.payer else None),
        ):
            if value is not None:
                arguments.append(value)
                conditions.append(f"c.{column} = ${len(arguments) + 1}")
        if self.open_only:
            conditions.append(f"c.amount > {SETTLED}")
        return " AND ".join(conditions), arguments


@dataclass(frozen=True)
class CallRow:
    """A call and what is settled of it."""

    call: ContributionCall
    settled: int

    @property
    def remaining(self) -> int:
        return self.call.amount - self.settled


@dataclass(frozen=True)
class CallTotals:
    """Sums over calls: how many, how much is due, settled and left."""

    count: int
    due: int
    settled: int

    @property
    def remaining(self) -> int:
        return self.due - self.settled


def call_rows(rows: list[Any]) -> list[CallRow]:
    """Calls read with their ``settled`` sum, as :class:`CallRow`."""
    found = []
    for row in rows:
        values = dict(row)
        settled = values.pop("settled")
        found.append(CallRow(call=ContributionCall(**values), settled=int(settled)))
    return found


async def list_calls(
    tx: Transaction, ctx: TenantContext, where: CallFilter, *, after: tuple[date, str, str, UUID] | None, limit: int
) -> list[CallRow]:
    """Up to ``limit`` calls of the context's tenant matching ``where``, the
    latest due first (of one date: the registration fee, the State's share,
    the member's), after the one at ``after`` (:func:`call_key`)."""
    condition, arguments = where.where()
    if after is not None:
        n = len(arguments) + 2
        condition += f" AND (c.due_on, c.kind, c.payer, c.id) < (${n}, ${n + 1}, ${n + 2}, ${n + 3})"
        arguments += list(after)
    rows = await tx.fetch(
        f"SELECT c.*, {SETTLED} AS settled FROM contribution_calls c WHERE {condition}"
        f" ORDER BY c.due_on DESC, c.kind DESC, c.payer DESC, c.id DESC LIMIT {int(limit)}",
        ctx.tenant_id,
        *arguments,
    )
    return call_rows(rows)


def call_key(row: CallRow) -> tuple[date, str, str, UUID]:
    """A call's place in :func:`list_calls`' order, as its cursor holds it."""
    call = row.call
    return call.due_on, call.kind, call.payer, call.id


async def call_totals(tx: Transaction, ctx: TenantContext, where: CallFilter) -> CallTotals:
    """How many calls match ``where``, and their sums."""
    condition, arguments = where.where()
    row = await tx.fetchrow(
        f"SELECT count(*) AS n, coalesce(sum(c.amount), 0) AS due, coalesce(sum({SETTLED}), 0) AS settled"
        f" FROM contribution_calls c WHERE {condition}",
        ctx.tenant_id,
        *arguments,
    )
    return CallTotals(count=row["n"], due=int(row["due"]), settled=int(row["settled"]))


MIN_YEAR = 2000
MAX_YEAR = 2100
"""The years whose collection may be asked for."""


@dataclass(frozen=True)
class Collection:
    """What one scheme called from one kind of payer for one period, and what was paid of it."""

    scheme_id: UUID
    period: str
    period_start: date
    payer: str
    calls: int
    due: int
    collected: int

    @property
    def rate(self) -> int:
        """What was collected of what is due, in basis points (10,000 = 100 %); 0 when nothing is due."""
        return self.collected * 10_000 // self.due if self.due else 0


async def collection(tx: Transaction, ctx: TenantContext, year: int, scheme_id: UUID | None) -> list[Collection]:
    """Per scheme, period starting in ``year`` and kind of payer: calls, due and
    collected; the latest period first, then by scheme and payer."""
    rows = await tx.fetch(
        f"SELECT c.scheme_id, c.period, c.period_start, c.payer, count(*) AS calls,"
        f" sum(c.amount) AS due, sum({SETTLED}) AS collected FROM contribution_calls c"
        f" WHERE c.tenant_id = $1 AND {LIVE} AND c.period_start >= $2 AND c.period_start < $3"
        " AND ($4::uuid IS NULL OR c.scheme_id = $4)"
        " GROUP BY c.scheme_id, c.period, c.period_start, c.payer"
        " ORDER BY c.period_start DESC, c.scheme_id, c.payer",
        ctx.tenant_id,
        date(year, 1, 1),
        date(year + 1, 1, 1),
        scheme_id,
    )
    return [
        Collection(
            scheme_id=row["scheme_id"],
            period=row["period"],
            period_start=row["period_start"],
            payer=row["payer"],
            calls=row["calls"],
            due=int(row["due"]),
            collected=int(row["collected"]),
        )
        for row in rows
    ]


async def calls_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[CallRow]:
    """The context's calls among ``ids``."""
    if not ids:
        return []
    rows = await tx.fetch(
        f"SELECT c.*, {SETTLED} AS settled FROM contribution_calls c"
        " WHERE c.tenant_id = $1 AND c.id = ANY ($2::uuid[])",
        ctx.tenant_id,
        ids,
    )
    return call_rows(rows)


def of_payer(payer: PayerKey) -> Combinable:
    """The condition on payments of ``payer``."""
    column = Payment.employer_id if payer.payer is Payer.EMPLOYER else Payment.member_id
    return (Payment.payer == payer.payer.value) & (column == payer.party_id)


async def list_payments(
    tx: Transaction,
    ctx: TenantContext,
    payer: PayerKey | None,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Payment]:
    """Up to ``limit`` payments and reversals of the context's tenant (of one
    payer when given), the latest received first, after ``after``."""
    scope = within(ctx, Payment)
    query = scope.objects()
    if payer is not None:
        query = query.where(of_payer(payer))
    if after is not None:
        query = query.where(
            (Payment.received_at < after[0]) | ((Payment.received_at == after[0]) & (Payment.id < after[1]))
        )
    return list(await query.order_by(Payment.received_at, Payment.id, ascending=False).limit(limit))


async def payments_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[Payment]:
    """The context's payments among ``ids``."""
    return await within(ctx, Payment).among(Payment.id, ids)


async def reversed_ids(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> dict[UUID, UUID]:
    """Of the payments ``ids``, those reversed: the reversal's id by the payment's."""
    rows = await within(ctx, Payment).among(Payment.reverses_id, ids)
    return {row.reverses_id: row.id for row in rows if row.reverses_id is not None}


@dataclass(frozen=True)
class Statement:
    """A member's account: what was called, what was paid, what is left
    and what is in credit. ``balance`` is what the member owes (negative: in credit)."""

    due: int
    paid: int
    outstanding: int
    credit: int

    @property
    def balance(self) -> int:
        return self.due - self.paid


async def payer_statement(tx: Transaction, ctx: TenantContext, payer: PayerKey) -> Statement:
    """The payer's own account: its calls that count, its payments (a
    member's account does not hold the State's share for them)."""
    calls, arguments = payer.where("c", 2)
    paid, _ = payer.where("p", 2)
    row = await tx.fetchrow(
        "SELECT"
        f" (SELECT coalesce(sum(c.amount), 0) FROM contribution_calls c"
        f"  WHERE c.tenant_id = $1 AND {calls} AND {LIVE}) AS due,"
        f" (SELECT coalesce(sum(c.amount - {SETTLED}), 0) FROM contribution_calls c"
        f"  WHERE c.tenant_id = $1 AND {calls} AND {LIVE}) AS outstanding,"
        f" (SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE p.tenant_id = $1 AND {paid}) AS paid,"
        f" (SELECT coalesce(sum({CREDIT_OF}), 0) FROM payments p"
        f"  WHERE p.tenant_id = $1 AND {paid} AND {STANDING}) AS credit",
        ctx.tenant_id,
        *arguments,
    )
    return Statement(
        due=int(row["due"]), paid=int(row["paid"]), outstanding=int(row["outstanding"]), credit=int(row["credit"])
    )


UNPAID = (
    "SELECT c.member_id, c.period, c.due_on, NULL::uuid AS employer_id FROM contribution_calls c"
    " WHERE c.tenant_id = $1 AND c.payer = 'member' AND c.member_id = ANY ($2::uuid[])"
    f" AND c.amount > {SETTLED}"
    " UNION ALL SELECT l.member_id, c.period, c.due_on, c.employer_id FROM employer_declaration_lines l"
    " JOIN contribution_calls c ON c.tenant_id = $1 AND c.declaration_id = l.declaration_id"
    " WHERE l.tenant_id = $1 AND l.member_id = ANY ($2::uuid[]) AND c.payer = 'employer'"
    f" AND {LIVE} AND c.amount > {SETTLED}"
    " ORDER BY due_on"
)
"""The open calls each member's rights depend on: their own, and their
employers' calls of the declarations in force that name them (an IPM's
employee loses their cover when their employer does not pay)."""


async def unpaid_of(tx: Transaction, ctx: TenantContext, member_ids: list[UUID]) -> dict[UUID, list[Unpaid]]:
    """The open calls each member's rights depend on, oldest due first, in one statement."""
    found: dict[UUID, list[Unpaid]] = {member_id: [] for member_id in member_ids}
    if member_ids:
        for row in await tx.fetch(UNPAID, ctx.tenant_id, member_ids):
            found[row["member_id"]].append(Unpaid(row["period"], row["due_on"], row["employer_id"]))
    return found


async def member_standing(tx: Transaction, ctx: TenantContext, member: Member, today: date) -> Standing:
    """The member's rights as their payments leave them on ``today``, under
    the rights rule of their scheme's version in force that day."""
    version = await rules.version_in_force(tx, ctx, member.scheme_id, today)
    return standing(rights_rule(version), (await unpaid_of(tx, ctx, [member.id]))[member.id], today)


def rights_rule(version: RuleVersion | None) -> RightsRule:
    """The rights rule of a version, or the default one before a scheme's first version."""
    return version.document.rights if version is not None else RightsRule()
