"""GraphQL queries of the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from tenants import audit
from tenants.api import Tenant
from tenants.context import TenantContext
from tenants.graphql import Info, decode_id, requires, tenant_of
from tenants.loaders import tenants_by_id
from tenants.pagination import InvalidCursor, PageInfo, decode_cursor, encode_cursor, page_size
from tenants.permissions import Permission
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

    @strawberry.field(description="The tenant whose log holds the entry.")
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


@strawberry.type
class AuditEventEdge:
    cursor: str
    node: AuditEvent


@strawberry.type(description="A page of audit events, newest first.")
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo
    _tenant_ids: strawberry.Private[list[UUID]]
    _filter: strawberry.Private[audit.EventFilter]
    _context: strawberry.Private[TenantContext]

    @strawberry.field(description="How many events match the filter (one more query; ask only when shown).")
    async def total_count(self) -> int:
        async with tenant_tx(self._context) as tx:
            return await audit.count_events(tx, self._tenant_ids, self._filter)

    @classmethod
    def page(
        cls,
        rows: list[Any],
        limit: int,
        cursor: Callable[[Any], str],
        context: TenantContext,
        tenant_ids: list[UUID],
        event_filter: audit.EventFilter,
    ) -> AuditEventConnection:
        """A page of at most ``limit`` of ``rows`` (one more tells whether a next page exists)."""
        edges = [AuditEventEdge(cursor=cursor(row), node=AuditEvent.from_row(row)) for row in rows[:limit]]
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None),
            _tenant_ids=tenant_ids,
            _filter=event_filter,
            _context=context,
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


@strawberry.type
class Query:
    @strawberry.field(
        description="The audit log of the caller's tenant, or of a tenant it supervises. Requires `audit:read`; "
        "`first` is at most 100.",
        extensions=[requires(Permission.AUDIT_READ)],
    )
    async def audit_events(
        self,
        info: Info,
        tenant: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
        filter: AuditEventFilter | None = None,  # noqa: A002
    ) -> AuditEventConnection:
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
        return AuditEventConnection.page(
            rows, limit, lambda row: encode_cursor(row["seq"]), context, tenant_ids, event_filter
        )

    @strawberry.field(
        description="The audit events of every tenant the caller supervises (a ministry: the mutuals and IPMs "
        "of its country), newest first; each names its tenant. The read is recorded in the caller's own log. "
        "Requires `oversight:read`; `first` is at most 100.",
        extensions=[requires(Permission.OVERSIGHT_READ)],
    )
    async def supervised_audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditEventFilter | None = None,  # noqa: A002
    ) -> AuditEventConnection:
        context = tenant_of(info)
        limit = page_size(first)
        before = None
        if after:
            occurred_at, event_id = decode_cursor(after, str, str)
            try:
                before = (datetime.fromisoformat(occurred_at), UUID(event_id))
            except ValueError:
                raise InvalidCursor(path=("after",)) from None
        event_filter = AuditEventFilter.to_filter(filter)
        async with tenant_tx(context) as tx:
            rows = await audit.read_supervised_events(tx, context, event_filter, before=before, limit=limit + 1)
        return AuditEventConnection.page(
            rows,
            limit,
            lambda row: encode_cursor(row["occurred_at"].isoformat(), str(row["id"])),
            context,
            sorted(context.supervised_tenant_ids),
            event_filter,
        )

    @strawberry.field(
        description="Recompute the hash chain of the caller's tenant, or of a tenant it supervises; "
        "null when that tenant is not visible. Requires `audit:read`.",
        extensions=[requires(Permission.AUDIT_READ)],
    )
    async def audit_chain(self, info: Info, tenant: relay.GlobalID | None = None) -> AuditChainReport | None:
        context = tenant_of(info)
        tenant_id = _readable_tenant(context, tenant)
        if tenant_id is None:
            return None
        async with tenant_tx(context) as tx:
            report = await audit.verify_chain(tx, tenant_id)
        return AuditChainReport(intact=report.intact, checked=report.checked, broken_at_seq=report.broken_at_seq)
