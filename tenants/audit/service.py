"""The tamper-evident audit log.

Each tenant's events form a hash chain: an event's hash is the SHA-256 of
the previous event's hash and of the event's canonical JSON. Appends to one
chain are serialised by a transaction advisory lock; the application role
may insert and read events, never change or delete them.

Socle's own events (no tenant: refused sign-ins, code and reset requests)
come from everywhere at once, and under password guessing they are many: one
chain would make every such request wait for the previous one's commit.
They are spread over :data:`PLATFORM_CHAINS` chains by a key of the event
(its source address, else its target or actor), so that events of unrelated
callers never wait for each other while each chain stays verifiable alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tenants.context import PlatformContext, Principal, PrincipalKind, TenantContext
from tenants.ids import new_id
from tenants.tx import Transaction

GENESIS = "0" * 64
PLATFORM_CHAINS = 16
"""How many chains Socle's own events are spread over."""


@dataclass(frozen=True)
class Event:
    """What happened, to what, and the context it happened in."""

    action: str
    """``domain.verb``: ``session.create``, ``authorization.denied``..."""
    actor: Principal
    tenant_id: UUID | None
    target_type: str | None = None
    target_id: str | None = None
    request_id: str | None = None
    source_address: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    """What changed, never a secret or a password."""


def _canonical(seq: int, occurred_at: datetime, event: Event) -> bytes:
    return json.dumps(
        {
            "seq": seq,
            "tenant_id": str(event.tenant_id) if event.tenant_id else None,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_kind": event.actor.kind.value,
            "actor_id": str(event.actor.id) if event.actor.id else None,
            "actor_name": event.actor.name,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "request_id": event.request_id,
            "source_address": event.source_address,
            "summary": event.summary,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def chain_hash(previous_hash: str, seq: int, occurred_at: datetime, event: Event) -> str:
    """The hash of an event that follows ``previous_hash``."""
    return hashlib.sha256(previous_hash.encode() + _canonical(seq, occurred_at, event)).hexdigest()


def _of_chain(tenant_id: UUID | None) -> str:
    """The rows of chain ``$2`` of tenant ``$1`` (a platform chain when None).

    Two texts, not ``tenant_id IS NOT DISTINCT FROM $1``: PostgreSQL cannot use
    an index for that, and reading a chain's end scanned the whole table under
    the chain's lock (220 ms at 200,000 events, 1.3 ms by the unique index).
    """
    if tenant_id is None:
        return "tenant_id IS NULL AND $1::uuid IS NULL AND chain = $2"
    return "tenant_id = $1 AND chain = $2"


def chain_of(event: Event) -> int:
    """The chain ``event`` goes in: 0 for a tenant's; for Socle's own, one of
    :data:`PLATFORM_CHAINS` chosen by a stable hash of who or what it is about."""
    if event.tenant_id is not None:
        return 0
    key = event.source_address or event.target_id or str(event.actor.id or event.actor.name)
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % PLATFORM_CHAINS


async def record(tx: Transaction, event: Event) -> None:
    """Append ``event`` to its chain, in the caller's transaction."""
    await record_many(tx, [event])


async def record_many(tx: Transaction, events: Sequence[Event]) -> None:
    """Append ``events`` to their chains in order, in the caller's transaction:
    one lock and one read per chain, one insert for all (a bulk import's
    thousands of events cost a few statements, not thousands)."""
    by_chain: dict[tuple[UUID | None, int], list[Event]] = {}
    for event in events:
        by_chain.setdefault((event.tenant_id, chain_of(event)), []).append(event)
    # Lock, read each chain's end, insert: a sibling resolver's event in the
    # request's shared transaction must not come between (the lock is already
    # that transaction's, so it would not keep the sibling out).
    async with tx.exclusive():
        await _append(tx, by_chain)


def _lock_name(tenant_id: UUID | None, chain: int) -> str:
    return f"{tenant_id}" if tenant_id else f"platform:{chain}"


async def lock_chain(tx: Transaction, tenant_id: UUID) -> None:
    """Take the lock of the tenant's audit chain now, until the transaction
    ends. A service that takes another lock before writing its audit event
    (a receipt number's) takes this one first, so that every transaction
    takes the two in the same order and none waits for another crosswise."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('audit:' || $1, 0))", _lock_name(tenant_id, 0))


async def _append(tx: Transaction, by_chain: dict[tuple[UUID | None, int], list[Event]]) -> None:
    rows: list[tuple[Any, ...]] = []
    for (tenant_id, chain), chained in by_chain.items():
        name = _lock_name(tenant_id, chain)
        # The setting tells the commit-time check of audited tables that this
        # transaction's changes are accounted for (see tenants.rls.require_audit).
        await tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('audit:' || $1, 0)), set_config('app.audited', 'on', true)",
            name,
        )
        last = await tx.fetchrow(
            f"SELECT seq, hash FROM audit_events WHERE {_of_chain(tenant_id)} ORDER BY seq DESC LIMIT 1",
            tenant_id,
            chain,
        )
        seq = last["seq"] if last else 0
        previous = last["hash"] if last else GENESIS
        occurred_at = datetime.now(UTC)
        for event in chained:
            seq += 1
            hashed = chain_hash(previous, seq, occurred_at, event)
            rows.append((new_id(), chain, seq, occurred_at, event, previous, hashed))
            previous = hashed
    if not rows:
        return
    await tx.execute(
        """
        INSERT INTO audit_events (id, tenant_id, chain, seq, occurred_at, actor_kind, actor_id, actor_name, action,
                                  target_type, target_id, request_id, source_address, summary, previous_hash, hash)
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::bigint[], $5::timestamptz[], $6::text[],
                             $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                             $14::jsonb[], $15::text[], $16::text[])
        """,
        [row[0] for row in rows],
        [row[4].tenant_id for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
        [row[3] for row in rows],
        [row[4].actor.kind.value for row in rows],
        [row[4].actor.id for row in rows],
        [row[4].actor.name for row in rows],
        [row[4].action for row in rows],
        [row[4].target_type for row in rows],
        [row[4].target_id for row in rows],
        [row[4].request_id for row in rows],
        [row[4].source_address for row in rows],
        [json.dumps(row[4].summary, sort_keys=True) for row in rows],
        [row[5] for row in rows],
        [row[6] for row in rows],
    )


async def record_change(
    tx: Transaction,
    ctx: TenantContext | PlatformContext,
    action: str,
    target_type: str,
    target_id: object,
    **summary: str,
) -> None:
    """Record what ``ctx``'s caller did to a target: in its tenant's chain, or
    in Socle's own for a platform context."""
    await record(tx, change_event(ctx, action, target_type, target_id, summary))


def change_event(
    ctx: TenantContext | PlatformContext, action: str, target_type: str, target_id: object, summary: dict[str, str]
) -> Event:
    """The event of ``ctx``'s caller doing ``action`` to a target, for
    :func:`record_many` when a service changes many targets at once."""
    tenant = ctx if isinstance(ctx, TenantContext) else None
    return Event(
        action=action,
        actor=ctx.principal,
        tenant_id=tenant.tenant_id if tenant else None,
        target_type=target_type,
        target_id=str(target_id),
        request_id=ctx.request_id,
        source_address=tenant.source_address if tenant else None,
        summary=summary,
    )


@dataclass(frozen=True)
class ChainReport:
    """Whether a chain is intact and, if not, where it first breaks."""

    intact: bool
    checked: int
    broken_at_seq: int | None = None


def chains_of(tenant_id: UUID | None) -> range:
    """The chains of a tenant (one) or of Socle itself (:data:`PLATFORM_CHAINS`)."""
    return range(1) if tenant_id is not None else range(PLATFORM_CHAINS)


async def verify_chain(
    tx: Transaction, tenant_id: UUID | None, chain: int = 0, *, batch_size: int = 5000
) -> ChainReport:
    """Recompute every hash of a chain, in order, in batches."""
    previous, expected_seq, checked = GENESIS, 1, 0
    while True:
        rows = await tx.fetch(
            f"SELECT * FROM audit_events WHERE {_of_chain(tenant_id)} AND seq >= $3 ORDER BY seq LIMIT $4",
            tenant_id,
            chain,
            expected_seq,
            batch_size,
        )
        for row in rows:
            event = Event(
                action=row["action"],
                actor=Principal(kind=PrincipalKind(row["actor_kind"]), id=row["actor_id"], name=row["actor_name"]),
                tenant_id=row["tenant_id"],
                target_type=row["target_type"],
                target_id=row["target_id"],
                request_id=row["request_id"],
                source_address=row["source_address"],
                summary=json.loads(row["summary"]),
            )
            valid = (
                row["seq"] == expected_seq
                and row["previous_hash"] == previous
                and row["hash"] == chain_hash(previous, row["seq"], row["occurred_at"], event)
            )
            if not valid:
                return ChainReport(intact=False, checked=checked, broken_at_seq=expected_seq)
            previous, expected_seq, checked = row["hash"], expected_seq + 1, checked + 1
        if len(rows) < batch_size:
            return ChainReport(intact=True, checked=checked)


@dataclass(frozen=True)
class EventFilter:
    """Narrows the events listed; every field is optional."""

    action: str | None = None
    actor_id: UUID | None = None
    target_type: str | None = None
    target_id: str | None = None
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None


def _where(tenants: str, first_arg: Any, event_filter: EventFilter) -> tuple[str, list[Any]]:
    """A ``WHERE`` clause: the ``tenants`` condition (argument ``$1`` is
    ``first_arg``), then the filter's."""
    clauses: list[str] = [tenants]
    args: list[Any] = [first_arg]
    for column, operator, value in (
        ("action", "=", event_filter.action),
        ("actor_id", "=", event_filter.actor_id),
        ("target_type", "=", event_filter.target_type),
        ("target_id", "=", event_filter.target_id),
        ("occurred_at", ">=", event_filter.occurred_after),
        ("occurred_at", "<", event_filter.occurred_before),
    ):
        if value is not None:
            args.append(value)
            clauses.append(f"{column} {operator} ${len(args)}")
    return " AND ".join(clauses), args


async def list_events(
    tx: Transaction, tenant_id: UUID, event_filter: EventFilter, *, before_seq: int | None, limit: int
) -> list[Any]:
    """Up to ``limit`` events of a tenant's chain, newest first, older than
    ``before_seq`` (keyset pagination on the chain's sequence)."""
    where, args = _where("tenant_id = $1", tenant_id, event_filter)
    if before_seq is not None:
        args.append(before_seq)
        where += f" AND seq < ${len(args)}"
    args.append(limit)
    rows: list[Any] = await tx.fetch(
        f"SELECT * FROM audit_events WHERE {where} ORDER BY seq DESC LIMIT ${len(args)}", *args
    )
    return rows


async def list_events_across(
    tx: Transaction,
    tenant_ids: Sequence[UUID],
    event_filter: EventFilter,
    *,
    before: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Any]:
    """Up to ``limit`` events of several tenants' chains, newest first, older
    than ``before`` (keyset pagination on the time and id of the last seen).

    Each chain gives its newest ``limit`` through the (tenant, time, id)
    index, and the page is the newest of those: a page costs the same
    however long the chains are.
    """
    if not tenant_ids:
        return []
    where, args = _where("tenant_id = chain.id", list(tenant_ids), event_filter)
    if before is not None:
        args.extend(before)
        where += f" AND (occurred_at, id) < (${len(args) - 1}, ${len(args)})"
    args.append(limit)
    rows: list[Any] = await tx.fetch(
        f"""
        SELECT event.* FROM unnest($1::uuid[]) AS chain(id)
        CROSS JOIN LATERAL (
            SELECT * FROM audit_events WHERE {where} ORDER BY occurred_at DESC, id DESC LIMIT ${len(args)}
        ) AS event
        ORDER BY event.occurred_at DESC, event.id DESC LIMIT ${len(args)}
        """,
        *args,
    )
    return rows


async def count_events(tx: Transaction, tenant_ids: Sequence[UUID], event_filter: EventFilter) -> int:
    """How many events of these tenants' chains the filter keeps."""
    if not tenant_ids:
        return 0
    where, args = _where("tenant_id = ANY($1::uuid[])", list(tenant_ids), event_filter)
    count: int = await tx.fetchval(f"SELECT count(*) FROM audit_events WHERE {where}", *args)
    return count


async def read_events(
    tx: Transaction,
    context: TenantContext,
    tenant_id: UUID,
    event_filter: EventFilter,
    *,
    before_seq: int | None,
    limit: int,
) -> list[Any]:
    """List a tenant's events for ``context`` (they name people: a ministry's
    read is recorded, see :func:`record_oversight_read`)."""
    rows = await list_events(tx, tenant_id, event_filter, before_seq=before_seq, limit=limit)
    await record_oversight_read(tx, context, tenant_id, "oversight.audit_read")
    return rows


async def read_supervised_events(
    tx: Transaction,
    context: TenantContext,
    event_filter: EventFilter,
    *,
    before: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Any]:
    """List the events of every tenant ``context`` supervises (a ministry's
    view across its country); the read is recorded in the ministry's log."""
    tenant_ids = sorted(context.supervised_tenant_ids)
    rows = await list_events_across(tx, tenant_ids, event_filter, before=before, limit=limit)
    await record_change(tx, context, "oversight.audit_read", "country", context.country)
    return rows


async def record_oversight_read(tx: Transaction, context: TenantContext, tenant_id: UUID, action: str) -> None:
    """Leave a trace in the ministry's own log when ``context`` reads personal
    data of a tenant it supervises; nothing when a tenant reads its own.
    Every service that lets a ministry read personal data calls it."""
    if tenant_id != context.tenant_id:
        await record_change(tx, context, action, "tenant", tenant_id)
