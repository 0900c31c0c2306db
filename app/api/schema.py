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

from app.auth.api import Mutation as AuthMutation
from app.settings import Settings
from graphql import GraphQLError
from tenants.api import Query as TenantQuery


@strawberry.type(description="Every query of Socle, gathered from each domain's api module.")
class Query(TenantQuery):
    pass


@strawberry.type(description="Every mutation of Socle, gathered from each domain's api module.")
class Mutation(AuthMutation):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask errors raised by code (a bug, a lost connection); keep the
    validation and limit errors that tell a client what to fix."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


def make_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits ``settings`` ask for."""
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(QueryDepthLimiter, max_depth=settings.graphql_max_depth),
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(MaxAliasesLimiter, max_alias_count=settings.graphql_max_aliases),
        partial(MaskErrors, should_mask_error=_is_unexpected, error_message="Unexpected error."),
    ]
    if not settings.introspection_enabled:
        extensions.append(partial(AddValidationRules, [NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


def export_sdl(settings: Settings) -> str:
    """The schema in SDL, as committed in ``graphql/schema.graphql``."""
    return make_schema(settings).as_str() + "\n"
