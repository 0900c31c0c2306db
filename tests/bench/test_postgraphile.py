"""PostGraphile beside Socle on the suite's database: it verifies Socle's
tokens, and row-level security holds through it with the settings it sets."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import ExitStack
from datetime import date
from typing import Any

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from infra.bench import postgraphile
from infra.bench import postgraphile_queries as queries
from schemes.members import identity as ids
from schemes.rules.model import Sex
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tests.conftest import TestDatabase as Database
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, nodes, serve_over_tcp, token_for
from tests.schemes.members.factories import artisan, enrol, make_scheme, spouse

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is missing: `make npm` installs it")

POOL_SIZE = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _enrol(tenant: Tenant, *people: tuple[str, str]) -> None:
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    for last_name, first_names in people:
        person = ids.Person(
            first_names=first_names, last_name=last_name, sex=Sex.MALE, birth_date=date(1979, 3, 4), nationality="SN"
        )
        await enrol(ctx, artisan(scheme, person=person, phone=None, beneficiaries=(spouse("Awa"),)))


class Servers:
    """Socle and PostGraphile, each on a local port, and their clients."""

    def __init__(self, socle: httpx.AsyncClient, graphile: httpx.AsyncClient, graphile_url: str) -> None:
        self.socle = socle
        self.graphile = graphile
        self.graphile_url = graphile_url

    async def graphile_post(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return await self.graphile.post(self.graphile_url, json=body, headers=headers)

    async def graphile_rows(self, query: str, token: str, **variables: Any) -> list[dict[str, Any]]:
        response = await self.graphile_post(
            {"query": query, "variables": variables}, {"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        return queries.rows(query, response.json())


@pytest.fixture
async def servers(settings: Settings, database: Database, migrated: None) -> AsyncIterator[Servers]:
    await asyncio.to_thread(postgraphile.install)
    await postgraphile.create_search(database.owner_url)
    async with serve_over_tcp(create_app(settings)) as origin, httpx.AsyncClient(base_url=origin) as socle:
        with ExitStack() as stack:
            # PostGraphile reads Socle's keys as it starts: wait for it off
            # the event loop that serves them.
            url = await asyncio.to_thread(
                stack.enter_context,
                postgraphile.serve(
                    database.app_url,
                    port=_free_port(),
                    pool_size=POOL_SIZE,
                    jwks_url=f"{origin}/.well-known/jwks.json",
                ),
            )
            async with httpx.AsyncClient() as graphile:
                yield Servers(socle, graphile, url)
            await asyncio.to_thread(stack.close)


def _forged(token: str, **claims: str) -> str:
    """``token`` with its claims changed and its signature kept."""
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps({**decoded, **claims}).encode()).decode().rstrip("=")
    return f"{header}.{changed}.{signature}"


async def test_rls_holds_through_postgraphile_with_socle_tokens(servers: Servers) -> None:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    first = await make_tenant(country=country)
    second = await make_tenant(country=country)
    await _enrol(first, ("Diop", "Moussa"), ("Fall", "Ibrahima"))
    await _enrol(second, ("Sarr", "Ousmane"))
    manager = await token_for(servers.socle, first, Role.MANAGER)
    officer = await token_for(servers.socle, ministry, Role.OVERSIGHT_OFFICER)
    page = {"query": queries.MEMBERS_PAGE, "variables": {"tenantId": str(first.id), "first": 100}}

    # No token, a token that is not one, one whose claims were changed: no data.
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Bearer {_forged(manager, tid=str(second.id))}"},
        {"Authorization": f"Basic {manager}"},
    ):
        refused = await servers.graphile_post(page, headers)
        assert (refused.status_code, refused.json()) == (401, {"errors": [{"message": "invalid access token"}]})

    # A manager reads its tenant's members, the rows Socle gives...
    socle_page = await graphql(
        servers.socle,
        f"query {{ members(first: 100) {{ edges {{ node {{ {queries.SOCLE_MEMBER_SELECTION} }} }} }} }}",
        token=manager,
    )
    mine = await servers.graphile_rows(queries.MEMBERS_PAGE, manager, tenantId=str(first.id), first=100)
    assert [(m["lastName"], m["status"], [b["firstNames"] for b in m["beneficiaries"]]) for m in mine] == [
        ("Diop", "PENDING", ["Awa"]),
        ("Fall", "PENDING", ["Awa"]),
    ]
    assert mine == nodes(socle_page["data"]["members"])
    found = await servers.graphile_rows(queries.MEMBER_SEARCH, manager, fragment="DIÔ", first=20)
    assert [m["lastName"] for m in found] == ["Diop"]
    # ...and never another tenant's, even when it names it.
    assert await servers.graphile_rows(queries.MEMBERS_PAGE, manager, tenantId=str(second.id), first=100) == []
    assert await servers.graphile_rows(queries.MEMBER_SEARCH, manager, fragment="sarr", first=20) == []
    assert await servers.graphile_rows(queries.MEMBER_COUNTS, manager) == [{"slug": first.slug, "totalCount": 2}]

    # A ministry's officer reads the counts of the tenants it supervises.
    supervised = sorted([(first.slug, 2), (second.slug, 1)])
    assert await servers.graphile_rows(queries.MEMBER_COUNTS, officer) == [
        {"slug": slug, "totalCount": count} for slug, count in supervised
    ]
