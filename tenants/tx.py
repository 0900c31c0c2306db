"""``tenant_tx(ctx)``: the one way into a database transaction.

It takes a pooled connection, opens a transaction on it and binds it as
Piccolo's current transaction (so ORM queries run on it), writes the context
into transaction-scoped settings read by row-level security, and lets services enqueue jobs into the
outbox table of the same transaction. After the commit, the jobs are handed to
the broker and their rows deleted; a rollback drops them with everything else,
and if the process dies between commit and send, the relay sweep
(:mod:`tenants.relay`) sends them later.

A GraphQL query holds one :class:`RequestTransaction` from its caller's
lookup to its last field: every ``tenant_tx`` and ``platform_tx`` its
resolvers and DataLoaders open joins it rather than taking a connection of
its own, so a query costs one pool checkout and one BEGIN/COMMIT whatever
its shape.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import structlog

from tenants import outbox
from tenants.context import PlatformContext, PrincipalKind, TenantContext
from tenants.ids import new_id
from tenants.scoping import check_tenant_filters
from tenants.tables import OutboxJob

log = structlog.get_logger(__name__)

SET_CONTEXT = """
SELECT set_config('app.tenant_id', $1, true),
       set_config('app.read_tenant_ids', $2, true),
       set_config('app.user_id', $3, true),
       set_config('app.platform', $4, true)
"""
"""The four transaction-scoped settings row-level security reads, in one statement."""


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

    def begin(self) -> str:
        """BEGIN and the settings in one simple-protocol round trip. The values
        are UUIDs and flags formatted here, never text from a client, so they
        are safe as literals."""
        values = ", ".join(
            f"set_config('{name}', '{value}', true)" for name, value in zip(_SETTINGS, self.arguments(), strict=True)
        )
        return f"BEGIN; SELECT {values}"


_SETTINGS = ("app.tenant_id", "app.read_tenant_ids", "app.user_id", "app.platform")


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


class Connection(Protocol):
    """What a transaction runs its statements on: an asyncpg connection, or a
    request's shared one (:class:`RequestTransaction`)."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...
    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...
    async def execute(self, query: str, *args: Any) -> str: ...
    def transaction(self) -> AbstractAsyncContextManager[Any]: ...


@dataclass
class Transaction:
    """An open transaction in one context. Services receive it; only the edge
    (resolver, actor, command) opens one."""

    context: TenantContext | PlatformContext
    connection: Connection
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

    def exclusive(self) -> AbstractAsyncContextManager[None]:
        """A run of statements no other statement of the request comes between.

        A transaction of its own needs nothing for that. One joined to a
        request's shared connection does when the run depends on itself, like
        a read then a write that must follow it: sibling resolvers interleave
        their statements, and a lock their transaction already holds does not
        keep them out. Nothing inside may wait on another resolver.
        """
        if isinstance(self.connection, _Joined):
            return self.connection.request.exclusive()
        return nullcontext()

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
        await connection.execute(SET_CONTEXT, *scope.arguments())
        token = engine.current_transaction.set(_PiccoloBinding(connection))
        try:
            yield connection
        finally:
            engine.current_transaction.reset(token)


