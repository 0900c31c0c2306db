"""The HTTP surface: health probes, request ids, GraphQL with its limits."""

from __future__ import annotations

import json
import logging
from ipaddress import ip_network
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.extensions import AddValidationRules
from strawberry.relay import to_base64

from app.api.schema import make_schema
from app.main import create_app
from app.settings import Settings
from tests.factories import PASSWORD, make_tenant
from tests.graphql_client import SIGN_IN, serve

pytestmark = pytest.mark.usefixtures("migrated")


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert len(response.headers["x-request-id"]) == 32


async def test_ready_reports_each_component(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready", headers={"X-Request-ID": "probe-0001"})
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "components": {"database": "ok", "broker": "ok", "storage": "ok"}},
    )
    assert response.headers["x-request-id"] == "probe-0001"


async def test_ready_reports_an_unavailable_broker(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"broker_url": "redis://127.0.0.1:9/0"}), run_worker=False)
    async with serve(app) as client:
        response = await client.get("/health/ready")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "components": {"database": "ok", "broker": "unavailable", "storage": "ok"}},
    )


async def _graphql(client: httpx.AsyncClient, query: str, **variables: object) -> dict[str, object]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


async def test_anonymous_viewer(client: httpx.AsyncClient) -> None:
    body = await _graphql(client, "{ viewer { authenticated principalKind name role tenant { id } } }")
    assert body == {
        "data": {
            "viewer": {"authenticated": False, "principalKind": "ANONYMOUS", "name": None, "role": None, "tenant": None}
        }
    }


