"""Reads of subsidy statements: a tenant's own, or for a ministry those of
every tenant it supervises, each with what the State paid of it; the
State's payments of statements, each with the receipt the tenant gave it,
in one statement for many statements; and a statement's nominative list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from schemes.contributions.tables import SubsidyPayment, SubsidyStatement
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.tx import Transaction


class StatementStatus(StrEnum):
    """How far the State has paid a statement."""

    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"


_PAID = "coalesce(paid.amount, 0)"
_STATUS = {
    StatementStatus.UNPAID: f"{_PAID} = 0",
    StatementStatus.PARTLY_PAID: f"{_PAID} > 0 AND {_PAID} < s.amount",
    StatementStatus.PAID: f"{_PAID} >= s.amount",
}


@dataclass(frozen=True)
class StatementFilter:
    """Which statements: each condition given narrows the list."""

    tenant_id: UUID | None = None
    scheme_id: UUID | None = None
    period: str | None = None
    status: StatementStatus | None = None
    ids: Sequence[UUID] | None = None

    def where(self, ctx: TenantContext) -> tuple[str, list[object]]:
        """The condition on statements ``s`` and its arguments, numbered from ``$1``."""
        arguments: list[object] = [[ctx.tenant_id, *sorted(ctx.supervised_tenant_ids)]]
        conditions = ["s.tenant_id = ANY ($1::uuid[])"]
        for column, value in (("tenant_id", self.tenant_id), ("scheme_id", self.scheme_id), ("period", self.period)):
            if value is not None:
                arguments.append(value)
                conditions.append(f"s.{column} = ${len(arguments)}")
        if self.ids is not None:
            arguments.append(list(self.ids))
            conditions.append(f"s.id = ANY (${len(arguments)}::uuid[])")
        if self.status is not None:
            conditions.append(_STATUS[self.status])
        return " AND ".join(conditions), arguments


@dataclass(frozen=True)
class StatementRow:
    """A statement, its scheme's name and what the State paid of it."""

    statement: SubsidyStatement
    scheme_name: str
    paid: int

    @property
    def id(self) -> UUID:
        """The statement's id."""
        return self.statement.id

    @property
    def outstanding(self) -> int:
        """What the State has left to pay."""
        return self.statement.amount - self.paid

    @property
    def status(self) -> StatementStatus:
        """How far the State has paid it."""
        if self.paid == 0:
            return StatementStatus.UNPAID
        return StatementStatus.PAID if self.paid >= self.statement.amount else StatementStatus.PARTLY_PAID


_FROM = (
    " FROM subsidy_statements s JOIN schemes sc ON sc.tenant_id = s.tenant_id AND sc.id = s.scheme_id"
    " LEFT JOIN LATERAL (SELECT sum(p.amount) AS amount FROM subsidy_payments p"
    " WHERE p.statement_tenant_id = s.tenant_id AND p.statement_id = s.id) paid ON true"
)
"""Statements ``s``, their schemes ``sc`` and the State's payments of them
``paid``: rows of the tenants ``s.tenant_id = ANY ($1)`` names, which
row-level security bounds too (the ministry's payments of a tenant's
statements are in the ministry's tenant, so the statement names no
``tenant_id`` of theirs)."""


def statement_key(row: StatementRow) -> tuple[date, UUID]:
    """A statement's place in :func:`list_statements`' order, as its cursor holds it."""
    return row.statement.period_start, row.statement.id


async def list_statements(
    tx: Transaction,
    ctx: TenantContext,
    where: StatementFilter,
    *,
    after: tuple[date, UUID] | None,
    limit: int,
) -> list[StatementRow]:
    """Up to ``limit`` statements matching ``where``, the latest period first, after ``after``."""
    condition, arguments = where.where(ctx)
    if after is not None:
        n = len(arguments) + 1
        condition += f" AND (s.period_start, s.id) < (${n}, ${n + 1})"
        arguments += list(after)
    rows = await tx.fetch(
        f"SELECT s.*, sc.name AS scheme_name, {_PAID} AS paid_amount{_FROM} WHERE {condition}"
        f" ORDER BY s.period_start DESC, s.id DESC LIMIT {int(limit)}",
        *arguments,
        across_tenants=True,
    )
    found = []
    for row in rows:
        values = dict(row)
        scheme_name, paid = values.pop("scheme_name"), values.pop("paid_amount")
        found.append(StatementRow(SubsidyStatement(**values), scheme_name, int(paid)))
    return found


