"""What every field does with its arguments before its resolver runs: text
with control characters is refused naming the field, a malformed cursor is
the client's mistake, and every mutation answers with its own typed errors."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from strawberry.schema.schema_converter import GraphQLCoreConverter

from app.api.schema import make_schema
from app.settings import Settings
from graphql import GraphQLInputObjectType, GraphQLNamedType, GraphQLObjectType, GraphQLScalarType, get_named_type
from tenants.clean_text import CleanArguments
from tenants.mutations import TypedErrors
from tenants.roles import Role
from tests.factories import make_tenant
from tests.graphql_client import graphql, token_for

pytestmark = pytest.mark.usefixtures("migrated")

SIGN_IN = """
mutation ($identifier: String!) {
  sessionCreate(input: {identifier: $identifier, password: "Mot-de-passe-solide-1"}) {
    __typename
    ... on SessionCreateError { code path message }
  }
}
"""


@pytest.mark.parametrize("text", ["admin\x00@x.sn", "admin\x1b[31m@x.sn", "admin\ud800@x.sn", "\x7f"])
async def test_a_mutation_refuses_control_characters_with_its_typed_error(client: httpx.AsyncClient, text: str) -> None:
    # json.dumps escapes what it cannot encode (a lone surrogate travels as \ud800), as a JSON client does.
    payload = json.dumps({"query": SIGN_IN, "variables": {"identifier": text}})
    response = await client.post("/graphql", content=payload, headers={"Content-Type": "application/json"})
    body = response.json()
    assert body == {
        "data": {
            "sessionCreate": {
                "__typename": "SessionCreateError",
                "code": "INVALID_TEXT",
                "path": ["input", "identifier"],
                "message": "Le champ « input.identifier » contient des caractères de contrôle ; "
                "saisissez du texte ordinaire.",
            }
        }
    }


async def test_nested_inputs_and_english(client: httpx.AsyncClient) -> None:
    admin = await token_for(client, await make_tenant(), Role.TENANT_ADMIN)
    create = """
    mutation ($scopes: [String!]!) {
      apiClientCreate(input: {name: "Appli", scopes: $scopes}) {
        ... on ApiClientCreateError { code path message }
      }
    }
    """
    body = await graphql(client, create, token=admin, language="en", scopes=["members:read", "x\x00"])
    assert body == {
        "data": {
            "apiClientCreate": {
                "code": "INVALID_TEXT",
                "path": ["input", "scopes", "1"],
                "message": "The field “input.scopes.1” holds control characters; type plain text.",
            }
        }
    }
    listed = await graphql(client, "{ apiClients { totalCount } }", token=admin)
    assert listed == {"data": {"apiClients": {"totalCount": 0}}}


async def test_line_breaks_and_tabs_are_text(client: httpx.AsyncClient) -> None:
    body = await graphql(client, SIGN_IN, identifier="\tadmin@x.sn\r\n")
    assert body["data"]["sessionCreate"]["code"] == "INVALID_CREDENTIALS"


async def test_a_query_refuses_control_characters_at_the_top(client: httpx.AsyncClient) -> None:
    auditor = await token_for(client, await make_tenant(), Role.AUDITOR)
    query = "query ($action: String) { auditEvents(filter: {action: $action}) { totalCount } }"
    body = await graphql(client, query, token=auditor, action="session.create\x00")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Le champ « filter.action » contient des caractères de contrôle ; "
                "saisissez du texte ordinaire.",
                "locations": [{"line": 1, "column": 27}],
                "path": ["auditEvents"],
                "extensions": {"code": "INVALID_TEXT"},
            }
        ],
    }


def _cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


ALL_LISTS = ("auditEvents", "users", "invitations", "apiClients")
SOME_ID = "01a23000-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    ("cursor", "fields"),
    [
        *((cursor, ALL_LISTS) for cursor in ("NQ", "!!", "W10", "WyJ4Il0", "eyJhIjoxfQ", "WzEsMl0")),
        (_cursor(10**30), ("auditEvents",)),
        (_cursor("Awa\u0000", SOME_ID), ("users",)),
        (_cursor("0001-01-01T00:00:00+14:00", SOME_ID), ("invitations", "apiClients")),
        (_cursor("9999-12-31T23:59:59-12:00", SOME_ID), ("invitations", "apiClients")),
        (_cursor("2026-12-01T10:00:00", SOME_ID), ("invitations", "apiClients")),
    ],
)
async def test_a_malformed_cursor_is_a_typed_error(
    client: httpx.AsyncClient, cursor: str, fields: tuple[str, ...]
) -> None:
    admin = await token_for(client, await make_tenant(), Role.TENANT_ADMIN)
    for field in fields:
        body = await graphql(client, f'{{ {field}(after: "{cursor}") {{ totalCount }} }}', token=admin)
        assert body["errors"][0]["extensions"] == {"code": "INVALID_CURSOR"}, (field, body)
        assert body["errors"][0]["message"] == "Curseur de pagination invalide : reprenez depuis la première page."


def test_every_mutation_has_typed_errors_unless_it_takes_no_input(settings: Settings) -> None:
    schema = make_schema(settings)
    mutation = schema.get_type_by_name("Mutation")
    untyped = sorted(
        field.python_name
        for field in mutation.fields  # type: ignore[union-attr]
        if not any(isinstance(extension, TypedErrors) for extension in field.extensions)
    )
    assert untyped == ["session_revoke"]
    revoke = next(field for field in mutation.fields if field.python_name == "session_revoke")  # type: ignore[union-attr]
    assert revoke.arguments == []


async def test_a_caller_the_field_refuses_hears_that_before_any_text_check(client: httpx.AsyncClient) -> None:
    query = (
        'mutation { invitationCreate(input: {fullName: "Awa\\u0000", role: AGENT, email: "a@x.sn"}) { __typename } }'
    )
    body = await graphql(client, query)
    assert body["data"] is None
    assert [error["extensions"] for error in body["errors"]] == [{"code": "UNAUTHENTICATED"}]


def _carries_text(graphql_type: GraphQLNamedType, seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(graphql_type, GraphQLScalarType):
        return graphql_type.name not in {"Int", "Float", "Boolean", "Date", "DateTime", "UUID"}
    if isinstance(graphql_type, GraphQLInputObjectType) and graphql_type.name not in seen:
        return any(
            _carries_text(get_named_type(field.type), seen | {graphql_type.name})
            for field in graphql_type.fields.values()
        )
    return False


def test_every_field_taking_text_checks_it(settings: Settings) -> None:
    # The check is a field extension, not a middleware on every field: a field
    # declared without @field or @mutation would let control characters through.
    schema = make_schema(settings)
    unchecked = sorted(
        f"{type_name}.{name}"
        for type_name, graphql_type in schema._schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType) and not type_name.startswith("__")
        for name, field in graphql_type.fields.items()
        if any(_carries_text(get_named_type(argument.type)) for argument in field.args.values())
        and not any(
            isinstance(extension, CleanArguments)
            for extension in field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF].extensions
        )
    )
    assert unchecked == []
