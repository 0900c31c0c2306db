"""GraphQL over HTTP on ``/graphql``: Strawberry's Litestar controller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller
from strawberry import Schema
from strawberry.litestar import make_graphql_controller

from app.graphiql.controller import GraphiQL, GraphiQLController


def graphql_controller(
    schema: Schema, *, context_getter: Callable[..., Any], graphiql: GraphiQL | None
) -> type[Controller]:
    """The controller of ``/graphql``: queries and mutations by POST, and
    GraphiQL to browsers when ``graphiql`` is given."""
    strawberry_controller = make_graphql_controller(
        schema,
        path="/graphql",
        context_getter=context_getter,
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False,
    )
    return type(
        "SocleGraphQLController",
        (GraphiQLController, strawberry_controller),
        {"graphiql": graphiql},
    )
