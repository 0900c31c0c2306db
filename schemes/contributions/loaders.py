"""Batch reads of contributions, for DataLoaders: calls and payments by id,
what each payment settled, the reversal of each payment, the receipt of
each payment; employers' declarations, their corrections and calls; the
State's payments of subsidy statements.

Staff with ``contributions:read`` read every payer's; a member signed in
with their access online (``self:service``) reads only their own: their
payments, and the calls they owe. Declarations, which hold every
employee's salary, are read by staff only. Anyone else reads nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from schemes.contributions import declaration_reads, ledger, reads, receipts, subsidy_reads
from schemes.contributions.reads import CallRow
from schemes.contributions.tables import DeclarationLine, EmployerDeclaration, Payment
from schemes.members import access
from schemes.rules.model import Payer
from tenants.context import TenantContext, Viewer
from tenants.permissions import Permission
from tenants.tx import Transaction, tenant_tx


@dataclass(frozen=True)
class Reader:
    """Whose contributions the viewer reads: everyone's, or one member's."""

    context: TenantContext
    own_member: UUID | None
    """None: every payer's."""

    def may_read_member(self, member_id: UUID | None) -> bool:
        """Whether the viewer reads what is ``member_id``'s (a payment, a checkout)."""
        return self.own_member is None or member_id == self.own_member

    def may_read_payment(self, payment: Payment) -> bool:
        return self.may_read_member(payment.member_id)

    def may_read_call(self, row: CallRow) -> bool:
        call = row.call
        return self.own_member is None or (call.member_id == self.own_member and call.payer == Payer.MEMBER.value)


async def _reader(tx: Transaction, viewer: Viewer) -> Reader | None:
    context = viewer.tenant
    if context is None:
        return None
    if context.allows(Permission.CONTRIBUTIONS_READ):
        return Reader(context, None)
    if context.allows(Permission.SELF_SERVICE) and context.principal.id is not None:
        member = await access.member_of_user(tx, context, context.principal.id)
        return Reader(context, member.id) if member is not None else None
    return None


async def _own_payments(tx: Transaction, reader: Reader, ids: Sequence[UUID]) -> list[UUID]:
    """Those of ``ids`` that are payments the reader may read."""
    if reader.own_member is None:
        return list(ids)
    return [row.id for row in await reads.payments_by_id(tx, reader.context, list(ids)) if reader.may_read_payment(row)]


T = TypeVar("T")
K = TypeVar("K")


async def read_batch(
    viewer: Viewer,
    ids: Sequence[UUID],
    nothing: Callable[[], T],
    read: Callable[[Transaction, Reader, list[UUID]], Awaitable[dict[UUID, T]]],
) -> list[T]:
    """One batch of contributions' reads (of this domain and of the online
    payments'): what ``read`` finds for each of ``ids`` the viewer may
    read, ``nothing()`` for the others, in one transaction."""
    if viewer.tenant is None:
        return [nothing() for _ in ids]
    async with tenant_tx(viewer.tenant) as tx:
        reader = await _reader(tx, viewer)
        found = await read(tx, reader, list(ids)) if reader is not None else {}
    return [found[i] if i in found else nothing() for i in ids]


async def calls_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[CallRow | None]:
    """Calls by id, None for those the viewer may not read."""

    async def read(tx: Transaction, reader: Reader, wanted: list[UUID]) -> dict[UUID, CallRow | None]:
        rows = await reads.calls_by_id(tx, reader.context, wanted)
        return {row.call.id: row for row in rows if reader.may_read_call(row)}

    return await read_batch(viewer, ids, lambda: None, read)


async def payments_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[Payment | None]:
    """Payments by id, None for those the viewer may not read."""

    async def read(tx: Transaction, reader: Reader, wanted: list[UUID]) -> dict[UUID, Payment | None]:
        rows = await reads.payments_by_id(tx, reader.context, wanted)
        return {row.id: row for row in rows if reader.may_read_payment(row)}

    return await read_batch(viewer, ids, lambda: None, read)


async def allocations_by_payment(viewer: Viewer, ids: Sequence[UUID]) -> list[list[tuple[UUID, int]]]:
    """What each payment settled: (call id, amount) pairs."""

    async def read(tx: Transaction, reader: Reader, wanted: list[UUID]) -> dict[UUID, list[tuple[UUID, int]]]:
        found = await ledger.allocations_of(tx, reader.context, await _own_payments(tx, reader, wanted))
        return {i: [(allocation.call_id, allocation.amount) for allocation in rows] for i, rows in found.items()}

    return await read_batch(viewer, ids, list, read)


