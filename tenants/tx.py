"""``tenant_tx(ctx)``: the one way into a database transaction.

It takes a pooled connection, opens a transaction on it and binds it as
Piccolo's current transaction (so ORM queries run on it), writes the context
into transaction-scoped settings read by row-level security, and lets services enqueue jobs into the
outbox table of the same transaction. After the commit, the jobs are handed to
the broker and their rows deleted; a rollback drops them with everything else,
and if the process dies between commit and send, the relay sweep
(:mod:`tenants.relay`) sends them later.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from tenants import outbox
from tenants.context import PlatformContext, PrincipalKind, TenantContext
from tenants.ids import new_id
from tenants.scoping import check_tenant_filters
from tenants.tables import OutboxJob

log = structlog.get_logger(__name__)

_SET_CONTEXT = """
SELECT set_config('app.tenant_id', $1, true),
       set_config('app.read_tenant_ids', $2, true),
       set_config('app.user_id', $3, true),
       set_config('app.platform', $4, true)
"""


@dataclass(frozen=True)
class _Scope:
    tenant_id: UUID | None = None
    read_tenant_ids: frozenset[UUID] = frozenset()
    user_id: UUID | None = None
    platform: bool = False

    def arguments(self) -> tuple[str, str, str, str]:
        return (
            str(self.tenant_id) if self.tenant_id else "",
            "{" + ",".join(sorted(str(i) for i in self.read_tenant_ids)) + "}" if self.read_tenant_ids else "",
            str(self.user_id) if self.user_id else "",
            "on" if self.platform else "",
        )


def _scope_of(context: TenantContext | PlatformContext, *, with_platform: bool = False) -> _Scope:
    if isinstance(context, PlatformContext):
        return _Scope(platform=True)
    user_id = context.principal.id if context.principal.kind is PrincipalKind.USER else None
    return _Scope(
        tenant_id=context.tenant_id,
        read_tenant_ids=context.supervised_tenant_ids,
        user_id=user_id,
        platform=with_platform,
    )


@dataclass
class Transaction:
    """An open transaction in one context. Services receive it; only the edge
    (resolver, actor, command) opens one."""

    context: TenantContext | PlatformContext
    connection: asyncpg.Connection
    _jobs: list[outbox.Job] = field(default_factory=list)

    async def fetch(self, statement: str, *args: Any, across_tenants: bool = False) -> list[Any]:
        """Rows of a raw statement, checked by :func:`tenants.scoping.check_tenant_filters`
        unless it reads ``across_tenants`` on purpose."""
        _checked(statement, across_tenants)
        rows: list[Any] = await self.connection.fetch(statement, *args)
        return rows

    async def fetchrow(self, statement: str, *args: Any, across_tenants: bool = False) -> Any:
        """The first row of a raw statement, or None (checked as :meth:`fetch`)."""
        _checked(statement, across_tenants)
        return await self.connection.fetchrow(statement, *args)

    async def fetchval(self, statement: str, *args: Any, across_tenants: bool = False) -> Any:
        """The first value of a raw statement's first row (checked as :meth:`fetch`)."""
        _checked(statement, across_tenants)
        return await self.connection.fetchval(statement, *args)

    async def execute(self, statement: str, *args: Any, across_tenants: bool = False) -> str:
        """Run a raw statement; its status (checked as :meth:`fetch`)."""
        _checked(statement, across_tenants)
        status: str = await self.connection.execute(statement, *args)
        return status

    @property
    def tenant_id(self) -> UUID | None:
        """The tenant the transaction writes into (None at platform level)."""
        return self.context.tenant_id if isinstance(self.context, TenantContext) else None

    async def enqueue(self, actor_name: str, **kwargs: Any) -> UUID:
        """Write a job into the outbox; it is sent to ``actor_name`` after commit.

        Keyword arguments must be JSON values, usually row ids: the actor
        reloads what it needs. An actor no worker declares raises
        :class:`tenants.outbox.UnknownActor` here, before the commit, rather
        than leaving the sweep a job it can never send.
        """
        outbox.check_declared(actor_name)
        job = outbox.Job(id=new_id(), actor_name=actor_name, kwargs=kwargs)
        # The clock, not the transaction's start: the sweep's grace counts from the write.
        await self.connection.execute(
            "INSERT INTO outbox (id, tenant_id, actor_name, kwargs, created_at)"
            " VALUES ($1, $2, $3, $4::jsonb, clock_timestamp())",
            job.id,
            self.tenant_id,
            actor_name,
            json.dumps(kwargs),
        )
        self._jobs.append(job)
        return job.id


