"""Batch reads of scheme rules for DataLoaders: one statement per batch."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.rules import service as scheme_service
from schemes.rules.service import RuleVersion
from tenants.context import Viewer
from tenants.tx import tenant_tx


async def versions_by_scheme(viewer: Viewer, scheme_ids: Sequence[UUID]) -> list[list[RuleVersion]]:
    """Every version of each scheme, newest effective date first, in key order."""
    context = viewer.tenant
    if context is None:
        return [[] for _ in scheme_ids]
    async with tenant_tx(context) as tx:
        found = await scheme_service.versions_by_scheme(tx, context, list(scheme_ids))
    return [found.get(scheme_id, []) for scheme_id in scheme_ids]
