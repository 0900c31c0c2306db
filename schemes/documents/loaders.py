"""Batch reads of documents, for DataLoaders (a member's documents, a document by id)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.documents import service
from schemes.documents.tables import Document
from tenants.context import Viewer
from tenants.permissions import Permission
from tenants.tx import tenant_tx


async def documents_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[Document | None]:
    """Documents by id, None for those the viewer may not read."""
    context = viewer.tenant
    if context is None or not context.allows(Permission.MEMBERS_READ):
        return [None] * len(ids)
    async with tenant_tx(context) as tx:
        rows = await service.documents_by_id(tx, context, list(ids))
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]


async def documents_of_members(viewer: Viewer, member_ids: Sequence[UUID]) -> list[list[Document]]:
    """Each member's documents (none for a viewer without ``members:read``)."""
    context = viewer.tenant
    if context is None or not context.allows(Permission.MEMBERS_READ):
        return [[] for _ in member_ids]
    async with tenant_tx(context) as tx:
        return await service.documents_of_members(tx, context, list(member_ids))
