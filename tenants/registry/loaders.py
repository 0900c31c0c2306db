"""Batch reads of the tenants registry, for DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from tenants.context import Viewer
from tenants.registry import service as tenant_service
from tenants.registry.tables import Tenant
from tenants.tx import tenant_tx


async def tenants_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[Tenant | None]:
    """Tenants by id, None for those the viewer may not read (or without a tenant)."""
    if viewer.tenant is None:
        return [None] * len(ids)
    async with tenant_tx(viewer.tenant) as tx:
        return await tenant_service.tenants_by_id(tx, list(ids))
