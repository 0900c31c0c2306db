"""The GraphQL request context shared by every domain's ``api.py`` (the
viewer, DataLoaders made per request, the process's signing keys), and how a
field declares who may resolve it."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar, cast
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.litestar import BaseContext
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.nodes import SelectedField, Selection

from tenants.audit import service as audit
from tenants.clean_text import clean_arguments
from tenants.context import TenantContext, Viewer
from tenants.errors import Forbidden, Unauthenticated
from tenants.identity.keys import KeyStore
from tenants.permissions import Permission
from tenants.services import Services
from tenants.tx import RequestTransaction, Transaction, tenant_tx

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
R = TypeVar("R")

BatchLoad = Callable[[Viewer, Sequence[K]], Awaitable[Sequence[V]]]


class Loaders:
    """DataLoaders of one request, made on first use from batch functions
    ``(viewer, keys) -> values in key order``. Each batch runs its own short
    transaction, since sibling fields resolve concurrently."""

    def __init__(self, viewer: Viewer) -> None:
        self._viewer = viewer
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    def get(self, batch_load: BatchLoad[K, V]) -> DataLoader[K, V]:
        """The request's loader for ``batch_load``."""
        loader = self._loaders.get(batch_load)
        if loader is None:
            viewer = self._viewer

            async def load(keys: list[K]) -> Sequence[V]:
                return await batch_load(viewer, keys)

            loader = DataLoader(load_fn=load)
            self._loaders[batch_load] = loader
        return loader


def settled(pending: Awaitable[V], then: Callable[[V], R]) -> R | Awaitable[R]:
    """``then`` of a DataLoader's value: at once when it is already loaded,
    as a list's resolver loads its rows' relations in one batch before
    graphql-core walks them, or once the batch is done.

    Resolving at once keeps graphql-core on its synchronous path: no
    coroutine and no task per row, which is most of a large page's cost."""
    if isinstance(pending, asyncio.Future) and pending.done():
        return then(pending.result())

    async def later() -> R:
        return then(await pending)

    return later()


def loaded(pending: Awaitable[V]) -> V | Awaitable[V]:
    """A DataLoader's value at once when it is already loaded, else the
    pending value itself: :func:`settled` with nothing to do after."""
    if isinstance(pending, asyncio.Future) and pending.done():
        return cast(V, pending.result())
    return pending


def asked(info: strawberry.Info) -> list[Selection]:
    """What the query selects under the current field, for :func:`selects`."""
    return [selection for current in info.selected_fields for selection in current.selections]


def selects(selections: Sequence[Selection], *path: str) -> bool:
    """Whether ``selections`` (:func:`asked`) ask for the field at ``path``
    (GraphQL names, from the current field down), through fragments and
    aliases.

    Directives are not evaluated: a field under ``@skip`` reads as asked,
    which costs a statement, never a wrong answer."""
    if not path:
        return True
    name, rest = path[0], path[1:]
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name and selects(selection.selections, *rest):
                return True
        elif selects(selection.selections, *path):
            return True
    return False


class RequestContext(BaseContext, kw_only=True):
    """``info.context`` of every resolver."""

    viewer: Viewer
    loaders: Loaders
    translate: Callable[[str, dict[str, Any]], str]
    """Renders an error code in the viewer's language."""
    link_secret: str
    """The key the tokens of links sent to people (invitations) derive from."""
    keys: KeyStore
    """The process's keys that sign access tokens."""
    services: Services
    """Process services domains declare and the app provides (object storage)."""
    request_tx: RequestTransaction
    """The request's one transaction, which a query's reads share (see :mod:`tenants.tx`)."""


Info = strawberry.Info[RequestContext, None]