async def reversals_by_payment(viewer: Viewer, ids: Sequence[UUID]) -> list[UUID | None]:
    """The id of each payment's reversal, None for a payment standing."""

    async def read(tx: Transaction, reader: Reader, wanted: list[UUID]) -> dict[UUID, UUID | None]:
        return dict(await reads.reversed_ids(tx, reader.context, await _own_payments(tx, reader, wanted)))

    return await read_batch(viewer, ids, lambda: None, read)


async def receipt_keys_by_payment(viewer: Viewer, ids: Sequence[UUID]) -> list[str | None]:
    """Where each payment's PDF receipt is kept, None until it is filed."""

    async def read(tx: Transaction, reader: Reader, wanted: list[UUID]) -> dict[UUID, str | None]:
        return dict(await receipts.receipt_keys(tx, reader.context, await _own_payments(tx, reader, wanted)))

    return await read_batch(viewer, ids, lambda: None, read)


async def _staff_batch(
    viewer: Viewer,
    ids: Sequence[K],
    nothing: Callable[[], T],
    read: Callable[[Transaction, TenantContext, list[K]], Awaitable[dict[K, T]]],
    permission: Permission = Permission.CONTRIBUTIONS_READ,
) -> list[T]:
    """One batch of reads only staff with ``permission`` make (an employer's
    declarations hold every employee's salary): ``nothing()`` for anyone else."""
    context = viewer.tenant
    if context is None or not context.allows(permission):
        return [nothing() for _ in ids]
    async with tenant_tx(context) as tx:
        found = await read(tx, context, list(ids))
    return [found[i] if i in found else nothing() for i in ids]


async def declarations_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[EmployerDeclaration | None]:
    """Employers' declarations by id, None for those the viewer may not read."""

    async def read(
        tx: Transaction, context: TenantContext, wanted: list[UUID]
    ) -> dict[UUID, EmployerDeclaration | None]:
        return {row.id: row for row in await declaration_reads.declarations_by_id(context, wanted)}

    return await _staff_batch(viewer, ids, lambda: None, read)


async def replacements_by_declaration(viewer: Viewer, ids: Sequence[UUID]) -> list[UUID | None]:
    """The id of each declaration's correction, None for a declaration in force."""

    async def read(tx: Transaction, context: TenantContext, wanted: list[UUID]) -> dict[UUID, UUID | None]:
        return dict(await declaration_reads.replacements(context, wanted))

    return await _staff_batch(viewer, ids, lambda: None, read)


async def calls_by_declaration(viewer: Viewer, ids: Sequence[UUID]) -> list[CallRow | None]:
    """The call made from each declaration, None for a declaration of no amount."""

    async def read(tx: Transaction, context: TenantContext, wanted: list[UUID]) -> dict[UUID, CallRow | None]:
        return dict(await declaration_reads.calls_of(tx, context, wanted))

    return await _staff_batch(viewer, ids, lambda: None, read)


async def lines_by_page(viewer: Viewer, pages: Sequence[tuple[UUID, int, int]]) -> list[list[DeclarationLine]]:
    """Pages of declarations' lines: for each (declaration, after, limit), its ``limit`` lines after line ``after``."""

    async def read(
        tx: Transaction, context: TenantContext, wanted: list[tuple[UUID, int, int]]
    ) -> dict[tuple[UUID, int, int], list[DeclarationLine]]:
        return await declaration_reads.lines_after(tx, context, wanted)

    return await _staff_batch(viewer, pages, list, read)


async def subsidy_payments_by_statement(viewer: Viewer, ids: Sequence[UUID]) -> list[list[subsidy_reads.PaymentRow]]:
    """The State's payments of each subsidy statement, oldest first (``subsidies:read``)."""

    async def read(
        tx: Transaction, context: TenantContext, wanted: list[UUID]
    ) -> dict[UUID, list[subsidy_reads.PaymentRow]]:
        return await subsidy_reads.payments_of(tx, context, wanted)

    return await _staff_batch(viewer, ids, list, read, Permission.SUBSIDIES_READ)
