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
``INVALID_TEXT`` naming the field, so that no NUL byte reaches PostgreSQL
(:mod:`tenants.clean_text`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Annotated, Any, ParamSpec, TypeVar, Union, cast

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from tenants.clean_text import clean_arguments
from tenants.errors import DomainError, InvalidText
from tenants.graphql import requires
from tenants.permissions import Permission

P = ParamSpec("P")
R = TypeVar("R")


def short_code(code: str) -> str:
    """An error code without its namespace (``tenants.SLUG_TAKEN`` -> ``SLUG_TAKEN``), as clients see it."""
    return code.rsplit(".", 1)[-1]


def _message(root: Any, info: strawberry.Info) -> str:
    translated: str = info.context.translate(root._error.code, root._error.params)
    return translated


@strawberry.type(description="A further refusal of the same input, with its code as text.")
class InputError:
    code: str = strawberry.field(description="The error's stable code, as the refusal's own `code` enum spells it.")
    path: list[str] | None = strawberry.field(description='Where the input is wrong, e.g. ["input", "phone"].')
    _error: strawberry.Private[Any]
    message: str = strawberry.field(resolver=_message, description="What is wrong, in the caller's language.")


def _others(root: Any) -> list[InputError]:
    return [
        InputError(code=short_code(error.code), path=list(error.path) or None, _error=error)
        for error in root._error.others
    ]


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
        "others": strawberry.field(
            resolver=_others,
            description="The input's other refusals when it has several (an enrolment's every wrong field), "
            "so that a form shows them all at once; empty otherwise.",
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
        typed = TypedErrors(errors) if errors is not None else None
        if typed is not None:
            extensions.append(typed)
        extensions += clean_arguments(resolver, permission, typed.refusal if typed else None)
        made: Any = strawberry.mutation(resolver=cast(Any, resolver), description=description, extensions=extensions)
        return cast(Callable[P, Awaitable[R]], made)

    return decorate
