"""Typed mutation errors: one GraphQL error type per mutation, with an enum of
the codes it can return, a field path and a message in the caller's language
(rendered by the request context's translator)."""

from collections.abc import Awaitable
from enum import Enum
from typing import Any, TypeVar

import strawberry

from tenants.errors import DomainError

T = TypeVar("T")


def short_code(code: str) -> str:
    """An error code without its namespace (``tenants.SLUG_TAKEN`` -> ``SLUG_TAKEN``), as clients see it."""
    return code.rsplit(".", 1)[-1]


def _message(root: Any, info: strawberry.Info) -> str:
    translated: str = info.context.translate(root._error.code, root._error.params)
    return translated


class MutationErrors:
    """The error type of one mutation and the domain errors it maps."""

    def __init__(self, mutation: str, errors: list[type[DomainError]]) -> None:
        self.errors = tuple(errors)
        codes = Enum(  # type: ignore[misc]
            f"{mutation}ErrorCode", {short_code(cls.code): short_code(cls.code) for cls in errors}
        )
        field = mutation[0].lower() + mutation[1:]
        self.code_enum = strawberry.enum(codes, description=f"What can go wrong in `{field}`.")
        namespace: dict[str, Any] = {
            "__annotations__": {
                "code": self.code_enum,
                "path": list[str] | None,
                "_error": strawberry.Private[Any],  # type: ignore[misc]
            },
            "path": strawberry.field(description='Where the input is wrong, e.g. ["input", "password"].'),
            "message": strawberry.field(
                resolver=_message, description="What is wrong, in the caller's language (French by default)."
            ),
        }
        self.type: Any = strawberry.type(
            type(f"{mutation}Error", (), namespace), description=f"A refusal of `{field}`, with a typed code."
        )

    async def guard(self, result: Awaitable[T]) -> T | Any:
        """Await a mutation's work; turn the domain errors it declares into its
        error type. Anything else propagates (and is masked)."""
        try:
            return await result
        except self.errors as error:
            return self.type(code=self.code_enum[short_code(error.code)], path=list(error.path) or None, _error=error)
