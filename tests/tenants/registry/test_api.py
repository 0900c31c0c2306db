"""The tenant queries over GraphQL, with real tokens: another tenant's
records are "not found", a ministry reads its country's tenants only."""

from __future__ import annotations

import httpx
import pytest
from strawberry.relay import to_base64

from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tests.factories import fresh_country, make_tenant
from tests.graphql_client import graphql, token_for

pytestmark = pytest.mark.usefixtures("migrated")

NODE = "query ($id: ID!) { node(id: $id) { ... on Tenant { slug kind country currency status } } }"


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
    token = await token_for(client, a, Role.AGENT)
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
    token = await token_for(client, ministry, role)
    seen = await graphql(client, NODE, token=token, id=to_base64("Tenant", supervised.id))
    hidden = await graphql(client, NODE, token=token, id=to_base64("Tenant", abroad.id))
    assert seen == {"data": {"node": _view(supervised)}}
    assert hidden == {"data": {"node": None}}
