"""Reads of employers' declarations: a tenant's list (latest period first),
by id, which replaced which, their lines and the calls made from them, each
in one statement for many declarations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from schemes.contributions.ledger import SETTLED
from schemes.contributions.reads import CallRow, call_rows
from schemes.contributions.tables import DeclarationLine, EmployerDeclaration
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction


@dataclass(frozen=True)
class DeclarationFilter:
    """Which declarations: each condition given narrows the list."""

    employer_id: UUID | None = None
    scheme_id: UUID | None = None
    period: str | None = None
    in_force_only: bool = False

    def where(self) -> tuple[str, list[object]]:
        """The condition on declarations ``d`` and its arguments, numbered from ``$2``."""
        conditions, arguments = ["d.tenant_id = $1"], list[object]()
        for column, value in (
            ("employer_id", self.employer_id),
            ("scheme_id", self.scheme_id),
            ("period", self.period),
        ):
            if value is not None:
                arguments.append(value)
                conditions.append(f"d.{column} = ${len(arguments) + 1}")
        if self.in_force_only:
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM employer_declarations r WHERE r.tenant_id = $1 AND r.replaces_id = d.id)"
            )
        return " AND ".join(conditions), arguments


def declaration_key(row: EmployerDeclaration) -> tuple[date, int, UUID]:
    """A declaration's place in :func:`list_declarations`' order, as its cursor holds it."""
    return row.period_start, row.version, row.id


async def list_declarations(
    tx: Transaction,
    ctx: TenantContext,
    where: DeclarationFilter,
    *,
    after: tuple[date, int, UUID] | None,
    limit: int,
) -> list[EmployerDeclaration]:
    """Up to ``limit`` declarations matching ``where``, the latest period
    first and of a period the latest version first, after ``after``."""
    condition, arguments = where.where()
    if after is not None:
        n = len(arguments) + 2
        condition += f" AND (d.period_start, d.version, d.id) < (${n}, ${n + 1}, ${n + 2})"
        arguments += list(after)
    rows = await tx.fetch(
        f"SELECT d.* FROM employer_declarations d WHERE {condition}"
        f" ORDER BY d.period_start DESC, d.version DESC, d.id DESC LIMIT {int(limit)}",
        ctx.tenant_id,
        *arguments,
    )
    return [EmployerDeclaration(**dict(row)) for row in rows]


async def count_declarations(tx: Transaction, ctx: TenantContext, where: DeclarationFilter) -> int:
    """How many declarations match ``where``."""
    condition, arguments = where.where()
    counted: int = await tx.fetchval(
        f"SELECT count(*) FROM employer_declarations d WHERE {condition}", ctx.tenant_id, *arguments
    )
    return counted


async def declarations_by_id(ctx: TenantContext, ids: list[UUID]) -> list[EmployerDeclaration]:
    """The context's declarations among ``ids``."""
    return await within(ctx, EmployerDeclaration).among(EmployerDeclaration.id, ids)


async def replacements(ctx: TenantContext, ids: list[UUID]) -> dict[UUID, UUID]:
    """Of the declarations ``ids``, those corrected: the correction's id by the replaced one's."""
    rows = await within(ctx, EmployerDeclaration).among(EmployerDeclaration.replaces_id, ids)
    return {row.replaces_id: row.id for row in rows if row.replaces_id is not None}


async def calls_of(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> dict[UUID, CallRow]:
    """The call made from each of the declarations ``ids`` (none for a declaration of no amount)."""
    if not ids:
        return {}
    rows = await tx.fetch(
        f"SELECT c.*, {SETTLED} AS settled FROM contribution_calls c"
        " WHERE c.tenant_id = $1 AND c.declaration_id = ANY ($2::uuid[])",
        ctx.tenant_id,
        ids,
    )
    return {row.call.declaration_id: row for row in call_rows(rows)}


async def lines_after(
    tx: Transaction, ctx: TenantContext, pages: list[tuple[UUID, int, int]]
) -> dict[tuple[UUID, int, int], list[DeclarationLine]]:
    """For each (declaration, after, limit) of ``pages``, the declaration's
    ``limit`` lines after the line numbered ``after``, in one statement: a
    declaration's lines are numbered 1..n, so they are the lines numbered
    ``after + 1`` to ``after + limit``."""
    if not pages:
        return {}
    rows = await tx.fetch(
        "SELECT l.*, k.after, k.size FROM employer_declaration_lines l"
        " JOIN unnest($2::uuid[], $3::int[], $4::int[]) AS k(declaration_id, after, size)"
        " ON l.declaration_id = k.declaration_id AND l.line > k.after AND l.line <= k.after + k.size"
        " WHERE l.tenant_id = $1 ORDER BY l.declaration_id, l.line",
        ctx.tenant_id,
        [key[0] for key in pages],
        [key[1] for key in pages],
        [key[2] for key in pages],
    )
    found: dict[tuple[UUID, int, int], list[DeclarationLine]] = {key: [] for key in pages}
    for row in rows:
        values = dict(row)
        key = (values["declaration_id"], values.pop("after"), values.pop("size"))
        found[key].append(DeclarationLine(**values))
    return found
