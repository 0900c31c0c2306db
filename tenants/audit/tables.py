"""The audit log's table."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, BigInt, ForeignKey, SmallInt, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tenants.ids import new_id
from tenants.registry.tables import Tenant


class AuditEvent(Table, tablename="audit_events"):
    """One entry of a tenant's audit log. Each tenant's entries form a hash
    chain: ``hash`` covers the entry and the ``previous_hash``, so changing,
    removing or inserting an entry breaks every hash after it. Entries of
    Socle itself (no tenant) form chains of their own, several of them, so
    that unrelated events (sign-in refusals from different addresses) are
    not appended one at a time."""

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    chain = SmallInt(default=0)
    """Which of its tenant's chains the entry is in: always 0 for a tenant;
    0 to ``PLATFORM_CHAINS - 1`` for Socle's own entries."""
    seq = BigInt()
    occurred_at = Timestamptz()
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    actor_name = Varchar(length=200, default="")
    action = Varchar(length=64)
    target_type = Varchar(length=64, null=True, default=None)
    target_id = Varchar(length=64, null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    source_address = Varchar(length=64, null=True, default=None)
    summary = JSONB(default="{}")
    previous_hash = Varchar(length=64)
    hash = Varchar(length=64)
