"""GraphQL over HTTP on ``/graphql``: Strawberry's Litestar controller,
answering ``application/graphql-response+json`` to clients that prefer it
and ``application/json`` as always to the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response
from litestar.di import Provide
from litestar.status_codes import HTTP_400_BAD_REQUEST
from strawberry import Schema
from strawberry.http import GraphQLHTTPResponse
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLController, _response_getter
from strawberry.types.execution import ExecutionResult, PreExecutionError

from app.graphiql.controller import GraphiQL, GraphiQLController

GRAPHQL_RESPONSE = "application/graphql-response+json"


def preferred_media_type(request: Request[Any, Any, Any]) -> str:
    """The media type the client prefers: JSON on a tie, for ``*/*`` and when it accepts neither."""
    return request.accept.best_match([MediaType.JSON, GRAPHQL_RESPONSE], default=MediaType.JSON)


class GraphQLOverHTTP(GraphQLController):
    """The media types of the GraphQL over HTTP specification.

    In ``application/graphql-response+json`` a request error (a document that
    does not parse or validate) has no ``data`` entry and a 400 status;
    ``application/json`` keeps its legacy shape, 200 with ``"data": null``.
    """

    def encode_json(self, data: object) -> bytes:
        """The response body, encoded by msgspec (Litestar's own encoder):
        Strawberry's ``json.dumps`` was a few percent of a page's time."""
        return msgspec.json.encode(data)

    async def get_sub_response(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The response under way, in the media type the client prefers."""
        response: Response[Any] = await super().get_sub_response(request)
        response.media_type = preferred_media_type(request)
        return response

    async def process_result(self, request: Request[Any, Any, Any], result: ExecutionResult) -> GraphQLHTTPResponse:
        """The GraphQL response; a request error never reached execution, so it has no data."""
        body: GraphQLHTTPResponse = await super().process_result(request, result)
        if isinstance(result, PreExecutionError) and preferred_media_type(request) == GRAPHQL_RESPONSE:
            del body["data"]
        return body

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response[Any]
    ) -> Response[bytes]:
        """The HTTP response in the media type chosen, with the status code its body calls for."""
        response: Response[bytes] = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE:
            response.media_type = GRAPHQL_RESPONSE
            if not isinstance(response_data, list) and "data" not in response_data:
                response.status_code = HTTP_400_BAD_REQUEST
        return response


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
        (GraphQLOverHTTP, GraphiQLController, strawberry_controller),
        {
            "graphiql": graphiql,
            # No subscriptions, so no WebSocket route: a handshake is refused, not half served.
            "websocket_endpoint": None,
            # Strawberry makes its sub-response in a worker thread: a thread hop
            # per request for a constructor that never blocks.
            "dependencies": {
                **strawberry_controller.dependencies,
                "response": Provide(_response_getter, sync_to_thread=False),
            },
        },
    )