async def count_statements(tx: Transaction, ctx: TenantContext, where: StatementFilter) -> int:
    """How many statements match ``where``."""
    condition, arguments = where.where(ctx)
    counted: int = await tx.fetchval(f"SELECT count(*){_FROM} WHERE {condition}", *arguments, across_tenants=True)
    return counted


@dataclass(frozen=True)
class PaymentRow:
    """A payment of the State's, and the tenant's receipt of it once its ledger has it."""

    payment: SubsidyPayment
    receipt_number: str | None


async def payments_of(
    tx: Transaction, ctx: TenantContext, statement_ids: Sequence[UUID]
) -> dict[UUID, list[PaymentRow]]:
    """The State's payments of each statement ``ctx`` may read, oldest first."""
    if not statement_ids:
        return {}
    rows = await tx.fetch(
        "SELECT p.*, r.receipt_number FROM subsidy_payments p"
        " LEFT JOIN payments r ON r.tenant_id = p.statement_tenant_id AND r.subsidy_payment_id = p.id"
        " WHERE p.statement_tenant_id = ANY ($1::uuid[]) AND p.statement_id = ANY ($2::uuid[])"
        " ORDER BY p.created_at, p.id",
        [ctx.tenant_id, *sorted(ctx.supervised_tenant_ids)],
        list(statement_ids),
        across_tenants=True,
    )
    found: dict[UUID, list[PaymentRow]] = {}
    for row in rows:
        values = dict(row)
        receipt = values.pop("receipt_number")
        payment = SubsidyPayment(**values)
        found.setdefault(payment.statement_id, []).append(PaymentRow(payment, receipt))
    return found


OVERSIGHT_READ = "oversight.subsidy_statement_read"


@dataclass(frozen=True)
class StatementLine:
    """A call of the State's a statement covers, and the member it is for."""

    id: UUID
    member_number: str
    last_name: str
    first_names: str
    category: str
    subsidy_group: str | None
    kind: str
    persons: int
    amount: int


async def lines_of(
    tx: Transaction,
    ctx: TenantContext,
    statement: SubsidyStatement,
    *,
    after: tuple[str, UUID] | None,
    limit: int,
) -> list[StatementLine]:
    """Up to ``limit`` of the statement's calls by member number, after
    ``after``: the nominative list a ministry checks the statement against.
    A ministry's read of it is recorded in its log."""
    arguments: list[object] = [statement.tenant_id, statement.id]
    condition = ""
    if after is not None:
        condition = " AND (m.number, l.id) > ($3, $4)"
        arguments += list(after)
    rows = await tx.fetch(
        "SELECT l.id, m.number AS member_number, m.last_name, m.first_names, m.category, m.subsidy_group,"
        " c.kind, c.persons, c.amount FROM subsidy_statement_calls l"
        " JOIN contribution_calls c ON c.tenant_id = $1 AND c.id = l.call_id"
        " JOIN members m ON m.tenant_id = $1 AND m.id = c.member_id"
        f" WHERE l.tenant_id = $1 AND l.statement_id = $2{condition} ORDER BY m.number, l.id LIMIT {int(limit)}",
        *arguments,
    )
    await audit.record_oversight_read(tx, ctx, statement.tenant_id, OVERSIGHT_READ)
    return [StatementLine(**dict(row)) for row in rows]


async def count_lines(tx: Transaction, statement: SubsidyStatement) -> int:
    """How many calls the statement covers."""
    counted: int = await tx.fetchval(
        "SELECT count(*) FROM subsidy_statement_calls l WHERE l.tenant_id = $1 AND l.statement_id = $2",
        statement.tenant_id,
        statement.id,
    )
    return counted
