"""The GraphQL request context shared by every domain's ``api.py``: the
viewer, and DataLoaders made per request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.litestar import BaseContext

from tenants.context import Viewer

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

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


class RequestContext(BaseContext, kw_only=True):
    """``info.context`` of every resolver."""

    viewer: Viewer
    loaders: Loaders


Info = strawberry.Info[RequestContext, None]
