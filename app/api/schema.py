"""The GraphQL schema: every domain's queries merged, with query limits and
error masking."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import ModuleType

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from app.i18n import DEFAULT_LOCALE, translate
from app.settings import Settings
from graphql import GraphQLError
from schemes.documents import api as documents_api
from schemes.duplicates import api as duplicates_api
from schemes.employers import api as employers_api
from schemes.imports import api as imports_api
from schemes.members import api as members_api
from schemes.members import counts_api as member_counts_api
from schemes.reference import api as reference_api
from schemes.rules import api as rules_api
from tenants.audit import api as audit_api
from tenants.errors import DomainError
from tenants.identity import api as identity_api
from tenants.invitations import api as invitations_api
from tenants.mutations import CleanText, short_code
from tenants.partners import api as partners_api
from tenants.registry import api as registry_api

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


class SocleSchema(strawberry.Schema):
    """Strawberry's schema, logging only the errors that are Socle's fault.

    A refused permission, a bad cursor or a query over the limits is the
    client's business: it gets the error, the log stays quiet.
    """

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        super().process_errors([error for error in errors if _is_unexpected(error)], execution_context)


def make_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits ``settings`` ask for."""
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(QueryDepthLimiter, max_depth=settings.graphql_max_depth),
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(MaxAliasesLimiter, max_alias_count=settings.graphql_max_aliases),
        PublicErrors,
        CleanText,
    ]
    if not settings.introspection_enabled:
        extensions.append(partial(AddValidationRules, [NoSchemaIntrospectionCustomRule]))
    return SocleSchema(query=Query, mutation=Mutation, extensions=extensions)


def export_sdl(settings: Settings) -> str:
    """The schema in SDL, as committed in ``graphql/schema.graphql``."""
    return make_schema(settings).as_str() + "\n"
