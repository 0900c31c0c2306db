"""Process services domains declare and the app provides, found by key."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

V = TypeVar("V")


class ServiceKey(Generic[V]):
    """Names a process service a domain declares (its storage...), which the
    app provides: the domain's resolvers find it in ``info.context.services``
    without the kernel knowing its type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ServiceKey({self.name!r})"


class Services:
    """The process services the app provides to domains, by key."""

    def __init__(self, provided: dict[ServiceKey[Any], Any] | None = None) -> None:
        self._provided = dict(provided or {})

    def get(self, key: ServiceKey[V]) -> V:
        """The service provided for ``key``; ``LookupError`` if the app provides none."""
        try:
            found: V = self._provided[key]
        except KeyError:
            raise LookupError(f"no service provided for {key!r}") from None
        return found