def _checked(statement: str, across_tenants: bool) -> None:
    if not across_tenants:
        check_tenant_filters(statement)


@dataclass(frozen=True)
class _PiccoloBinding:
    """What Piccolo reads from its ``current_transaction`` to run queries on
    our connection."""

    connection: asyncpg.Connection


@asynccontextmanager
async def _connection() -> AsyncIterator[asyncpg.Connection]:
    # asyncpg's acquire context releases the connection even when the task is
    # cancelled half-way, which Piccolo's own transaction does not guarantee.
    engine: Any = OutboxJob._meta.db
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            yield connection
        return
    connection = await asyncpg.connect(**engine.config)
    try:
        yield connection
    finally:
        await connection.close()


@asynccontextmanager
async def _bound(scope: _Scope) -> AsyncIterator[asyncpg.Connection]:
    engine: Any = OutboxJob._meta.db
    if engine.current_transaction.get() is not None:
        raise RuntimeError("transactions do not nest: pass the open Transaction to the service instead")
    async with _connection() as connection, connection.transaction():
        await connection.execute(_SET_CONTEXT, *scope.arguments())
        token = engine.current_transaction.set(_PiccoloBinding(connection))
        try:
            yield connection
        finally:
            engine.current_transaction.reset(token)


@asynccontextmanager
async def _transaction(
    context: TenantContext | PlatformContext, *, with_platform: bool = False
) -> AsyncIterator[Transaction]:
    scope = _scope_of(context, with_platform=with_platform)
    async with _bound(scope) as connection:
        tx = Transaction(context=context, connection=connection)
        yield tx
    if tx._jobs:
        await _relay_committed(scope, tx._jobs)


async def _relay_committed(scope: _Scope, jobs: list[outbox.Job]) -> None:
    """Hand the committed jobs to the broker and delete the rows of those sent.

    Nothing here reaches the caller: the transaction has committed, so its
    change stands whatever the broker or the delete does. A job not sent stays
    for the sweep. A job sent whose row could not be deleted is sent once more
    by the sweep, with the same message id, which actors with outside effects
    recognise (:mod:`tenants.deliveries`): the price of at-least-once, rather
    than a committed change reported as failed.
    """
    sent: list[UUID] = []
    for job in jobs:
        try:
            await outbox.send(job)
        except Exception as error:
            log.warning("outbox.send_failed", job=str(job.id), actor=job.actor_name, exc_info=True)
            if outbox.broker_unavailable(error):
                break
            continue
        sent.append(job.id)
    if not sent:
        return
    try:
        async with _bound(scope) as connection:
            await connection.execute("DELETE FROM outbox WHERE id = ANY($1::uuid[])", sent)
    except Exception:
        log.warning("outbox.delete_failed", jobs=[str(job_id) for job_id in sent], exc_info=True)


def tenant_tx(context: TenantContext, *, with_platform: bool = False) -> AbstractAsyncContextManager[Transaction]:
    """Open a transaction in ``context``: row-level security sees its tenant
    (and, for a ministry, reads its supervised tenants).

    ``with_platform`` also opens the platform's tables (accounts, sessions),
    for the rare operation that must change both at once: accepting an
    invitation creates an account and its membership, or neither.
    """
    return _transaction(context, with_platform=with_platform)


def platform_tx(context: PlatformContext | None = None) -> AbstractAsyncContextManager[Transaction]:
    """Open a transaction above tenants: the tenants registry and the outbox."""
    return _transaction(context or PlatformContext())