async def test_anonymous_tenant_query_asks_to_sign_in(client: httpx.AsyncClient) -> None:
    body = await _graphql(client, "{ tenant { id } }")
    assert body == {
        "data": {"tenant": None},
        "errors": [
            {
                "message": "Connectez-vous pour accéder à cette information.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["tenant"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }


async def test_node_of_a_tenant_is_hidden_from_anonymous(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    body = await _graphql(client, "query ($id: ID!) { node(id: $id) { id } }", id=to_base64("Tenant", tenant.id))
    assert body == {"data": {"node": None}}


async def test_alias_limit(client: httpx.AsyncClient) -> None:
    aliases = " ".join(f"v{i}: viewer {{ name }}" for i in range(31))
    # The second time, the document and its validation come from the caches: still refused.
    bodies = [await _graphql(client, "{ " + aliases + " }") for _ in range(2)]
    assert bodies == [{"data": None, "errors": [{"message": "31 aliases found. Allowed: 30"}]}] * 2


def test_limits_validate_with_the_same_rules_on_every_request(settings: Settings) -> None:
    # Rule classes made anew per request would key the validation cache anew, so it would never hit.
    schema = make_schema(settings)

    def rules() -> list[type]:
        return [
            rule
            for ext in schema.get_extensions()
            if isinstance(ext, AddValidationRules)
            for rule in ext.validation_rules
        ]

    first, second = rules(), rules()
    assert [rule.__name__ for rule in first] == ["DepthLimitValidator", "MaxAliasesValidator"]
    assert all(a is b for a, b in zip(first, second, strict=True))


async def test_depth_limit(settings: Settings) -> None:
    async with serve(create_app(settings.model_copy(update={"graphql_max_depth": 2}))) as client:
        allowed = await _graphql(client, "query Allowed { viewer { tenant { id } } }")
    async with serve(create_app(settings.model_copy(update={"graphql_max_depth": 1}))) as client:
        refused = await _graphql(client, "query Refused { viewer { tenant { id } } }")
    assert allowed == {"data": {"viewer": {"tenant": None}}}
    assert refused == {
        "data": None,
        "errors": [
            {"message": "'Refused' exceeds maximum operation depth of 1", "locations": [{"line": 1, "column": 35}]}
        ],
    }


async def test_malformed_global_id_is_a_client_error(client: httpx.AsyncClient) -> None:
    body = await _graphql(client, 'query { node(id: "x") { id } }')
    assert body == {
        "data": {"node": None},
        "errors": [
            {
                "message": 'Value cannot represent a GlobalID: "x".',
                "locations": [{"line": 1, "column": 9}],
                "path": ["node"],
            }
        ],
    }


async def test_id_of_a_type_that_is_not_a_node_is_not_found(client: httpx.AsyncClient) -> None:
    ids = [to_base64("User", "01a20000-0000-7000-8000-000000000000"), to_base64("Nothing", "1")]
    bodies = [await _graphql(client, "query ($id: ID!) { node(id: $id) { id } }", id=node_id) for node_id in ids]
    assert bodies == [{"data": {"node": None}}, {"data": {"node": None}}]


async def test_every_log_line_of_a_request_carries_its_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.post("/graphql", json={"query": "{ viewer { authenticated } }"})
    request_id = response.headers["x-request-id"]
    access: list[Any] = [record.msg for record in caplog.records if record.name == "socle.http"]
    assert access == [
        {
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "duration_ms": access[0]["duration_ms"],
            "event": "http.request",
            "request_id": request_id,
            "level": "info",
            "logger": "socle.http",
            "timestamp": access[0]["timestamp"],
        }
    ]


GRAPHQL_RESPONSE = "application/graphql-response+json"


async def _post(client: httpx.AsyncClient, query: str, accept: str | None) -> tuple[int, str, dict[str, object]]:
    headers = {"Accept": accept} if accept else {}
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


UNKNOWN_FIELD = {"message": "Cannot query field 'nothing' on type 'Query'.", "locations": [{"line": 1, "column": 3}]}


async def test_graphql_response_media_type_refuses_a_document_that_does_not_validate(
    client: httpx.AsyncClient,
) -> None:
    assert await _post(client, "{ nothing }", GRAPHQL_RESPONSE) == (400, GRAPHQL_RESPONSE, {"errors": [UNKNOWN_FIELD]})


async def test_graphql_response_media_type_refuses_a_document_that_does_not_parse(client: httpx.AsyncClient) -> None:
    assert await _post(client, "{ viewer", GRAPHQL_RESPONSE) == (
        400,
        GRAPHQL_RESPONSE,
        {"errors": [{"message": "Syntax Error: Expected Name, found <EOF>.", "locations": [{"line": 1, "column": 9}]}]},
    )


async def test_graphql_response_media_type_answers_data_with_200(client: httpx.AsyncClient) -> None:
    accept = f"{GRAPHQL_RESPONSE}, application/json;q=0.9"
    assert await _post(client, "{ viewer { authenticated } }", accept) == (
        200,
        GRAPHQL_RESPONSE,
        {"data": {"viewer": {"authenticated": False}}},
    )
    status, media_type, body = await _post(client, "{ tenant { id } }", accept)
    assert (status, media_type, body["data"]) == (200, GRAPHQL_RESPONSE, {"tenant": None})


async def test_json_stays_the_answer_of_other_clients(client: httpx.AsyncClient) -> None:
    legacy = (200, "application/json", {"data": None, "errors": [UNKNOWN_FIELD]})
    for accept in (None, "*/*", "application/json", f"application/json, {GRAPHQL_RESPONSE};q=0.9", "text/html"):
        assert await _post(client, "{ nothing }", accept) == legacy, accept


@pytest.mark.parametrize(
    ("path", "language", "message"),
    [
        ("/claims/accept?token=abc", None, "Ressource introuvable."),
        ("/receipts/2026-0001?token=abc", "en", "Resource not found."),
        ("/nulle-part", "en-GB,en;q=0.9", "Resource not found."),
    ],
)
async def test_unknown_path_is_not_found(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str, language: str | None, message: str
) -> None:
    caplog.set_level(logging.INFO)
    headers = {"Accept-Language": language} if language else {}
    response = await client.get(path, headers={**headers, "X-Request-ID": "lien-perdu-0001"})
    access: list[Any] = [record.msg for record in caplog.records if record.name == "socle.http"]
    assert (response.status_code, response.json(), response.headers["x-request-id"]) == (
        404,
        {"error": message, "request_id": "lien-perdu-0001"},
        "lien-perdu-0001",
    )
    assert [(line["method"], line["path"], line["status"], line["request_id"]) for line in access] == [
        ("GET", path.partition("?")[0], 404, "lien-perdu-0001")
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "Cette adresse n'accepte pas cette méthode HTTP."),
        ("en", "This address does not accept this HTTP method."),
    ],
)
async def test_wrong_method_is_not_allowed(client: httpx.AsyncClient, language: str | None, message: str) -> None:
    response = await client.delete("/health/live", headers={"Accept-Language": language} if language else {})
    request_id = response.headers["x-request-id"]
    allowed = sorted(method.strip() for method in response.headers["allow"].split(","))
    assert (response.status_code, response.json(), allowed, len(request_id)) == (
        405,
        {"error": message, "request_id": request_id},
        ["GET", "OPTIONS"],
        32,
    )


def _padded_query(size: int) -> bytes:
    """A GraphQL request body of exactly ``size`` bytes."""
    body = b'{"query": "{ viewer { authenticated } }", "padding": ""}'
    return body[:-2] + b"x" * (size - len(body)) + body[-2:]


@pytest.mark.parametrize(("language", "message"), [(None, "Requête trop volumineuse."), ("en", "Request too large.")])
async def test_body_over_the_limit_is_refused(client: httpx.AsyncClient, language: str | None, message: str) -> None:
    headers = {"Content-Type": "application/json", **({"Accept-Language": language} if language else {})}
    at_limit = await client.post("/graphql", content=_padded_query(1_048_576), headers=headers)
    over = await client.post("/graphql", content=_padded_query(1_048_577), headers=headers)
    assert (at_limit.status_code, at_limit.json()) == (200, {"data": {"viewer": {"authenticated": False}}})
    assert (over.status_code, over.json()) == (413, {"error": message, "request_id": over.headers["x-request-id"]})


async def _refused_sign_in_from(
    client: httpx.AsyncClient, owner: asyncpg.Connection, identifier: str, forwarded_for: str
) -> tuple[str, list[str]]:
    """Sign in with an unknown identifier; return the audited source address
    and the throttle's address keys (of the documentation ranges)."""
    response = await client.post(
        "/graphql",
        json={"query": SIGN_IN, "variables": {"identifier": identifier, "password": PASSWORD}},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert response.json()["data"]["sessionCreate"]["code"] == "INVALID_CREDENTIALS"
    events = await owner.fetch(
        "SELECT source_address, summary FROM audit_events WHERE action = 'session.create_refused'"
        " AND summary->>'identifier' = $1",
        identifier,
    )
    assert [json.loads(event["summary"])["identifier"] for event in events] == [identifier]
    keys = await owner.fetch(
        "SELECT key FROM sign_in_throttles WHERE key LIKE 'address:198.51.100.%' OR key LIKE 'address:203.0.113.%'"
        " ORDER BY key"
    )
    return events[0]["source_address"], [row["key"] for row in keys]


async def test_trusted_proxy_forwards_the_client_address(settings: Settings, owner: asyncpg.Connection) -> None:
    trusted = settings.model_copy(update={"trusted_proxies": (ip_network("127.0.0.0/8"),)})
    async with serve(create_app(trusted)) as client:
        recorded = await _refused_sign_in_from(
            client, owner, "derriere.proxy@test.socle.sn", "198.51.100.66, 203.0.113.9, 127.0.0.2"
        )
    await owner.execute("DELETE FROM sign_in_throttles WHERE key = 'address:203.0.113.9'")
    assert recorded == ("203.0.113.9", ["address:203.0.113.9"])


async def test_forwarded_address_of_an_untrusted_peer_is_ignored(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    recorded = await _refused_sign_in_from(client, owner, "usurpateur@test.socle.sn", "203.0.113.10")
    assert recorded == ("127.0.0.1", [])


async def test_graphql_over_websocket_is_refused(settings: Settings) -> None:
    """No subscriptions: the handshake is refused, not served half-way."""
    app = create_app(settings, run_worker=False)
    sent: list[dict[str, Any]] = []
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": [(b"host", b"socle.test"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 50000),
        "server": ("socle.test", 80),
        "scheme": "ws",
        "root_path": "",
    }
    async with serve(app):
        await app(scope, receive, send)
    # Litestar refuses a handshake no route takes: closed before any accept, no handler ran.
    assert sent == [{"type": "websocket.close", "code": 4500, "reason": "Bad Request"}]


async def test_a_client_that_leaves_before_its_body_is_no_error(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # A load generator stopping, a phone losing its network: logged as the
    # client's, with no stack trace, and the process goes on.
    app = create_app(settings, run_worker=False)
    sent: list[dict[str, Any]] = []
    incoming: list[dict[str, Any]] = [{"type": "http.request", "body": b'{"query": "{ vie', "more_body": True}]

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": [(b"host", b"socle.test"), (b"content-type", b"application/json"), (b"content-length", b"200")],
        "client": ("127.0.0.1", 50000),
        "server": ("socle.test", 80),
        "scheme": "http",
        "root_path": "",
    }
    # The app's logging set-up replaced the root's handlers, caplog's among them.
    logging.getLogger().addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    async with serve(app):
        await app(scope, receive, send)
    assert sent[0]["status"] == 499
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    access: list[Any] = [record.msg for record in caplog.records if record.name == "socle.http"]
    assert (errors, [line["status"] for line in access]) == ([], [499])
