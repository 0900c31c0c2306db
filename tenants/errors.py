"""Errors of the tenancy kernel. Every domain error carries a code, the path
of the input field at fault and parameters; the text is rendered at the edge
(``app.i18n``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every expected, user-facing error of a service.

    ``code`` is stable and namespaced (``tenants.SLUG_TAKEN``), and kept as it is once
    published: clients switch on it and the audit log records it;
    ``path`` names the input field, as GraphQL clients see it.
    """

    code: ClassVar[str]

    def __init__(self, *, path: tuple[str, ...] = (), **params: Any) -> None:
        super().__init__(self.code)
        self.path = path
        self.params = params
        self.others: tuple[DomainError, ...] = ()
        """Further errors of the same input, told with this one (an enrolment's every wrong field)."""

    @staticmethod
    def all_of(errors: Sequence[DomainError]) -> DomainError:
        """The first of ``errors``, carrying the others: a refusal that tells every wrong field at once."""
        first, *others = errors
        first.others = tuple(others)
        return first


class InvalidName(DomainError):
    """A name (of a tenant, a person) that is empty or longer than 200 characters."""

    code = "tenants.INVALID_NAME"


class Unauthenticated(DomainError):
    """A field needs a signed-in caller."""

    code = "api.UNAUTHENTICATED"


class Forbidden(DomainError):
    """The caller's role or scopes do not grant the field's permission."""

    code = "api.FORBIDDEN"


class ReadOnlyTenant(DomainError):
    """A context tried to write rows of a tenant it may only read (a ministry
    writing into a supervised tenant)."""

    code = "api.READ_ONLY_TENANT"


class InvalidText(DomainError):
    """A text input holds control characters (NUL, escapes...) or unpaired
    surrogates, which no name, number or message contains."""

    code = "api.INVALID_TEXT"
