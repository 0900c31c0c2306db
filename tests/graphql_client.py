"""Talking to the app over HTTP in tests: a served app and GraphQL calls."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from litestar import Litestar

from tenants.registry.tables import Tenant
from tenants.roles import Role
from tests.factories import PASSWORD, make_user
from tests.jobs import jobs_done
from tests.messages import last_code


def free_port() -> int:
    """A local TCP port no one listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve_over_tcp(app: Litestar, port: int | None = None) -> AsyncIterator[str]:
    """Serve the app with uvicorn on ``port`` (default: a free one), lifespan running; its origin."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn stopped before serving"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def serve(app: Litestar, base_url: str = "http://socle.test") -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it over ASGI. The client gets the
    app itself, not the manager's wrapper, whose lifespan state would be one
    dict shared by every request (servers give each request a copy)."""
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


async def graphql(
    client: httpx.AsyncClient, query: str, *, token: str | None = None, language: str | None = None, **variables: Any
) -> dict[str, Any]:
    """POST a GraphQL operation; return the JSON body of a 200 answer."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if language:
        headers["Accept-Language"] = language
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


SIGN_IN = """
mutation ($identifier: String!, $password: String!, $tenant: String) {
  sessionCreate(input: {identifier: $identifier, password: $password, tenant: $tenant}) {
    __typename
    ... on SessionTokens { accessToken refreshToken tenant { slug } }
    ... on SessionCreateError { code path message }
  }
}
"""


async def sign_in(client: httpx.AsyncClient, identifier: str, tenant: str | None = None) -> dict[str, Any]:
    """Sign in with the factories' password; return the SessionTokens."""
    body = await graphql(client, SIGN_IN, identifier=identifier, password=PASSWORD, tenant=tenant)
    result: dict[str, Any] = body["data"]["sessionCreate"]
    assert result["__typename"] == "SessionTokens", result
    return result


async def token_for(client: httpx.AsyncClient, tenant: Tenant, role: Role) -> str:
    """The access token of a new user holding ``role`` in ``tenant``."""
    user = await make_user(tenant, role)
    assert user.email
    token: str = (await sign_in(client, user.email))["accessToken"]
    return token


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The nodes of a connection's page, in order."""
    return [edge["node"] for edge in connection["edges"]]


REQUEST_CODE = "mutation ($phone: String!) { signInCodeRequest(input: {phone: $phone}) { __typename } }"
WITH_CODE = """
mutation ($phone: String!, $code: String!) {
  sessionCreateWithCode(input: {phone: $phone, code: $code}) { ... on SessionTokens { accessToken } }
}
"""


async def code_token(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, phone: str) -> str | None:
    """The access token a member gets with the code sent to ``phone``; None when none signs them in."""
    caplog.set_level(logging.INFO)
    await graphql(client, REQUEST_CODE, phone=phone)
    await jobs_done()
    try:
        code = last_code(caplog, phone)
    except StopIteration:
        return None
    body = await graphql(client, WITH_CODE, phone=phone, code=code)
    token: str | None = (body["data"]["sessionCreateWithCode"] or {}).get("accessToken")
    return token


async def fetch_link(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """GET a storage link: through the app under test for the local folder's
    route (``http://localhost…``), over the network for S3."""
    if url.startswith("http://localhost"):
        parts = urlsplit(url)
        return await client.get(f"{parts.path}?{parts.query}")
    async with httpx.AsyncClient() as outside:
        return await outside.get(url)
