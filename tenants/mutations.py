"""The one way to write a mutation, and the checks every argument passes.

``@mutation(description, errors=[...], permission=...)`` declares a mutation
whose resolver returns its success type and raises domain errors. The field
it makes returns ``<Name>Result``: the success type or ``<Name>Error``, an
error type with an enum of exactly the codes declared (plus
``INVALID_TEXT``), the path of the input at fault and a message in the
caller's language. A domain error the mutation did not declare propagates
as a top-level error (its code and message, or "Unexpected error." for any
other exception); a refused permission stays a top-level error.

Every text argument, at any depth of the input, is checked before the
resolver runs: control characters and unpaired surrogates are refused with
``INVALID_TEXT`` naming the field, so that no NUL byte reaches PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Sequence
from enum import Enum
from typing import Annotated, Any, ParamSpec, TypeVar, Union, cast

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql import GraphQLResolveInfo
from tenants.errors import DomainError, InvalidText
from tenants.graphql import Requires, requires
from tenants.permissions import Permission

P = ParamSpec("P")
R = TypeVar("R")

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def short_code(code: str) -> str:
    """An error code without its namespace (``tenants.SLUG_TAKEN`` -> ``SLUG_TAKEN``), as clients see it."""
    return code.rsplit(".", 1)[-1]


def is_clean_text(value: str) -> bool:
    """Whether ``value`` holds no control character (tabs and line breaks
    aside) and no unpaired surrogate."""
    return all(
        char in _ALLOWED_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
        for char in value
        if not char.isprintable()
    )


def _texts(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every text in an argument's GraphQL value, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, str(index)))


def unclean_text_path(arguments: dict[str, Any]) -> tuple[str, ...] | None:
    """The path of the first text in a field's GraphQL arguments that holds a
    control character, if any."""
    for name, value in arguments.items():
        for path, text in _texts(value, (name,)):
            if not is_clean_text(text):
                return path
    return None


class CleanText(SchemaExtension):
    """Refuses control characters in every text argument of every field before
    it resolves: a mutation answers with its own ``INVALID_TEXT`` error, any
    other field with a top-level one."""

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        if kwargs:
            path = unclean_text_path(kwargs)
            definition = info.parent_type.fields[info.field_name].extensions.get(
                GraphQLCoreConverter.DEFINITION_BACKREF
            )
            extensions = getattr(definition, "extensions", ())
            # A caller the field refuses hears that first, as for any other input.
            if path is not None and _permitted(extensions, info):
                error = InvalidText(path=path, field=".".join(path))
                typed = next((extension for extension in extensions if isinstance(extension, TypedErrors)), None)
                if typed is None:
                    raise error
                return typed.refusal(error)
        return _next(root, info, *args, **kwargs)


def _permitted(extensions: Sequence[Any], info: GraphQLResolveInfo[Any]) -> bool:
    """Whether the caller holds the permissions a field's ``requires`` declares."""
    tenant = info.context.viewer.tenant
    return all(
        tenant is not None and tenant.allows(permission.permission)
        for extension in extensions
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
        if isinstance(permission, Requires)
    )


def _message(root: Any, info: strawberry.Info) -> str:
    translated: str = info.context.translate(root._error.code, root._error.params)
    return translated


def _pascal(python_name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in python_name.split("_"))


def error_type(
    name: str, field_name: str, errors: Sequence[type[DomainError]], *, description: str | None = None
) -> tuple[type[Enum], type]:
    """``<name>Error`` and its enum ``<name>ErrorCode`` of exactly ``errors``'
    codes: what a mutation's result carries, or each item of a batch's.
    Make a value of it with :func:`typed_error`."""
    codes = Enum(  # type: ignore[misc]
        f"{name}ErrorCode", {short_code(cls.code): short_code(cls.code) for cls in errors}
    )
    code_enum = strawberry.enum(codes, description=f"What can go wrong in `{field_name}`.")
    namespace: dict[str, Any] = {
        "__annotations__": {
            "code": code_enum,
            "path": list[str] | None,
            "_error": strawberry.Private[Any],  # type: ignore[misc]
        },
        "path": strawberry.field(description='Where the input is wrong, e.g. ["input", "password"].'),
        "message": strawberry.field(
            resolver=_message, description="What is wrong, in the caller's language (French by default)."
        ),
    }
    made = strawberry.type(
        type(f"{name}Error", (), namespace),
        description=description or f"A refusal of `{field_name}`, with a typed code.",
    )
    return code_enum, made


def typed_error(code_enum: type[Enum], made: type, error: DomainError) -> Any:
    """The value of an error type made by :func:`error_type` for ``error``."""
    return made(code=code_enum[short_code(error.code)], path=list(error.path) or None, _error=error)


class TypedErrors(FieldExtension):
    """Widens a mutation's type to ``<Success> | <Name>Error`` and turns the
    domain errors it declares into that error type."""

    def __init__(self, errors: Sequence[type[DomainError]]) -> None:
        self.errors: tuple[type[DomainError], ...] = (InvalidText, *errors)
        self._union: Any = None

    def apply(self, field: StrawberryField) -> None:
        # Each schema built (one per settings) applies the extension again: the
        # types are made once, so every schema shares them.
        if self._union is None:
            name = _pascal(field.python_name)
            self.code_enum, self.error_type = error_type(name, name[0].lower() + name[1:], self.errors)
            success = field.type
            self._union = Annotated[Union[success, self.error_type], strawberry.union(f"{name}Result")]  # noqa: UP007
        field.type_annotation = StrawberryAnnotation(self._union)

    def refusal(self, error: DomainError) -> Any:
        """The error type's value for ``error``."""
        return typed_error(self.code_enum, self.error_type, error)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except self.errors as error:
            return self.refusal(error)


def mutation(
    description: str, *, errors: Sequence[type[DomainError]] | None = (), permission: Permission | None = None
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Declare a mutation: its resolver returns the success type and raises
    the domain ``errors`` it may refuse with; callers must hold ``permission``
    (none: public, as signing in is). ``errors=None`` is for a mutation that
    takes no input and cannot be refused (signing out): it keeps its plain type."""

    def decorate(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        extensions: list[FieldExtension] = [requires(permission)] if permission else []
        if errors is not None:
            extensions.append(TypedErrors(errors))
        made: Any = strawberry.mutation(resolver=cast(Any, resolver), description=description, extensions=extensions)
        return cast(Callable[P, Awaitable[R]], made)

    return decorate