class RequestTransaction:
    """One pooled connection and one transaction for a whole request.

    Opened on first use, in the scope of the transaction that asks for it;
    each later statement first switches the settings to its own transaction's
    scope when they differ, under a lock, so sibling resolvers running
    concurrently each read with their own settings and never another's. The
    request ends it with :meth:`commit` (jobs are relayed then) or
    :meth:`close`.

    Meant for reads: a block that raises leaves what it wrote to the
    request's commit, so mutations keep transactions of their own (the
    request commits its caller's lookup before a mutation runs).
    """

    def __init__(self) -> None:
        self._connection: asyncpg.Connection | None = None
        self._scope: _Scope | None = None
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None
        self._jobs: list[outbox.Job] = []
        self._token: Any = None

    @property
    def is_open(self) -> bool:
        """Whether a transaction is under way on the request's connection."""
        return self._connection is not None

    async def run(self, scope: _Scope, method: str, query: str, *args: Any) -> Any:
        """Run one statement in ``scope``, opening the transaction or switching its settings first."""
        if self._holder is not None and self._holder is asyncio.current_task():
            return await self._run(scope, method, query, *args)
        async with self._lock:
            return await self._run(scope, method, query, *args)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Keep the connection to the current task's statements until the block ends."""
        async with self._lock:
            self._holder = asyncio.current_task()
            try:
                yield
            finally:
                self._holder = None

    async def _run(self, scope: _Scope, method: str, query: str, *args: Any) -> Any:
        if self._connection is None:
            connection = await _pool().acquire()
            try:
                await connection.execute(scope.begin())
            except BaseException:
                await _pool().release(connection)
                raise
            self._connection = connection
        elif scope != self._scope:
            await self._connection.execute(SET_CONTEXT, *scope.arguments())
        self._scope = scope
        return await getattr(self._connection, method)(query, *args)

    @asynccontextmanager
    async def joined(self, context: TenantContext | PlatformContext, scope: _Scope) -> AsyncIterator[Transaction]:
        """A transaction of ``context`` on the request's connection."""
        engine: Any = OutboxJob._meta.db
        if engine.current_transaction.get() is not None:
            raise RuntimeError("transactions do not nest: pass the open Transaction to the service instead")
        connection = _Joined(self, scope)
        token = engine.current_transaction.set(_PiccoloBinding(connection))
        try:
            yield Transaction(context=context, connection=connection, _jobs=self._jobs)
        finally:
            engine.current_transaction.reset(token)

    async def commit(self) -> None:
        """Commit what the request did, give the connection back and relay its jobs."""
        connection, scope, jobs = self._connection, self._scope, self._jobs
        if connection is None or scope is None:
            return
        self._connection, self._scope, self._jobs = None, None, []
        try:
            await connection.execute("COMMIT")
        finally:
            await _release(connection)
        if jobs:
            await _relay_committed(scope, jobs)

    async def close(self) -> None:
        """Roll back what is still open and give the connection back."""
        connection = self._connection
        if connection is None:
            return
        self._connection, self._scope, self._jobs = None, None, []
        try:
            await connection.execute("ROLLBACK")
        finally:
            await _release(connection)

    def bind(self) -> None:
        """Make the transactions opened from here on (this task and the tasks it starts) join this one."""
        self._token = _REQUEST.set(self)

    def unbind(self) -> None:
        """Stop sharing: transactions opened from here on take connections of their own."""
        if self._token is not None:
            _REQUEST.reset(self._token)
            self._token = None


_REQUEST: ContextVar[RequestTransaction | None] = ContextVar("socle_request_transaction", default=None)


@dataclass(frozen=True)
class _Joined:
    """A transaction's view of the request's connection: its statements run in its scope."""

    request: RequestTransaction
    scope: _Scope

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        rows: list[Any] = await self.request.run(self.scope, "fetch", query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Any:
        return await self.request.run(self.scope, "fetchrow", query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self.request.run(self.scope, "fetchval", query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        status: str = await self.request.run(self.scope, "execute", query, *args)
        return status

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        # A savepoint would span other resolvers' statements on the same connection.
        raise RuntimeError("savepoints belong to a transaction of its own, not to a request's shared one")


def _pool() -> asyncpg.Pool:
    engine: Any = OutboxJob._meta.db
    if engine.pool is None:
        raise ConnectionError("the database pool is not open")
    return engine.pool


async def _release(connection: asyncpg.Connection) -> None:
    try:
        await _pool().release(connection)
    except Exception:
        log.warning("database.release_failed", exc_info=True)
        connection.terminate()


@asynccontextmanager
async def _transaction(
    context: TenantContext | PlatformContext, *, with_platform: bool = False
) -> AsyncIterator[Transaction]:
    scope = _scope_of(context, with_platform=with_platform)
    request = _REQUEST.get()
    if request is not None:
        async with request.joined(context, scope) as tx:
            yield tx
        return
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
    if outbox.held():
        return
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
