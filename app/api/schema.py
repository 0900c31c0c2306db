"""The GraphQL schema: every domain's queries merged, with query limits and
error masking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from types import ModuleType
from typing import Any

import strawberry
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from app.api.execution import SocleExecutionContext, shorten_resolvers
from app.i18n import DEFAULT_LOCALE, translate
from app.settings import Settings
from graphql import GraphQLError
from schemes.contributions import api as contributions_api
from schemes.contributions import declaration_api, subsidy_api
from schemes.documents import api as documents_api
from schemes.duplicates import api as duplicates_api
from schemes.employers import api as employers_api
from schemes.gateways import api as gateways_api
from schemes.imports import api as imports_api
from schemes.members import api as members_api
from schemes.members import counts_api as member_counts_api
from schemes.reference import api as reference_api
from schemes.rules import api as rules_api
from tenants.audit import api as audit_api
from tenants.errors import DomainError
from tenants.identity import api as identity_api
from tenants.invitations import api as invitations_api
from tenants.mutations import short_code
from tenants.partners import api as partners_api
from tenants.registry import api as registry_api
from tenants.scalars import SCALARS

DOMAINS: tuple[ModuleType, ...] = (
    registry_api,
    identity_api,
    invitations_api,
    partners_api,
    audit_api,
    employers_api,
    rules_api,
    members_api,
    member_counts_api,
    imports_api,
    reference_api,
    documents_api,
    duplicates_api,
    contributions_api,
    declaration_api,
    subsidy_api,
    gateways_api,
)
"""Every domain's ``api`` module: its ``Query`` and ``Mutation`` classes, where
it has them, make the schema's root types. A new domain is one more entry."""


def _root(name: str, description: str) -> type:
    parts = tuple(getattr(module, name) for module in DOMAINS if hasattr(module, name))
    merged = merge_types(name, parts)
    merged.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return merged


Query = _root("Query", "Every query of Socle, gathered from each domain's api module.")
Mutation = _root("Mutation", "Every mutation of Socle, gathered from each domain's api module.")


def _is_unexpected(error: GraphQLError) -> bool:
    """Raised by code (a bug, a lost connection), not a domain refusal nor a
    validation or limit error that tells the client what to fix."""
    return error.original_error is not None and not isinstance(error.original_error, DomainError | GraphQLError)


class PublicErrors(MaskErrors):
    """Top-level errors as clients see them: a domain error (not signed in,
    not allowed) in the caller's language with its code in ``extensions``;
    validation and limit errors as they are; anything else masked."""

    def __init__(self) -> None:
        super().__init__(error_message="Unexpected error.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        context = self.execution_context.context
        locale = context.viewer.locale if context is not None else DEFAULT_LOCALE
        processed = []
        for error in errors:
            original = error.original_error
            if isinstance(original, DomainError):
                processed.append(
                    GraphQLError(
                        message=translate(original.code, locale, **original.params),
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions={"code": short_code(original.code)},
                    )
                )
            elif _is_unexpected(error):
                processed.append(self.anonymise_error(error))
            else:
                processed.append(error)
        return processed


class SharedReads(SchemaExtension):
    """A query's fields read in the request's one transaction, the one its
    caller was looked up in, committed when the last field is resolved; a
    mutation's services open transactions of their own, so the lookup's is
    committed before it runs (see :class:`tenants.tx.RequestTransaction`)."""

    async def on_execute(self) -> AsyncIterator[None]:
        """Share the request's transaction for a query; end it before anything else."""
        request_tx = self.execution_context.context.request_tx
        if self.execution_context.operation_type is not OperationType.QUERY:
            await request_tx.commit()
            yield
            return
        request_tx.bind()
        try:
            yield
        finally:
            request_tx.unbind()
        await request_tx.commit()


class SocleSchema(strawberry.Schema):
    """Strawberry's schema, logging only the errors that are Socle's fault,
    with the shorter resolvers of :func:`app.api.execution.shorten_resolvers`.

    A refused permission, a bad cursor or a query over the limits is the
    client's business: it gets the error, the log stays quiet.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shorten_resolvers(self)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        super().process_errors([error for error in errors if _is_unexpected(error)], execution_context)


DOCUMENT_CACHE_SIZE = 512
"""Parsed and validated documents kept per process. A client's operations are
a few dozen texts; the bound keeps unique texts sent on purpose from growing
memory, at worst evicting the common ones."""


def make_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits ``settings`` ask for.

    The limits' validation rules are built once here, not per request as
    Strawberry's limiter extensions do: the same rule classes on every request
    is what lets the validation cache recognise a document it has already
    validated (with its errors, so a cached document over a limit is refused
    again).
    """
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.graphql_max_depth, should_ignore=None),
        aliases_rule(settings.graphql_max_aliases),
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
        partial(AddValidationRules, rules),
        partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
        PublicErrors,
        SharedReads,
    ]
    return SocleSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        execution_context_class=SocleExecutionContext,
        config=StrawberryConfig(scalar_map=SCALARS),
    )


def export_sdl(settings: Settings) -> str:
    """The schema in SDL, as committed in ``graphql/schema.graphql``."""
    return make_schema(settings).as_str() + "\n"
