"""Batch reads of probable duplicates, for DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.duplicates import service
from schemes.duplicates.tables import DuplicatePair
from tenants.context import Viewer
from tenants.permissions import Permission
from tenants.tx import tenant_tx


async def pairs_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[DuplicatePair | None]:
    """The viewer's tenant's pairs by id; None for the others."""
    context = viewer.tenant
    if context is None or not context.allows(Permission.MEMBERS_READ):
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        rows = await service.pairs_by_id(tx, context, list(ids))
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]
