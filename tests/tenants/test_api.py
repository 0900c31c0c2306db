"""The tenant queries over GraphQL, with real tokens: another tenant's
records are "not found", a ministry reads its country's tenants only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from strawberry.relay import to_base64

from app.main import create_app
from app.settings import Settings
from tenants.roles import Role, TenantKind
from tenants.tables import Tenant
from tests.factories import fresh_country, make_tenant, make_user
from tests.graphql_client import graphql, serve, sign_in

pytestmark = pytest.mark.usefixtures("migrated")

NODE = "query ($id: ID!) { node(id: $id) { ... on Tenant { slug kind country currency status } } }"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings)) as client:
        yield client


async def _token(client: httpx.AsyncClient, tenant: Tenant, role: Role) -> str:
    user = await make_user(tenant, role)
    assert user.email
    session = await sign_in(client, user.email)
    token: str = session["accessToken"]
    return token


def _view(tenant: Tenant) -> dict[str, str]:
    return {
        "slug": tenant.slug,
        "kind": tenant.kind.upper(),
        "country": tenant.country,
        "currency": tenant.currency,
        "status": tenant.status.upper(),
    }


async def test_a_tenant_sees_itself_and_not_the_others(client: httpx.AsyncClient) -> None:
    country = fresh_country()
    a = await make_tenant(country=country)
    b = await make_tenant(country=country)
    token = await _token(client, a, Role.AGENT)
    own = await graphql(client, "{ tenant { slug } }", token=token)
    mine = await graphql(client, NODE, token=token, id=to_base64("Tenant", a.id))
    theirs = await graphql(client, NODE, token=token, id=to_base64("Tenant", b.id))
    assert own == {"data": {"tenant": {"slug": a.slug}}}
    assert mine == {"data": {"node": _view(a)}}
    assert theirs == {"data": {"node": None}}


@pytest.mark.parametrize("role", [Role.OVERSIGHT_OFFICER, Role.MINISTRY_ADMIN])
async def test_ministry_reads_its_country_only(client: httpx.AsyncClient, role: Role) -> None:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    supervised = await make_tenant(kind=TenantKind.IPM, country=country)
    abroad = await make_tenant(country=fresh_country())
    token = await _token(client, ministry, role)
    seen = await graphql(client, NODE, token=token, id=to_base64("Tenant", supervised.id))
    hidden = await graphql(client, NODE, token=token, id=to_base64("Tenant", abroad.id))
    assert seen == {"data": {"node": _view(supervised)}}
    assert hidden == {"data": {"node": None}}
