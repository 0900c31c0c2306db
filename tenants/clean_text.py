"""No control character reaches PostgreSQL: every text argument of a field,
at any depth of its input, is checked before the field resolves.

The check is a field extension that :func:`tenants.graphql.field` and
:func:`tenants.mutations.mutation` give every field taking arguments, not a
schema-wide middleware: graphql-core calls a middleware for every field of
every object of a response, a page of members' thousands of plain attributes
included, which cost a tenth of such a request.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from tenants.errors import DomainError, InvalidText
from tenants.permissions import Permission

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def is_clean_text(value: str) -> bool:
    """Whether ``value`` holds no control character (tabs and line breaks
    aside) and no unpaired surrogate."""
    return all(
        char in _ALLOWED_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
        for char in value
        if not char.isprintable()
    )


def _texts(value: Any, path: tuple[str, ...], name_of: NameOf) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every text in an argument's value, with its path in GraphQL's names."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, key), name_of)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, str(index)), name_of)
    elif isinstance(definition := getattr(value, "__strawberry_definition__", None), StrawberryObjectDefinition):
        # An input object; an enum's value has a definition too, and no text to check.
        for item in definition.fields:
            yield from _texts(getattr(value, item.python_name, None), (*path, name_of(item)), name_of)


NameOf = Callable[[Any], str]


def unclean_text_path(arguments: dict[str, Any], name_of: NameOf) -> tuple[str, ...] | None:
    """The path of the first text in a field's arguments (``{graphql name: value}``)
    that holds a control character, if any."""
    for name, value in arguments.items():
        for path, text in _texts(value, (name,), name_of):
            if not is_clean_text(text):
                return path
    return None


def takes_arguments(resolver: Callable[..., Any]) -> bool:
    """Whether a resolver has parameters a client fills (not ``self``, ``root`` or ``info``)."""
    return any(name not in {"self", "root", "info"} for name in inspect.signature(resolver).parameters)


def clean_arguments(
    resolver: Callable[..., Any], permission: Permission | None, refusal: Callable[[DomainError], Any] | None = None
) -> list[FieldExtension]:
    """The check of a field's text arguments, if it takes any; a caller
    without ``permission`` is refused by the permission instead."""
    if not takes_arguments(resolver):
        return []

    def allowed(info: strawberry.Info) -> bool:
        tenant = info.context.viewer.tenant
        return permission is None or (tenant is not None and tenant.allows(permission))

    return [CleanArguments(allowed, refusal)]


class CleanArguments(FieldExtension):
    """Refuses control characters in the field's text arguments before it
    resolves: with ``refusal`` (a mutation's typed error) as its answer,
    otherwise as a top-level error. A caller the field refuses anyway
    (``allowed`` is false) hears that first, from the permission."""

    def __init__(
        self,
        allowed: Callable[[strawberry.Info], bool],
        refusal: Callable[[DomainError], Any] | None = None,
    ) -> None:
        super().__init__()
        self._allowed = allowed
        self._refusal = refusal
        self._arguments: dict[str, StrawberryArgument] = {}

    def apply(self, field: StrawberryField) -> None:
        """Keep the field's arguments, whose GraphQL names the error's path uses."""
        self._arguments = {argument.python_name: argument for argument in field.arguments}

    def _refused(self, info: strawberry.Info, kwargs: dict[str, Any]) -> InvalidText | None:
        if not kwargs:
            return None
        name_of = info.schema.config.name_converter.get_graphql_name
        named = {
            name_of(self._arguments[key]) if key in self._arguments else key: value for key, value in kwargs.items()
        }
        path = unclean_text_path(named, name_of)
        if path is None or not self._allowed(info):
            return None
        return InvalidText(path=path, field=".".join(path))

    def resolve(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        """Resolve the field unless a text argument is refused."""
        error = self._refused(info, kwargs)
        if error is None:
            return next_(source, info, **kwargs)
        if self._refusal is None:
            raise error
        return self._refusal(error)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        """Resolve the field unless a text argument is refused."""
        error = self._refused(info, kwargs)
        if error is None:
            return await next_(source, info, **kwargs)
        if self._refusal is None:
            raise error
        return self._refusal(error)
