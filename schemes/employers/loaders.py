"""Batch reads of employers, for DataLoaders (an employer per employee, per member)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.employers import service
from schemes.employers.tables import Employer
from tenants.context import Viewer
from tenants.permissions import Permission
from tenants.tx import tenant_tx


async def employers_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[Employer | None]:
    """Employers by id, None for those the viewer may not read."""
    context = viewer.tenant
    if context is None or not context.allows(Permission.MEMBERS_READ):
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        rows = await service.employers_by_id(tx, context, list(ids))
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]
