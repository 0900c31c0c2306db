"""GraphQL queries of the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.graphql import Info, decode_id, field, tenant_of
from tenants.pagination import Connection, decode_cursor, encode_cursor, page, page_size
from tenants.permissions import Permission
from tenants.registry.api import Tenant
from tenants.registry.loaders import tenants_by_id
from tenants.tx import tenant_tx


@strawberry.type(description="One entry of a tenant's audit log.")
class AuditEvent:
    seq: int = strawberry.field(description="Position in the tenant's hash chain, from 1.")
    occurred_at: datetime
    actor_kind: str = strawberry.field(description="user, client, system or anonymous.")
    actor_id: UUID | None
    actor_name: str
    action: str = strawberry.field(description="What happened, as `domain.verb` (e.g. `session.create`).")
    target_type: str | None
    target_id: str | None
    request_id: str | None
    source_address: str | None
    summary: JSON = strawberry.field(description="What changed; never a secret or a password.")
    hash: str = strawberry.field(description="SHA-256 of the previous entry's hash and this entry.")
    _tenant_id: strawberry.Private[UUID]

    @field("The tenant whose log holds the entry.")
    async def tenant(self, info: Info) -> Tenant | None:
        row = await info.context.loaders.get(tenants_by_id).load(self._tenant_id)
        return Tenant.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        """The GraphQL view of an audit row."""
        return cls(
            _tenant_id=row["tenant_id"],
            seq=row["seq"],
            occurred_at=row["occurred_at"],
            actor_kind=row["actor_kind"],
            actor_id=row["actor_id"],
            actor_name=row["actor_name"],
            action=row["action"],
            target_type=row["target_type"],
            target_id=row["target_id"],
            request_id=row["request_id"],
            source_address=row["source_address"],
            summary=json.loads(row["summary"]),
            hash=row["hash"],
        )


@strawberry.input(description="Narrows the audit events listed; every field is optional.")
class AuditEventFilter:
    action: str | None = None
    actor_id: UUID | None = None
    target_type: str | None = None
    target_id: str | None = None
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None

    @staticmethod
    def to_filter(given: AuditEventFilter | None) -> audit.EventFilter:
        """The service's filter for the one given (none: every event)."""
        return audit.EventFilter(**vars(given)) if given else audit.EventFilter()


@strawberry.type(description="Whether a tenant's audit chain is intact.")
class AuditChainReport:
    intact: bool
    checked: int = strawberry.field(description="Entries whose hashes were recomputed.")
    broken_at_seq: int | None = strawberry.field(description="The first entry that does not match, if any.")


def _readable_tenant(context: TenantContext, tenant: relay.GlobalID | None) -> UUID | None:
    """The tenant asked for (default: the caller's own), or None if the caller
    may not read it or the id is not a tenant's ("not found", never "forbidden")."""
    if tenant is None:
        return context.tenant_id
    tenant_id = decode_id(tenant, "Tenant")
    return tenant_id if tenant_id is not None and context.can_read(tenant_id) else None


def _counter(context: TenantContext, tenant_ids: list[UUID], event_filter: audit.EventFilter) -> Any:
    async def count() -> int:
        async with tenant_tx(context) as tx:
            return await audit.count_events(tx, tenant_ids, event_filter)

    return count


@strawberry.type
class Query:
    @field(
        "The audit log of the caller's tenant, or of a tenant it supervises, newest first. Requires `audit:read`; "
        "`first` is at most 100.",
        permission=Permission.AUDIT_READ,
    )
    async def audit_events(
        self,
        info: Info,
        tenant: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
        filter: AuditEventFilter | None = None,  # noqa: A002
    ) -> Connection[AuditEvent]:
        context = tenant_of(info)
        limit = page_size(first)
        before_seq = decode_cursor(after, int)[0] if after else None
        event_filter = AuditEventFilter.to_filter(filter)
        tenant_id = _readable_tenant(context, tenant)
        rows: list[Any] = []
        if tenant_id is not None:
            async with tenant_tx(context) as tx:
                rows = await audit.read_events(
                    tx, context, tenant_id, event_filter, before_seq=before_seq, limit=limit + 1
                )
        tenant_ids = [tenant_id] if tenant_id is not None else []
        return page(
            rows,
            limit,
            node=AuditEvent.from_row,
            cursor=lambda row: encode_cursor(row["seq"]),
            count=_counter(context, tenant_ids, event_filter),
        )

    @field(
        "The audit events of every tenant the caller supervises (a ministry: the mutuals and IPMs of its country), "
        "newest first; each names its tenant. The read is recorded in the caller's own log. "
        "Requires `oversight:read`; `first` is at most 100.",
        permission=Permission.OVERSIGHT_READ,
    )
    async def supervised_audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditEventFilter | None = None,  # noqa: A002
    ) -> Connection[AuditEvent]:
        context = tenant_of(info)
        limit = page_size(first)
        before = decode_cursor(after, datetime, UUID) if after else None
        event_filter = AuditEventFilter.to_filter(filter)
        async with tenant_tx(context) as tx:
            rows = await audit.read_supervised_events(tx, context, event_filter, before=before, limit=limit + 1)
        return page(
            rows,
            limit,
            node=AuditEvent.from_row,
            cursor=lambda row: encode_cursor(row["occurred_at"], row["id"]),
            count=_counter(context, sorted(context.supervised_tenant_ids), event_filter),
        )

    @field(
        "Recompute the hash chain of the caller's tenant, or of a tenant it supervises; null when that tenant is "
        "not visible. Requires `audit:read`.",
        permission=Permission.AUDIT_READ,
    )
    async def audit_chain(self, info: Info, tenant: relay.GlobalID | None = None) -> AuditChainReport | None:
        context = tenant_of(info)
        tenant_id = _readable_tenant(context, tenant)
        if tenant_id is None:
            return None
        async with tenant_tx(context) as tx:
            report = await audit.verify_chain(tx, tenant_id)
        return AuditChainReport(intact=report.intact, checked=report.checked, broken_at_seq=report.broken_at_seq)
