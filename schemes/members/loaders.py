"""Batch reads of members and households for DataLoaders: one statement per
batch, values in key order. They read what the viewer's tenant context may
read (its own tenant, a ministry's supervised tenants); the fields that use
them hang off a member the caller was allowed to reach."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from schemes.members import access, service
from schemes.members.tables import Beneficiary, Employment, IdentityDocument, Member, MemberStatusChange
from schemes.rules import service as rules_service
from schemes.rules.service import RuleVersion
from schemes.rules.tables import Scheme
from tenants.context import TenantContext, Viewer
from tenants.tx import Transaction, tenant_tx

RowT = TypeVar("RowT")


async def _grouped(
    viewer: Viewer,
    member_ids: Sequence[UUID],
    read: Callable[[Transaction, TenantContext, Sequence[UUID]], Any],
) -> list[list[Any]]:
    context = viewer.tenant
    if context is None:
        return [[] for _ in member_ids]
    async with tenant_tx(context) as tx:
        rows = await read(tx, context, list(member_ids))
    by_member: dict[UUID, list[Any]] = defaultdict(list)
    for row in rows:
        by_member[row.member_id].append(row)
    return [by_member.get(member_id, []) for member_id in member_ids]


async def members_by_id(viewer: Viewer, member_ids: Sequence[UUID]) -> list[Member | None]:
    """Members by id; None for those the viewer may not read."""
    context = viewer.tenant
    if context is None:
        return [None] * len(member_ids)
    async with tenant_tx(context) as tx:
        rows = await service.members_by_id(tx, context, member_ids)
    by_id = {row.id: row for row in rows}
    return [by_id.get(member_id) for member_id in member_ids]


async def online_access(viewer: Viewer, member_ids: Sequence[UUID]) -> list[bool]:
    """Whether each member's access online is open."""
    context = viewer.tenant
    if context is None:
        return [False] * len(member_ids)
    async with tenant_tx(context) as tx:
        opened = await access.with_access(tx, member_ids)
    return [member_id in opened for member_id in member_ids]


async def beneficiaries_by_member(viewer: Viewer, member_ids: Sequence[UUID]) -> list[list[Beneficiary]]:
    """Each member's beneficiaries, current and removed, in the order they joined."""
    return await _grouped(viewer, member_ids, service.beneficiaries_of)


async def documents_by_member(viewer: Viewer, member_ids: Sequence[UUID]) -> list[list[IdentityDocument]]:
    """Each member's identity documents and their beneficiaries'."""
    return await _grouped(viewer, member_ids, service.documents_of)


async def employments_by_member(viewer: Viewer, member_ids: Sequence[UUID]) -> list[list[Employment]]:
    """Each member's employments."""
    return await _grouped(viewer, member_ids, service.employments_of)


async def status_history_by_member(viewer: Viewer, member_ids: Sequence[UUID]) -> list[list[MemberStatusChange]]:
    """Each member's status changes, oldest first."""
    return await _grouped(viewer, member_ids, service.status_history_of)


async def schemes_by_id(viewer: Viewer, scheme_ids: Sequence[UUID]) -> list[Scheme | None]:
    """Schemes by id; None for those the viewer may not read."""
    context = viewer.tenant
    if context is None:
        return [None] * len(scheme_ids)
    async with tenant_tx(context) as tx:
        rows = await rules_service.schemes_by_id(tx, context, list(scheme_ids))
    by_id = {row.id: row for row in rows}
    return [by_id.get(scheme_id) for scheme_id in scheme_ids]


async def versions_in_force(viewer: Viewer, keys: Sequence[tuple[UUID, date]]) -> list[RuleVersion | None]:
    """The rule version in force of each (scheme, date): one statement per distinct date."""
    context = viewer.tenant
    if context is None:
        return [None] * len(keys)
    found: dict[tuple[UUID, date], RuleVersion] = {}
    async with tenant_tx(context) as tx:
        for on in sorted({on for _, on in keys}):
            versions = await rules_service.versions_in_force(tx, context, [s for s, d in keys if d == on], on)
            found.update({(scheme_id, on): version for scheme_id, version in versions.items()})
    return [found.get(key) for key in keys]