class Requires(BasePermission):
    """Allow a field to callers whose tenant context grants ``permission``.

    A refusal is a top-level error (``UNAUTHENTICATED`` or ``FORBIDDEN``);
    a refusal of a signed-in caller is written to the tenant's audit log.
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        viewer: Viewer = info.context.viewer
        if viewer.tenant is None:
            raise Unauthenticated(permission=self.permission.value)
        if viewer.tenant.allows(self.permission):
            return True
        async with tenant_tx(viewer.tenant) as tx:
            await audit.record_change(
                tx, viewer.tenant, "authorization.denied", "field", info.field_name, permission=self.permission.value
            )
        raise Forbidden(permission=self.permission.value)


def decode_id(global_id: relay.GlobalID, type_name: str) -> UUID | None:
    """The UUID in a global id of ``type_name``; None for any other id, so
    that a wrong id reads as "not found"."""
    if global_id.type_name != type_name:
        return None
    return node_uuids([global_id.node_id])[0]


def decode_text_id(text: str, type_name: str) -> UUID | None:
    """:func:`decode_id` of a global id as text (an address's, a form's); None for text that is not one."""
    try:
        global_id = relay.GlobalID.from_id(text)
    except ValueError:
        return None
    return decode_id(global_id, type_name)


def node_uuids(node_ids: Iterable[str]) -> list[UUID | None]:
    """The UUIDs in Relay node ids, in order; None for a malformed one (read as "not found")."""
    ids: list[UUID | None] = []
    for node_id in node_ids:
        try:
            ids.append(UUID(node_id))
        except ValueError:
            ids.append(None)
    return ids


RowT = TypeVar("RowT")
NodeT = TypeVar("NodeT")


async def nodes_by_id(
    info: strawberry.Info,
    node_ids: Iterable[str],
    permission: Permission,
    load: Callable[[Transaction, TenantContext, list[UUID]], Awaitable[Sequence[RowT]]],
    node: Callable[[RowT], NodeT],
) -> list[NodeT | None]:
    """A type's ``resolve_nodes``: the nodes of Relay ids in their order, read
    with ``load`` in one transaction; None for an id that is malformed,
    unknown, or asked by a caller without ``permission``."""
    ids = node_uuids(node_ids)
    context: TenantContext | None = info.context.viewer.tenant
    if context is None or not context.allows(permission):
        return [None for _ in ids]
    async with tenant_tx(context) as tx:
        rows = await load(tx, context, [i for i in ids if i is not None])
    by_id = {row.id: row for row in rows}  # type: ignore[attr-defined]
    return [node(by_id[i]) if i in by_id else None for i in ids]


def tenant_of(info: strawberry.Info) -> TenantContext:
    """The caller's tenant context in a field guarded by :func:`requires`
    (which lets no caller without one through)."""
    context: TenantContext | None = info.context.viewer.tenant
    if context is None:
        raise Unauthenticated()
    return context


def requires(permission: Permission) -> PermissionExtension:
    """Field extension: only callers holding ``permission`` may resolve the field."""
    return PermissionExtension(permissions=[Requires(permission)], use_directives=False)


def field(
    description: str, *, permission: Permission | None = None, graphql_type: Any = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a field resolved by the decorated method; callers must hold
    ``permission`` (none: anyone may ask, as for ``viewer``). ``graphql_type``
    is the field's type when the method's annotation cannot say it: a
    resolver returning the value or an awaitable of it (:func:`settled`)."""

    def decorate(resolver: Callable[P, R]) -> Callable[P, R]:
        if permission is not None and graphql_type is not None and not inspect.iscoroutinefunction(resolver):
            # The permission's check is awaited, so the field resolves through it; the awaitable a
            # synchronous resolver returns would then reach graphql-core unawaited and be resolved
            # after the request's transaction has ended.
            raise TypeError(f"{resolver.__qualname__}: a field with a permission awaits what it loads (async def)")
        extensions: list[FieldExtension] = [requires(permission)] if permission else []
        extensions += clean_arguments(resolver, permission)
        made: Any = strawberry.field(
            resolver=cast(Any, resolver), description=description, extensions=extensions, graphql_type=graphql_type
        )
        return cast(Callable[P, R], made)

    return decorate
