"""The GraphQL schema: every domain's queries merged, with query limits and
error masking."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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
from strawberry.types import ExecutionContext

from app.auth.api import Mutation as AuthMutation
from app.auth.password_api import Mutation as PasswordMutation
from app.i18n import DEFAULT_LOCALE, translate
from app.settings import Settings
from graphql import GraphQLError
from tenants.api import Query as TenantQuery
from tenants.audit_api import Query as AuditQuery
from tenants.clients_api import Mutation as ClientMutation
from tenants.clients_api import Query as ClientQuery
from tenants.errors import DomainError
from tenants.invitations_api import Mutation as InvitationMutation
from tenants.invitations_api import Query as InvitationQuery
from tenants.mutation_errors import short_code
from tenants.users_api import Mutation as UserMutation
from tenants.users_api import Query as UserQuery


@strawberry.type(description="Every query of Socle, gathered from each domain's api module.")
class Query(TenantQuery, AuditQuery, ClientQuery, UserQuery, InvitationQuery):
    pass


@strawberry.type(description="Every mutation of Socle, gathered from each domain's api module.")
class Mutation(AuthMutation, PasswordMutation, ClientMutation, UserMutation, InvitationMutation):
    pass


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
    ]
    if not settings.introspection_enabled:
        extensions.append(partial(AddValidationRules, [NoSchemaIntrospectionCustomRule]))
    return SocleSchema(query=Query, mutation=Mutation, extensions=extensions)


def export_sdl(settings: Settings) -> str:
    """The schema in SDL, as committed in ``graphql/schema.graphql``."""
    return make_schema(settings).as_str() + "\n"
