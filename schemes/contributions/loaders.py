"""Batch reads of contributions, for DataLoaders: calls and payments by id,
what each payment settled, the reversal of each payment, the receipt of
each payment."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.contributions import ledger, reads, receipts
from schemes.contributions.reads import CallRow
from schemes.contributions.tables import Payment
from tenants.context import TenantContext, Viewer
from tenants.permissions import Permission
from tenants.tx import tenant_tx


def _reader(viewer: Viewer) -> TenantContext | None:
    context = viewer.tenant
    return context if context is not None and context.allows(Permission.CONTRIBUTIONS_READ) else None


async def calls_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[CallRow | None]:
    """Calls by id, None for those the viewer may not read."""
    context = _reader(viewer)
    if context is None:
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        by_id = {row.call.id: row for row in await reads.calls_by_id(tx, context, list(ids))}
    return [by_id.get(i) for i in ids]


async def payments_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[Payment | None]:
    """Payments by id, None for those the viewer may not read."""
    context = _reader(viewer)
    if context is None:
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        by_id = {row.id: row for row in await reads.payments_by_id(tx, context, list(ids))}
    return [by_id.get(i) for i in ids]


async def allocations_by_payment(viewer: Viewer, ids: Sequence[UUID]) -> list[list[tuple[UUID, int]]]:
    """What each payment settled: (call id, amount) pairs."""
    context = _reader(viewer)
    if context is None:
        return [[] for _ in ids]
    async with tenant_tx(context) as tx:
        found = await ledger.allocations_of(tx, context, list(ids))
    return [[(allocation.call_id, allocation.amount) for allocation in found.get(i, [])] for i in ids]


async def reversals_by_payment(viewer: Viewer, ids: Sequence[UUID]) -> list[UUID | None]:
    """The id of each payment's reversal, None for a payment standing."""
    context = _reader(viewer)
    if context is None:
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        found = await reads.reversed_ids(tx, context, list(ids))
    return [found.get(i) for i in ids]


async def receipt_keys_by_payment(viewer: Viewer, ids: Sequence[UUID]) -> list[str | None]:
    """Where each payment's PDF receipt is kept, None until it is filed."""
    context = _reader(viewer)
    if context is None:
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        found = await receipts.receipt_keys(tx, context, list(ids))
    return [found.get(i) for i in ids]
